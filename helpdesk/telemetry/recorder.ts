/**
 * What the helpdesk core does with telemetry it has processed: buffer it, fold it into one-minute
 * aggregates, and hand the store one batch per flush (`batchRows` readings, or `flushEveryMs` of
 * event time, whichever comes first; before any chart is read; and a final one on stop, which also
 * writes the minutes still open). Retention runs from the event time the helpdesk gives tick(), never
 * from the wall clock.
 *
 * Errors: a database that breaks (isFatalStorageError: full, corrupt, gone) is thrown to the caller,
 * which stops the helpdesk as it does for the ticket store; the buffered readings are not dropped
 * silently, they go down with the process that could not store them. Any other refusal (a lock held
 * too long) is logged (EVN_ERR_TELEMETRY_WRITE) and the batch is kept for the next flush; past
 * `maxBufferedRows` the oldest readings go (EVN_ERR_TELEMETRY_DROPPED, counted), so memory stays bounded.
 */
import type { Logger } from 'pino';
import { isFatalStorageError } from '../../storage/sqlite.js';
import { chartOf, type ChartSeries } from './chart.js';
import { fold } from './minutes.js';
import { MINUTE, minuteOf, TELEMETRY_ERR, telemetryPolicy, type MinuteRow, type RawRow, type Readings, type TelemetryPoint, type TelemetryPolicy, type TelemetryStore } from './store.js';

export interface RecorderDeps {
  store: TelemetryStore;
  log: Logger;
  policy?: Partial<TelemetryPolicy>;
  /** runs the due flush of tick() later (deferred.ts: a replay's writes after its decisions); default at once */
  defer?: (flush: () => void) => void;
}

/**
 * the recorder's state in a checkpoint (helpdesk/checkpoint.ts): what is buffered is carried, not
 * flushed, so taking a checkpoint changes neither the batches written nor when
 */
export interface RecorderSnapshot {
  rows: RawRow[];
  closed: MinuteRow[];
  open: Map<string, MinuteRow>;
  newest: Map<string, TelemetryPoint | null>;
  lastFlushAt: number;
  flushAtRows: number;
  lastPruneAt: number;
  counts: { written: number; dropped: number; flushes: number; failedFlushes: number; prunedRaw: number; prunedMinutes: number };
}

/** 1, 10, 100, ...: counts worth a log line */
const worthLogging = (n: number): boolean => /^10*$/.test(String(n));

export function createRecorder(deps: RecorderDeps) {
  const { store, log } = deps;
  const policy = telemetryPolicy(deps.policy);
  let rows: RawRow[] = [];
  let closed: MinuteRow[] = [];
  /** device -> the minute it is in */
  const open = new Map<string, MinuteRow>();
  /** device -> newest reading (null: the store has none either) */
  const newest = new Map<string, TelemetryPoint | null>();
  let lastFlushAt = -Infinity;
  /** add() flushes once this many readings wait: batchRows, or a batch more than a failed attempt held (no retry per reading) */
  let flushAtRows = policy.batchRows;
  let lastPruneAt = -Infinity;
  const counts = { written: 0, dropped: 0, flushes: 0, failedFlushes: 0, prunedRaw: 0, prunedMinutes: 0 };

  function foldInto(device: string, ts: number, readings: Readings, extra: Record<string, number> | undefined): void {
    const minute = minuteOf(ts);
    let m = open.get(device);
    if (m && minute < m.minute) {
      // a late reading of a minute already closed: its own aggregate, merged with the stored one on write
      m = { device, minute, n: 0, readings: {} };
      closed.push(m);
    } else if (!m || minute > m.minute) {
      if (m) closed.push(m);
      m = { device, minute, n: 0, readings: {} };
      open.set(device, m);
    }
    m.n++;
    for (const k in readings) fold(m.readings, k, readings[k]!);
    if (extra) {
      m.extra ??= {};
      for (const k in extra) fold(m.extra, k, extra[k]!);
    }
  }

  /** the buffer past its bound (the store refusing writes for a while): the oldest readings go */
  function bound(): void {
    const over = rows.length - policy.maxBufferedRows;
    if (over > 0) {
      rows.splice(0, over);
      counts.dropped += over;
      if (worthLogging(counts.dropped)) log.error({ code: TELEMETRY_ERR.DROPPED, dropped: counts.dropped }, 'telemetry buffer full while the database refuses writes: the oldest readings were dropped');
    }
    if (closed.length > policy.maxBufferedRows) closed.splice(0, closed.length - policy.maxBufferedRows);
  }

  /** Writes what is buffered (final: the open minutes too). Throws only when the database is broken. */
  function flush(final = false): void {
    if (final) {
      closed.push(...open.values());
      open.clear();
    }
    if (!rows.length && !closed.length) return;
    try {
      store.write({ rows, minutes: closed });
    } catch (e) {
      if (isFatalStorageError(e)) throw e;
      counts.failedFlushes++;
      log.error({ code: TELEMETRY_ERR.WRITE, rows: rows.length, err: (e as Error).message }, 'telemetry not written: kept for the next flush');
      flushAtRows = rows.length + policy.batchRows;
      bound();
      return;
    }
    flushAtRows = policy.batchRows;
    counts.written += rows.length;
    counts.flushes++;
    rows = [];
    closed = [];
  }

  function prune(now: number): void {
    try {
      // steps of pruneStepMs until caught up or pruneRows deleted: a long gap in event time catches up over several runs
      let deleted = 0;
      for (;;) {
        const r = store.prune(now - policy.rawMs, now - policy.minutesMs, policy.pruneStepMs);
        counts.prunedRaw += r.raw;
        counts.prunedMinutes += r.minutes;
        deleted += r.raw + r.minutes;
        if (r.done || deleted >= policy.pruneRows) break;
      }
    } catch (e) {
      if (isFatalStorageError(e)) throw e;
      log.error({ code: TELEMETRY_ERR.WRITE, err: (e as Error).message }, 'telemetry retention failed: tried again later');
    }
  }

  return {
    policy,
    /** one processed reading (event-time order per device, as the helpdesk processes them) */
    add(device: string, ts: number, readings: Readings, extra?: Record<string, number>): void {
      rows.push(extra ? { device, ts, readings, extra } : { device, ts, readings });
      const before = newest.get(device);
      if (!before || ts >= before.ts) newest.set(device, extra ? { ts, readings, extra } : { ts, readings });
      foldInto(device, ts, readings, extra);
      if (rows.length >= flushAtRows) flush();
      if (rows.length > policy.maxBufferedRows) bound();
    },
    /** The helpdesk's event time moved to `now`: flush if due (minutes that ended are closed first), run retention if due. */
    tick(now: number): void {
      if (rows.length >= flushAtRows || now - lastFlushAt >= policy.flushEveryMs) {
        for (const [device, m] of open) {
          if (m.minute + MINUTE > now) continue;
          closed.push(m);
          open.delete(device);
        }
        if (deps.defer) deps.defer(() => flush());
        else flush();
        lastFlushAt = now;
      }
      if (now - lastPruneAt >= policy.pruneEveryMs) {
        prune(now);
        lastPruneAt = now;
      }
    },
    flush,
    /** the device's newest reading, from memory or (after a restart) from the store */
    last(device: string): TelemetryPoint | undefined {
      let p = newest.get(device);
      if (p === undefined) {
        p = store.last(device) ?? null;
        newest.set(device, p);
      }
      return p ?? undefined;
    },
    /** readings of one device with from <= ts <= to as they were sent (what retention kept), oldest first */
    range(device: string, from: number, to: number): TelemetryPoint[] {
      flush();
      return store.raw(device, from, to);
    },
    /** a chart of one device's window, at most maxPoints points (see chart.ts) */
    chart(device: string, from: number, to: number, maxPoints = policy.maxPoints): ChartSeries {
      flush();
      return chartOf(store, device, from, to, { rawWindowMs: policy.rawWindowMs, maxPoints, open: open.get(device) });
    },
    /** keeps the raw readings of [from, to] of a device for good: a ticket's evidence window */
    keep(id: string, device: string, from: number, to: number): void {
      if (!store.pinned(id)) store.pin({ id, device, from, to });
    },
    /** one-minute aggregates of one device whose minute starts in [from, to] (stored ones; the open minute once written), oldest first */
    minutes(device: string, from: number, to: number): MinuteRow[] {
      flush();
      return store.minutes(device, from, to);
    },
    /** Forgets everything of one device: buffered readings, its open minute, stored rows, minutes and pins (an erasure). */
    forget(device: string): { raw: number; minutes: number } {
      const buffered = rows.length;
      rows = rows.filter((r) => r.device !== device);
      closed = closed.filter((m) => m.device !== device);
      open.delete(device);
      newest.delete(device);
      const stored = store.forget(device);
      return { raw: stored.raw + buffered - rows.length, minutes: stored.minutes };
    },
    /** buffered readings and what happened to the others */
    stats: () => ({ buffered: rows.length, openMinutes: open.size, ...counts }),
    snapshot: (): RecorderSnapshot => ({ rows: [...rows], closed: [...closed], open: new Map(open), newest: new Map(newest), lastFlushAt, flushAtRows, lastPruneAt, counts: { ...counts } }),
    /** takes a snapshot's state over (before any reading is added) */
    restore(s: RecorderSnapshot): void {
      rows = [...s.rows];
      closed = [...s.closed];
      for (const [k, v] of s.open) open.set(k, v);
      for (const [k, v] of s.newest) newest.set(k, v);
      ({ lastFlushAt, flushAtRows, lastPruneAt } = s);
      Object.assign(counts, s.counts);
    },
  };
}
export type Recorder = ReturnType<typeof createRecorder>;
