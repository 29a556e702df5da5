/**
 * TelemetryStore in memory: the default of a helpdesk built without a database (unit tests, the
 * core on its own). Same rules as the SQLite store (sqlite-store.ts): rows by device in event-time
 * order, a reading with the same time replaces the one before, minutes merge, retention a step at a
 * time around pinned windows. Memory is bounded by retention, as the file is.
 */
import { copyStats, mergeMinutes } from './minutes.js';
import { gaps, thin, type MinuteRow, type Pin, type TelemetryPoint, type TelemetryStore } from './store.js';

/** index of the first element with key >= k (arr sorted by key) */
function lowerBound<T>(arr: readonly T[], k: number, key: (t: T) => number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(arr[mid]!) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** inserts in order; an element with the same key is replaced (or merged) */
function put<T>(arr: T[], t: T, key: (t: T) => number, merge: (a: T, b: T) => T = (_a, b) => b): void {
  const k = key(t);
  if (!arr.length || key(arr[arr.length - 1]!) < k) return void arr.push(t);
  const i = lowerBound(arr, k, key);
  if (i < arr.length && key(arr[i]!) === k) arr[i] = merge(arr[i]!, t);
  else arr.splice(i, 0, t);
}

const tsOf = (p: TelemetryPoint) => p.ts;
const minuteOf = (m: MinuteRow) => m.minute;
const copyPoint = (p: TelemetryPoint): TelemetryPoint => ({ ts: p.ts, readings: { ...p.readings }, ...(p.extra ? { extra: { ...p.extra } } : {}) });
const copyMinute = (m: MinuteRow): MinuteRow => ({ ...m, readings: copyStats(m.readings), ...(m.extra ? { extra: copyStats(m.extra) } : {}) });

export function createMemoryTelemetryStore(): TelemetryStore {
  const raw = new Map<string, TelemetryPoint[]>();
  const minutes = new Map<string, MinuteRow[]>();
  const pins = new Map<string, Pin[]>();
  const pinIds = new Set<string>();
  let rawFloor = -Infinity;
  let minuteFloor = -Infinity;
  const listOf = <T>(m: Map<string, T[]>, k: string): T[] => {
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    return l;
  };
  const range = <T>(arr: readonly T[] | undefined, from: number, to: number, key: (t: T) => number): T[] =>
    arr ? arr.slice(lowerBound(arr, from, key), lowerBound(arr, to + 1, key)) : [];

  return {
    write(batch) {
      for (const r of batch.rows) put(listOf(raw, r.device), copyPoint(r), tsOf);
      for (const m of batch.minutes) put(listOf(minutes, m.device), copyMinute(m), minuteOf, mergeMinutes);
    },
    raw: (device, from, to, max = Infinity) => thin(range(raw.get(device), from, to, tsOf), max).map(copyPoint),
    minutes: (device, from, to) => range(minutes.get(device), from, to, minuteOf).map(copyMinute),
    last(device) {
      const l = raw.get(device);
      return l?.length ? copyPoint(l[l.length - 1]!) : undefined;
    },
    pin(p) {
      if (pinIds.has(p.id)) return;
      pinIds.add(p.id);
      listOf(pins, p.device).push({ ...p });
      pins.get(p.device)!.sort((a, b) => a.from - b.from);
    },
    pinned: (id) => pinIds.has(id),
    prune(rawBefore, minutesBefore, stepMs) {
      const nextFrom = (from: number): number => Math.min(...[...raw.values()].map((l) => l[lowerBound(l, from, tsOf)]?.ts ?? Infinity));
      const out = { raw: 0, minutes: 0 };
      if (!Number.isFinite(rawFloor)) rawFloor = Math.min(...[...raw.values()].map((l) => l[0]?.ts ?? Infinity));
      if (Number.isFinite(rawFloor) && rawBefore > rawFloor) {
        const to = Math.min(rawBefore, rawFloor + stepMs);
        for (const [device, l] of raw) {
          for (const [a, b] of gaps(rawFloor, to, pins.get(device) ?? [])) {
            const i = lowerBound(l, a, tsOf);
            const n = lowerBound(l, b, tsOf) - i;
            l.splice(i, n);
            out.raw += n;
          }
        }
        // a stretch of event time without readings (a long jump of the clock) is crossed at once, not a step at a time
        rawFloor = out.raw === 0 ? Math.max(to, Math.min(rawBefore, nextFrom(to))) : to;
      }
      if (minutesBefore > minuteFloor) {
        const to = Number.isFinite(minuteFloor) ? Math.min(minutesBefore, minuteFloor + stepMs) : minutesBefore;
        for (const l of minutes.values()) out.minutes += l.splice(0, lowerBound(l, to, minuteOf)).length;
        const next = (): number => Math.min(...[...minutes.values()].map((l) => l[0]?.minute ?? Infinity));
        minuteFloor = out.minutes === 0 ? Math.max(to, Math.min(minutesBefore, next())) : to;
      }
      return { ...out, done: !(Number.isFinite(rawFloor) && rawBefore > rawFloor) && minutesBefore <= minuteFloor };
    },
    rawFloor: () => rawFloor,
    forget(device) {
      const out = { raw: raw.get(device)?.length ?? 0, minutes: minutes.get(device)?.length ?? 0 };
      raw.delete(device);
      minutes.delete(device);
      for (const p of pins.get(device) ?? []) pinIds.delete(p.id);
      pins.delete(device);
      return out;
    },
    close() {
      raw.clear();
      minutes.clear();
    },
  };
}
