/**
 * One-minute aggregates, pure: a reading folded into its minute, two aggregates of the same readings
 * merged (a late reading, a restart mid-minute, or minutes joined into a coarser chart bucket), and
 * an aggregate turned into a chart point (numbers by their mean with min and max, booleans by the
 * fraction of readings that were true, words by the last one).
 */
import type { MinuteRow, ReadingValue, Stat } from './store.js';

/** Folds one value into its stat (created if missing); a value of another type than before starts the stat over. */
export function fold(stats: Record<string, Stat>, name: string, v: ReadingValue): void {
  const s = stats[name];
  if (typeof v === 'number') {
    if (s && 'min' in s) {
      if (v < s.min) s.min = v;
      if (v > s.max) s.max = v;
      s.sum += v;
      s.n++;
    } else stats[name] = { min: v, max: v, sum: v, n: 1 };
  } else if (typeof v === 'boolean') {
    if (s && 'trues' in s) {
      if (v) s.trues++;
      s.n++;
    } else stats[name] = { trues: v ? 1 : 0, n: 1 };
  } else stats[name] = { last: v };
}

/** a and b of the same reading, b the later: a new stat, neither changed */
export function mergeStat(a: Stat, b: Stat): Stat {
  if ('min' in a && 'min' in b) return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), sum: a.sum + b.sum, n: a.n + b.n };
  if ('trues' in a && 'trues' in b) return { trues: a.trues + b.trues, n: a.n + b.n };
  return { ...b };
}

function mergeStats(a: Record<string, Stat> | undefined, b: Record<string, Stat> | undefined): Record<string, Stat> | undefined {
  if (!a) return b && copyStats(b);
  const out = copyStats(a);
  for (const [k, s] of Object.entries(b ?? {})) out[k] = out[k] ? mergeStat(out[k], s) : { ...s };
  return out;
}

export const copyStats = (s: Record<string, Stat>): Record<string, Stat> => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { ...v }]));

/** Two aggregates of one device, b the later (or the one written last); the result starts at a's minute. */
export function mergeMinutes(a: MinuteRow, b: MinuteRow): MinuteRow {
  const extra = mergeStats(a.extra, b.extra);
  return { device: a.device, minute: a.minute, n: a.n + b.n, readings: mergeStats(a.readings, b.readings)!, ...(extra ? { extra } : {}) };
}

/** a chart point of aggregated readings: values are means (numbers), fractions true (booleans) or the last word */
export interface AggregatePoint {
  ts: number;
  readings: Record<string, ReadingValue>;
  extra?: Record<string, number>;
  /** readings aggregated */
  count: number;
  /** the bucket's length in ms, from ts */
  spanMs: number;
  min: Record<string, number>;
  max: Record<string, number>;
  extraMin?: Record<string, number>;
  extraMax?: Record<string, number>;
}

function values(stats: Record<string, Stat>, min: Record<string, number>, max: Record<string, number>): Record<string, ReadingValue> {
  const out: Record<string, ReadingValue> = {};
  for (const [k, s] of Object.entries(stats)) {
    if ('min' in s) {
      out[k] = s.sum / s.n;
      min[k] = s.min;
      max[k] = s.max;
    } else if ('trues' in s) out[k] = s.trues / s.n;
    else out[k] = s.last;
  }
  return out;
}

export function aggregatePoint(m: MinuteRow, spanMs: number): AggregatePoint {
  const min: Record<string, number> = {};
  const max: Record<string, number> = {};
  const p: AggregatePoint = { ts: m.minute, readings: values(m.readings, min, max), count: m.n, spanMs, min, max };
  if (m.extra) {
    p.extraMin = {};
    p.extraMax = {};
    p.extra = values(m.extra, p.extraMin, p.extraMax) as Record<string, number>;
  }
  return p;
}

/** Joins consecutive minutes into buckets of `bucketMs` (from the epoch), oldest first. */
export function rebucket(minutes: readonly MinuteRow[], bucketMs: number): MinuteRow[] {
  const out: MinuteRow[] = [];
  for (const m of minutes) {
    const start = Math.floor(m.minute / bucketMs) * bucketMs;
    const last = out[out.length - 1];
    if (last && last.minute === start) out[out.length - 1] = mergeMinutes(last, m);
    else out.push({ ...mergeMinutes({ ...m, n: 0, readings: {}, extra: undefined }, m), minute: start });
  }
  return out;
}
