/**
 * One suite both telemetry stores pass (SQLite through openSqlite, and memory): raw rows in event-time
 * order with their extra readings, a reading at the same time replacing the one before, minutes
 * merging when written twice, retention a step at a time around pinned windows.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryTelemetryStore } from '../../../helpdesk/telemetry/memory-store.js';
import { openSqliteTelemetryStore } from '../../../helpdesk/telemetry/sqlite-store.js';
import { gaps, type MinuteRow, type RawRow, type TelemetryStore } from '../../../helpdesk/telemetry/store.js';

const T0 = Date.parse('2020-11-02T00:00:00Z');
const MIN = 60_000;
const car = (ts: number, voltageV: number, extra?: Record<string, number>): RawRow => ({
  device: 'maria/car', ts, readings: { voltageV, currentA: -2.5, engineRunning: ts % 2000 === 0 }, ...(extra ? { extra } : {}),
});

const STORES: Array<[string, () => TelemetryStore]> = [
  ['sqlite', () => openSqliteTelemetryStore({ path: ':memory:' })],
  ['memory', () => createMemoryTelemetryStore()],
];

describe.each(STORES)('the %s telemetry store', (_name, open) => {
  it('gives back the readings of a window as sent, oldest first, extra readings included', () => {
    const s = open();
    s.write({ rows: [car(T0 + 2000, 12.2), car(T0, 12.0, { humidityPct: 41.5 }), car(T0 + 1000, 12.1)], minutes: [] });
    s.write({ rows: [{ device: 'maria/washer', ts: T0, readings: { phase: 'spin', powerW: 300 } }], minutes: [] });
    expect(s.raw('maria/car', T0, T0 + 1000)).toEqual([
      { ts: T0, readings: { voltageV: 12.0, currentA: -2.5, engineRunning: true }, extra: { humidityPct: 41.5 } },
      { ts: T0 + 1000, readings: { voltageV: 12.1, currentA: -2.5, engineRunning: false } },
    ]);
    expect(s.raw('maria/washer', 0, Infinity)).toEqual([{ ts: T0, readings: { phase: 'spin', powerW: 300 } }]);
    expect(s.raw('maria/fridge', 0, Infinity)).toEqual([]);
    expect(s.last('maria/car')?.ts).toBe(T0 + 2000);
    expect(s.last('maria/fridge')).toBeUndefined();
    s.close();
  });

  it('thins a window to at most max readings, every k-th and the last', () => {
    const s = open();
    s.write({ rows: Array.from({ length: 10 }, (_, i) => car(T0 + i * 1000, 12 + i)), minutes: [] });
    expect(s.raw('maria/car', T0, T0 + 9000, 4).map((p) => (p.ts - T0) / 1000)).toEqual([0, 3, 6, 9]);
    expect(s.raw('maria/car', T0, T0 + 9000, 3).map((p) => (p.ts - T0) / 1000)).toEqual([0, 4, 9]);
    expect(s.raw('maria/car', T0, T0 + 9000, 3)[2]!.readings.voltageV).toBe(21);
    s.close();
  });

  it('keeps one reading per device and time: a second one at the same time replaces it', () => {
    const s = open();
    s.write({ rows: [car(T0, 12.0), car(T0, 12.9)], minutes: [] });
    expect(s.raw('maria/car', T0, T0).map((p) => p.readings.voltageV)).toEqual([12.9]);
    s.close();
  });

  it('merges a minute written twice (a late reading, a restart mid-minute)', () => {
    const s = open();
    const a: MinuteRow = { device: 'maria/car', minute: T0, n: 2, readings: { voltageV: { min: 12, max: 12.4, sum: 24.4, n: 2 }, engineRunning: { trues: 1, n: 2 }, phase: { last: 'wash' } } };
    const b: MinuteRow = { device: 'maria/car', minute: T0, n: 1, readings: { voltageV: { min: 11.8, max: 11.8, sum: 11.8, n: 1 }, engineRunning: { trues: 1, n: 1 }, phase: { last: 'spin' } }, extra: { rpm: { min: 5, max: 5, sum: 5, n: 1 } } };
    s.write({ rows: [], minutes: [a] });
    s.write({ rows: [], minutes: [b] });
    expect(s.minutes('maria/car', T0, T0)).toEqual([
      {
        device: 'maria/car', minute: T0, n: 3,
        readings: { voltageV: { min: 11.8, max: 12.4, sum: 24.4 + 11.8, n: 3 }, engineRunning: { trues: 2, n: 3 }, phase: { last: 'spin' } },
        extra: { rpm: { min: 5, max: 5, sum: 5, n: 1 } },
      },
    ]);
    s.close();
  });

  it('prunes raw rows a step at a time, never inside a pinned window, and minutes on their own retention', () => {
    const s = open();
    const rows = Array.from({ length: 120 }, (_, i) => car(T0 + i * MIN, 12 + i / 1000));
    const minutes = rows.map((r): MinuteRow => ({ device: r.device, minute: r.ts, n: 1, readings: { voltageV: { min: 1, max: 1, sum: 1, n: 1 } } }));
    s.write({ rows, minutes });
    s.pin({ id: 'T-1', device: 'maria/car', from: T0 + 10 * MIN, to: T0 + 19 * MIN });
    s.pin({ id: 'T-1', device: 'maria/car', from: T0, to: T0 + 100 * MIN }); // the same ticket again: no change
    expect(s.pinned('T-1')).toBe(true);
    expect(s.rawFloor()).toBe(-Infinity);
    // a step of 30 minutes: the first 30 minutes go, but for the pinned ten
    expect(s.prune(T0 + 60 * MIN, T0, 30 * MIN)).toEqual({ raw: 20, minutes: 0, done: false });
    expect(s.rawFloor()).toBe(T0 + 30 * MIN);
    expect(s.prune(T0 + 60 * MIN, T0 + 5 * MIN, 30 * MIN)).toEqual({ raw: 30, minutes: 5, done: true });
    expect(s.rawFloor()).toBe(T0 + 60 * MIN);
    expect(s.prune(T0 + 60 * MIN, T0 + 5 * MIN, 30 * MIN)).toEqual({ raw: 0, minutes: 0, done: true });
    expect(s.raw('maria/car', T0, T0 + 200 * MIN).map((p) => (p.ts - T0) / MIN)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => 10 + i),
      ...Array.from({ length: 60 }, (_, i) => 60 + i),
    ]);
    expect(s.minutes('maria/car', T0, T0 + 200 * MIN)).toHaveLength(115);
    s.close();
  });
});

describe('retention around pins', () => {
  it('deletes [from, to) minus the pinned windows', () => {
    expect(gaps(0, 100, [])).toEqual([[0, 100]]);
    expect(gaps(0, 100, [{ from: 10, to: 19 }, { from: 15, to: 30 }, { from: 90, to: 200 }])).toEqual([[0, 10], [31, 90]]);
    expect(gaps(50, 100, [{ from: 0, to: 60 }])).toEqual([[61, 100]]);
    expect(gaps(0, 100, [{ from: 0, to: 100 }])).toEqual([]);
  });
});
