/** The two detectors that learn from the device's own history: fridge duty and battery cranking. */
import { describe, expect, it } from 'vitest';
import { BATTERY_WEAK, batteryWeak } from '../../../helpdesk/detect/battery-weak.js';
import { FRIDGE_DUTY, fridgeDuty } from '../../../helpdesk/detect/fridge-duty.js';
import { at, car, feed, fridge, times, trace } from './series.js';

/** a compressor cycling `on` s out of every `period` s */
const cycling = (on: number, period: number, ambientTempC = 21) => (i: number) => fridge({ compressorOn: i % period < on, ambientTempC });

describe('fridge-duty detector', () => {
  it('stays quiet on a steady 18 % duty for two days, at any ambient', () => {
    expect(feed(fridgeDuty, times(48 * 3600, cycling(81, 450))).emitted).toEqual([]);
    expect(feed(fridgeDuty, times(48 * 3600, cycling(160, 450, 32))).emitted).toEqual([]);
  });

  it('does not fire while it is still learning, however hard the compressor works', () => {
    const warmup = FRIDGE_DUTY.warmupS;
    expect(feed(fridgeDuty, times(warmup - 60, cycling(400, 450))).emitted).toEqual([]);
  });

  it('fires when the same fridge needs far more duty for the same temperature difference, with evidence', () => {
    const healthy = times(24 * 3600, cycling(81, 450));
    const worn = times(12 * 3600, cycling(160, 450));
    const { emitted } = feed(fridgeDuty, [...healthy, ...worn]);
    expect(trace(emitted).map((x) => x.split('@')[0])).toEqual(['fire']);
    const s = emitted[0]!.signal;
    expect(s.type === 'fire' && s.evidence).toMatchObject({ ratio: expect.any(Number), dutyPct: expect.any(Number), baselineDutyPct: expect.any(Number) });
  });

  it('keeps one state a fridge, changed in place, and decides from what it holds alone (equal states, equal results)', () => {
    const BY_EXCEPTION = { mode: 'exception', heartbeatS: 900, sampleEveryS: 60 } as const;
    for (const report of [undefined, BY_EXCEPTION]) {
      // a day of a healthy fridge, then a worn one until it fires: learning, judging, a condition in progress
      const healthy = times(24 * 3600, cycling(81, 450));
      const { state } = feed(fridgeDuty, healthy);
      let mine = state;
      let fresh = structuredClone(state);
      const worn = cycling(160, 450);
      const signals: string[] = [];
      for (let i = 0; i < 6 * 3600; i += 30) {
        const ts = at(24 * 3600 + i);
        const a = fridgeDuty.update(mine, ts, worn(i), report);
        // handed over: the state it returns is the one it was given (no new object a message)
        expect(a.state).toBe(mine);
        const b = fridgeDuty.update(fresh, ts, worn(i), report);
        expect(b).toEqual(a);
        if (a.signal) signals.push(a.signal.type);
        mine = a.state;
        fresh = structuredClone(b.state);
        if (report) {
          const held = fridgeDuty.hold!(mine, ts + 10_000, report);
          expect(held.state).toBe(mine);
          expect(fridgeDuty.hold!(fresh, ts + 10_000, report)).toEqual(held);
          if (held.signal) signals.push(held.signal.type);
          fresh = structuredClone(held.state);
        }
      }
      expect(signals).toEqual(['fire']);
    }
  });

  it('does not take a hot day for a fault: duty per kelvin stays the same', () => {
    const mild = times(24 * 3600, cycling(81, 450, 21));
    // 28 K instead of 17 K to work against: duty rises in proportion
    const hot = times(12 * 3600, cycling(Math.round((81 * 28) / 17), 450, 32));
    expect(feed(fridgeDuty, [...mild, ...hot]).emitted).toEqual([]);
  });
});

describe('battery-weak detector', () => {
  const rest = car({ engineRunning: false, currentA: -0.03, voltageV: 12.35, speedKmh: 0 });
  const crank = (v: number) => car({ engineRunning: false, currentA: -160, voltageV: v, speedKmh: 0 });
  const run = car({ engineRunning: true, currentA: 4, voltageV: 14.1, speedKmh: 5 });
  const start = (v: number) => [...times(30, rest), crank(v), crank(v + 0.01), ...times(30, run)];

  it('learns the usual cranking dip and fires on a much deeper one', () => {
    // a strong battery dips about 1.6 V; 2.15 V is well above its own usual, though still above 9.9 V
    const { emitted } = feed(batteryWeak, [...start(10.75), ...start(10.72), ...start(10.2)]);
    expect(emitted.map((e) => e.signal.type)).toEqual(['fire']);
    const s = emitted[0]!.signal;
    expect(s.type === 'fire' && s.evidence).toMatchObject({ minVoltageV: 10.2, usualDipV: expect.any(Number) });
  });

  it(`fires on a first crank dipping over ${BATTERY_WEAK.maxReferenceDipV} V at 10 °C and a good charge, and clears on a normal one`, () => {
    const { emitted } = feed(batteryWeak, [...start(9.5), ...start(10.3)]);
    expect(emitted.map((e) => e.signal.type)).toEqual(['fire', 'clear']);
  });

  it('stays quiet through many normal starts with small variation', () => {
    const days = Array.from({ length: 20 }, (_, i) => start(10.2 + (i % 3) * 0.05)).flat();
    expect(feed(batteryWeak, days).emitted).toEqual([]);
  });
});
