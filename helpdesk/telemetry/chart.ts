/**
 * A chart's points from the store: a window up to `rawWindowMs` long gets the readings as they were
 * sent (where retention already took them and no ticket pinned them, the one-minute aggregates stand
 * in); a longer one gets the minutes, joined into coarser buckets so it stays within `maxPoints`.
 * Either way at most `maxPoints` points, the first and the last kept.
 */
import { aggregatePoint, mergeMinutes, rebucket, type AggregatePoint } from './minutes.js';
import { MINUTE, minuteOf, thin, type MinuteRow, type TelemetryPoint, type TelemetryStore } from './store.js';

export type ChartPoint = TelemetryPoint | AggregatePoint;

export interface ChartSeries {
  points: ChartPoint[];
  /** 0: every point is a reading as sent; otherwise the length of the coarsest aggregate bucket among the points */
  resolutionMs: number;
}

export interface ChartOptions {
  rawWindowMs: number;
  maxPoints: number;
  /** the device's minute still being aggregated (not in the store yet) */
  open?: MinuteRow;
}

function rawChart(store: TelemetryStore, device: string, from: number, to: number, o: ChartOptions): ChartSeries {
  // thinned by the store before it decodes them: a 2 h window of a 1 Hz device decodes 1,500 readings, not 7,200
  const rows = store.raw(device, from, to, o.maxPoints);
  const floor = store.rawFloor();
  if (from >= floor) return { points: thin(rows, o.maxPoints), resolutionMs: 0 };
  // before the floor only pinned windows kept their rows: the minutes fill the rest
  const end = Math.min(to, floor - 1);
  const covered = new Set<number>();
  for (const r of rows) {
    if (r.ts > end) break;
    covered.add(minuteOf(r.ts));
  }
  const fill = store.minutes(device, minuteOf(from), end).filter((m) => !covered.has(m.minute));
  if (!fill.length) return { points: thin(rows, o.maxPoints), resolutionMs: 0 };
  const points: ChartPoint[] = [...rows, ...fill.map((m) => aggregatePoint(m, MINUTE))].sort((a, b) => a.ts - b.ts);
  return { points: thin(points, o.maxPoints), resolutionMs: MINUTE };
}

function minuteChart(store: TelemetryStore, device: string, from: number, to: number, o: ChartOptions): ChartSeries {
  const start = minuteOf(from);
  const minutes = store.minutes(device, start, to);
  if (o.open && o.open.minute >= start && o.open.minute <= to) {
    const last = minutes[minutes.length - 1];
    if (last?.minute === o.open.minute) minutes[minutes.length - 1] = mergeMinutes(last, o.open);
    else if (!last || last.minute < o.open.minute) minutes.push(o.open);
  }
  const k = Math.max(1, Math.ceil((to - start + 1) / MINUTE / o.maxPoints));
  const buckets = k > 1 ? rebucket(minutes, k * MINUTE) : minutes;
  // buckets start at multiples of k minutes, so a window may touch one more than it spans
  return { points: thin(buckets.map((m) => aggregatePoint(m, k * MINUTE)), o.maxPoints), resolutionMs: k * MINUTE };
}

export function chartOf(store: TelemetryStore, device: string, from: number, to: number, o: ChartOptions): ChartSeries {
  if (!(to >= from)) return { points: [], resolutionMs: 0 };
  return to - from <= o.rawWindowMs ? rawChart(store, device, from, to, o) : minuteChart(store, device, from, to, o);
}
