/**
 * Where telemetry lives: every reading as it was sent (raw rows, kept `rawMs` of event time, 48 h by
 * default) and one-minute aggregates of them (kept `minutesMs`, 90 days by default). The helpdesk
 * never writes a row at a time: the recorder (recorder.ts) buffers readings, aggregates minutes and
 * hands the store one batch per flush, which it writes in one transaction.
 *
 * A ticket keeps the evidence window it was opened on: the recorder pins that window (pin()), and
 * retention never deletes the raw rows of a pinned window, so the ticket's chart reads the readings
 * as they were sent however old the ticket is.
 *
 * openSqliteTelemetryStore (sqlite-store.ts) keeps it in the helpdesk's database;
 * createMemoryTelemetryStore (memory-store.ts) is the default of a helpdesk built without one.
 */
import { codeTable } from '../../contracts/errors.js';

/** One value a device reports: a number, a boolean (doorOpen) or a word (a washer's phase). */
export type ReadingValue = number | boolean | string;
export type Readings = Record<string, ReadingValue>;

/** A reading as it was sent: the kind's readings and the extra ones (board sensors) by name. */
export interface TelemetryPoint {
  ts: number;
  readings: Readings;
  extra?: Record<string, number>;
}

export interface RawRow extends TelemetryPoint {
  /** deviceKey(customerId, deviceId) */
  device: string;
}

/** What one minute saw of one reading: numbers by min/max/sum/count, booleans by how often true, words by the last one. */
export type Stat = { min: number; max: number; sum: number; n: number } | { trues: number; n: number } | { last: string };

export interface MinuteRow {
  device: string;
  /** the minute's start, ms of event time (a multiple of 60,000) */
  minute: number;
  /** readings aggregated into this minute */
  n: number;
  readings: Record<string, Stat>;
  extra?: Record<string, Stat>;
}

/** The raw rows of [from, to] of one device stay while a ticket needs them (its evidence window). */
export interface Pin {
  /** the ticket's id: one pin per ticket */
  id: string;
  device: string;
  from: number;
  to: number;
}

export interface PruneResult {
  raw: number;
  minutes: number;
  /** retention has caught up with both times: nothing more to delete before them */
  done: boolean;
}

export interface TelemetryStore {
  /** Writes one batch in one transaction; a minute already stored merges with the new one (late readings, a restart mid-minute). */
  write(batch: { rows: readonly RawRow[]; minutes: readonly MinuteRow[] }): void;
  /** raw readings of one device with from <= ts <= to, oldest first; with max, at most max of them (thin()) */
  raw(device: string, from: number, to: number, max?: number): TelemetryPoint[];
  /** one-minute aggregates of one device whose minute starts in [from, to], oldest first */
  minutes(device: string, from: number, to: number): MinuteRow[];
  /** the device's newest raw reading */
  last(device: string): TelemetryPoint | undefined;
  /** Keeps the raw rows of a window from retention; a second pin with the same id changes nothing. */
  pin(p: Pin): void;
  /** whether a pin of this id exists */
  pinned(id: string): boolean;
  /**
   * Deletes raw rows before `rawBefore` (outside pinned windows) and minutes before `minutesBefore`,
   * at most `stepMs` of event time past what was pruned before, so one call stays short; call again
   * until `done`. Returns how many rows went.
   */
  prune(rawBefore: number, minutesBefore: number, stepMs: number): PruneResult;
  /** event time from which every raw row is still there (rows before it are pruned, unless pinned) */
  rawFloor(): number;
  /** Deletes every raw row, minute and pin of one device (an erasure); returns how many rows went. */
  forget(device: string): { raw: number; minutes: number };
  close(): void;
}

/** How the recorder buffers, flushes, keeps and charts telemetry; all times are event time. */
export interface TelemetryPolicy {
  /** raw rows kept; default 48 h */
  rawMs: number;
  /** one-minute aggregates kept; default 90 days */
  minutesMs: number;
  /** a flush once this many readings wait; default 5,000 */
  batchRows: number;
  /** a flush once this much event time passed since the last one; default 10 s */
  flushEveryMs: number;
  /** readings held while the store refuses to write (a lock, not a broken file); beyond, the oldest go (EVN_ERR_TELEMETRY_DROPPED); default 50,000 */
  maxBufferedRows: number;
  /** retention runs this often; default every minute */
  pruneEveryMs: number;
  /** one retention step deletes at most this much event time of rows; default 15 min */
  pruneStepMs: number;
  /** a retention run takes further steps until it has deleted this many rows (or caught up); default 20,000 */
  pruneRows: number;
  /** charts of windows up to this long read raw rows, longer ones the minutes; default 4 h */
  rawWindowMs: number;
  /** most points a chart gets; default 1500 */
  maxPoints: number;
}

const HOUR = 3_600_000;
export const DEFAULT_TELEMETRY_POLICY: TelemetryPolicy = {
  rawMs: 48 * HOUR,
  minutesMs: 90 * 24 * HOUR,
  batchRows: 5000,
  flushEveryMs: 10_000,
  maxBufferedRows: 50_000,
  pruneEveryMs: 60_000,
  pruneStepMs: 15 * 60_000,
  pruneRows: 20_000,
  rawWindowMs: 4 * HOUR,
  maxPoints: 1500,
};

/** Merges a policy's given fields over the defaults and checks them (a RangeError names the bad one). */
export function telemetryPolicy(given: Partial<TelemetryPolicy> = {}): TelemetryPolicy {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const p = { ...DEFAULT_TELEMETRY_POLICY, ...defined } as TelemetryPolicy;
  for (const [k, v] of Object.entries(p)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 1) throw new RangeError(`telemetry ${k} must be a positive number, got ${String(v)}`);
  }
  if (p.maxBufferedRows < p.batchRows) throw new RangeError(`telemetry maxBufferedRows (${p.maxBufferedRows}) must be at least batchRows (${p.batchRows})`);
  return p;
}

export const TELEMETRY_ERR = codeTable({
  /** a batch could not be written for a reason that is not the database breaking: kept, retried */
  WRITE: 'EVN_ERR_TELEMETRY_WRITE',
  /** the buffer was full while the store refused writes: the oldest readings went */
  DROPPED: 'EVN_ERR_TELEMETRY_DROPPED',
});

/** [from, to) minus the pinned windows (sorted by from): the ranges retention may delete */
export function gaps(from: number, to: number, pins: readonly { from: number; to: number }[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let at = from;
  for (const p of pins) {
    if (p.to < at) continue;
    if (p.from >= to) break;
    if (p.from > at) out.push([at, p.from]);
    at = Math.max(at, p.to + 1);
  }
  if (at < to) out.push([at, to]);
  return out;
}

/** every k-th element so at most `max` remain, the last one always kept */
export function thin<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const stride = Math.ceil(items.length / max);
  const out = items.filter((_, i) => i % stride === 0);
  if (out[out.length - 1] !== items[items.length - 1]) {
    if (out.length >= max) out.pop();
    out.push(items[items.length - 1]!);
  }
  return out;
}

export const MINUTE = 60_000;
export const minuteOf = (ts: number): number => Math.floor(ts / MINUTE) * MINUTE;
