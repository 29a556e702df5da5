/**
 * The recorder over SQLite on a file, driven in event time as the helpdesk drives it: three simulated
 * days of a car reporting every 10 s. Raw rows older than 48 h go; the one-minute aggregates stay and
 * say what the raw readings said (min, max, mean; booleans as the fraction true; a word as the last).
 * And what was written survives closing the store and opening the file again.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../log/logger.js';
import { createRecorder } from '../../../helpdesk/telemetry/recorder.js';
import { openSqliteTelemetryStore } from '../../../helpdesk/telemetry/sqlite-store.js';
import type { Readings } from '../../../helpdesk/telemetry/store.js';
import { VirtualClock } from '../../../contracts/clock.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const T0 = Date.parse('2020-11-02T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DEVICE = 'maria/car';

/** a reading every 10 s whose values change within each minute, so min, max and mean differ */
function reading(i: number): Readings {
  return { voltageV: 12 + ((i * 7) % 13) / 10, currentA: -((i * 5) % 11), engineRunning: i % 3 === 0, phase: `p${i % 6}` };
}

/** feeds readings [from, to) at 10 s steps as the helpdesk would: each window of 10 s, then tick */
function feed(rec: ReturnType<typeof createRecorder>, clock: VirtualClock, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const ts = T0 + i * 10_000;
    rec.add(DEVICE, ts, reading(i), i % 2 ? { humidityPct: i % 50 } : undefined);
    clock.set(ts);
    rec.tick(clock.now());
  }
}

describe('telemetry kept in the helpdesk database', () => {
  const dir = tempDirPerTest('evernet-telemetry-');

  it('prunes raw readings after 48 h of event time and keeps minute aggregates that agree with them', () => {
    const clock = new VirtualClock(T0);
    const store = openSqliteTelemetryStore({ path: dir.join('helpdesk.db') });
    const rec = createRecorder({ store, log: silentLogger() });
    const days = 3 * 24 * 360; // readings in three days
    feed(rec, clock, 0, days);
    const now = clock.now();

    const cutoff = now - 48 * HOUR;
    const raw = store.raw(DEVICE, 0, Infinity);
    // retention runs once a minute of event time: nothing older than 48 h and a minute is left, nothing younger than 48 h went
    expect(raw[0]!.ts).toBeGreaterThanOrEqual(cutoff - MIN);
    expect(raw[0]!.ts).toBeLessThanOrEqual(cutoff);
    expect(raw.filter((p) => p.ts >= cutoff)).toHaveLength(48 * 360 + 1);
    expect(raw.at(-1)!.ts).toBe(T0 + (days - 1) * 10_000);
    expect(rec.stats().prunedRaw).toBe(days - raw.length);

    // the first day is gone as raw rows, its minutes remain: compare each with the readings it came from
    const minutes = store.minutes(DEVICE, T0, T0 + 24 * HOUR - 1);
    expect(minutes).toHaveLength(24 * 60);
    for (const m of minutes.filter((_, i) => i % 37 === 0)) {
      const sent = Array.from({ length: 6 }, (_, j) => (m.minute - T0) / 10_000 + j).map((i) => ({ i, r: reading(i) }));
      const volts = sent.map((s) => s.r.voltageV as number);
      expect(m.n).toBe(6);
      const v = m.readings.voltageV as { min: number; max: number; sum: number; n: number };
      expect([v.min, v.max, v.n]).toEqual([Math.min(...volts), Math.max(...volts), 6]);
      expect(v.sum / v.n).toBeCloseTo(volts.reduce((a, b) => a + b, 0) / 6, 9);
      expect(m.readings.engineRunning).toEqual({ trues: sent.filter((s) => s.r.engineRunning).length, n: 6 });
      expect(m.readings.phase).toEqual({ last: sent[5]!.r.phase });
      // the extra reading came with every other reading: its own count
      expect(m.extra!.humidityPct).toMatchObject({ n: 3 });
    }
    expect(store.raw(DEVICE, T0, T0 + 23 * HOUR)).toEqual([]);
    store.close();
  });

  it('keeps what was written across a restart of the store on the same file', () => {
    const file = dir.join('helpdesk.db');
    const clock = new VirtualClock(T0);
    const first = openSqliteTelemetryStore({ path: file });
    const rec = createRecorder({ store: first, log: silentLogger() });
    feed(rec, clock, 0, 95); // 15 min 50 s: the last minute is still open
    rec.keep('T-1', DEVICE, T0, T0 + 2 * HOUR);
    rec.flush(true); // what the helpdesk does on stop
    first.close();

    const again = openSqliteTelemetryStore({ path: file });
    const after = createRecorder({ store: again, log: silentLogger() });
    expect(again.raw(DEVICE, 0, Infinity)).toHaveLength(95);
    expect(again.raw(DEVICE, T0 + 10_000, T0 + 10_000)).toEqual([{ ts: T0 + 10_000, readings: reading(1), extra: { humidityPct: 1 } }]);
    expect(after.last(DEVICE)).toMatchObject({ ts: T0 + 94 * 10_000, readings: reading(94) });
    expect(again.minutes(DEVICE, 0, Infinity).map((m) => m.n)).toEqual([...Array(15).fill(6), 5]);
    expect(again.pinned('T-1')).toBe(true);
    // the open minute goes on after the restart: the two parts merge
    feed(after, clock, 95, 96);
    after.flush(true);
    expect(again.minutes(DEVICE, T0 + 15 * MIN, T0 + 15 * MIN)[0]!.n).toBe(6);
    again.close();
  });

  it('charts a short window as sent, a long one as aggregates, and fills pruned stretches from the minutes', () => {
    const clock = new VirtualClock(T0);
    const store = openSqliteTelemetryStore({ path: dir.join('helpdesk.db') });
    const rec = createRecorder({ store, log: silentLogger(), policy: { rawMs: 6 * HOUR, pruneStepMs: 24 * HOUR } });
    feed(rec, clock, 0, 12 * 360); // 12 h; raw kept 6 h
    rec.tick(clock.now() + MIN);

    const short = rec.chart(DEVICE, T0 + 10 * HOUR, T0 + 11 * HOUR);
    expect(short.resolutionMs).toBe(0);
    expect(short.points).toHaveLength(361);
    const thinned = rec.chart(DEVICE, T0 + 10 * HOUR, T0 + 11 * HOUR, 100);
    expect(thinned.points).toHaveLength(91);
    expect([thinned.points[0]!.ts, thinned.points.at(-1)!.ts]).toEqual([T0 + 10 * HOUR, T0 + 11 * HOUR]);
    const long = rec.chart(DEVICE, T0, T0 + 12 * HOUR, 100);
    expect(long.resolutionMs).toBe(8 * MIN);
    expect(long.points.length).toBeLessThanOrEqual(100);
    expect(long.points[0]).toMatchObject({ ts: T0, count: 48, spanMs: 8 * MIN });
    // 1 h to 2 h was pruned: one point a minute, from the aggregates
    const old = rec.chart(DEVICE, T0 + HOUR, T0 + 2 * HOUR);
    expect(old.resolutionMs).toBe(MIN);
    expect(old.points).toHaveLength(61);
    expect(old.points[0]).toMatchObject({ ts: T0 + HOUR, count: 6 });
    store.close();
  });
});

describe('retention after a long jump of event time', () => {
  it.each(['sqlite', 'memory'] as const)('crosses years without readings in a few steps (%s), and still deletes what is due', async (kind) => {
    const { createMemoryTelemetryStore } = await import('../../../helpdesk/telemetry/memory-store.js');
    const inner = kind === 'sqlite' ? openSqliteTelemetryStore({ path: ':memory:' }) : createMemoryTelemetryStore();
    let steps = 0;
    const store = { ...inner, prune: (...a: Parameters<typeof inner.prune>) => (steps++, inner.prune(...a)) };
    const clock = new VirtualClock(T0);
    const rec = createRecorder({ store, log: silentLogger() });
    feed(rec, clock, 0, 360); // an hour of readings
    const later = Date.UTC(2100, 0, 1);
    rec.add(DEVICE, later, reading(1));
    clock.set(later);
    steps = 0;
    rec.tick(later);
    rec.flush?.();
    // 80 years are 2.8 million quarter-hour steps: a jump over empty time must not walk them
    expect(steps).toBeLessThan(20);
    expect(store.raw(DEVICE, 0, Infinity).map((p) => p.ts)).toEqual([later]);
    expect(store.minutes(DEVICE, 0, later - 1)).toEqual([]);
  });
});
