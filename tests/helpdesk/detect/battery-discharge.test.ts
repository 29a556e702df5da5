import { describe, expect, it } from 'vitest';
import { BATTERY_DISCHARGE, batteryDischarge } from '../../../helpdesk/detect/battery-discharge.js';
import { sustainedEpisodes } from './episodes.js';
import { T0, alternating, car, feed, only, times, trace } from './series.js';

const p = BATTERY_DISCHARGE;
const F = p.fireAfterS;
const C = p.clearAfterS;
const BAND = (p.fireBelowA + p.clearAboveA) / 2;
const WOBBLE = (p.clearAboveA - p.fireBelowA) / 4;

const driving = (currentA: number, over: Parameters<typeof car>[0] = {}) => car({ engineRunning: true, currentA, ...over });
const parked = (currentA: number) => car({ engineRunning: false, speedKmh: 0, currentA, voltageV: 12.4 });
const discharging = driving(p.fireBelowA - 2, { voltageV: 12.3, loadA: 42 });
const charging = driving(6, { voltageV: 14.2 });

describe('battery-discharge detector', () => {
  it('fires below a lower current than it clears at (a hysteresis band), after sustained times', () => {
    expect(p.fireBelowA).toBeLessThan(p.clearAboveA);
    expect(p.clearAboveA).toBeLessThanOrEqual(0);
    expect(F).toBeGreaterThanOrEqual(10);
    expect(C).toBeGreaterThanOrEqual(10);
  });

  // once fired, the same oscillation around the fire threshold is inside the hysteresis band: it neither clears nor fires again
  sustainedEpisodes(batteryDischarge, p, {
    kind: 'battery-discharge', deviceKind: 'car-battery',
    fault: discharging, breaksFault: charging, faultLastsS: 3600,
    healthy: charging, breaksHealth: discharging,
    wobble: { what: 'a current oscillating around the fire threshold', readings: alternating(1, driving(p.fireBelowA - WOBBLE), driving(p.fireBelowA + WOBBLE)), lastsS: 3600 },
  });

  it('counts from the first discharging reading, after a healthy start of the drive', () => {
    const { emitted } = feed(batteryDischarge, [...times(300, charging), ...times(F + 1, discharging)]);
    expect(trace(emitted)).toEqual([`fire@${300 + F}`]);
  });

  it('does not fire on a battery charging while driving', () => {
    expect(feed(batteryDischarge, times(3600, (i) => driving(2 + (i % 10), { speedKmh: (i % 120) + 1 }))).emitted).toEqual([]);
  });

  it('does not fire on a battery discharging while parked: engine off is normal', () => {
    expect(feed(batteryDischarge, times(3600, parked(-8))).emitted).toEqual([]);
  });

  it('does not fire on a commute of parking, driving with charging, and parking again', () => {
    const commute = [...times(600, parked(-1.5)), ...times(1800, charging), ...times(600, parked(-20))];
    expect(feed(batteryDischarge, commute).emitted).toEqual([]);
  });

  it('does not fire on a small discharge with the engine running (inside the band)', () => {
    expect(feed(batteryDischarge, times(3600, driving(BAND))).emitted).toEqual([]);
  });

  it(`does not fire at exactly the threshold of ${p.fireBelowA} A`, () => {
    expect(feed(batteryDischarge, times(10 * F, driving(p.fireBelowA))).emitted).toEqual([]);
  });

  it('restarts the count when the engine is off for one reading', () => {
    const series = [...times(F - 1, discharging), parked(p.fireBelowA - 2), ...times(F, discharging)];
    expect(feed(batteryDischarge, series).emitted).toEqual([]);
  });

  it(`clears at exactly the clear threshold of ${p.clearAboveA} A`, () => {
    const series = [...times(F + 1, discharging), ...times(C + 1, driving(p.clearAboveA))];
    expect(trace(feed(batteryDischarge, series).emitted)).toEqual([`fire@${F}`, `clear@${F + 1 + C}`]);
  });

  it('does not clear while parked, however long', () => {
    expect(trace(feed(batteryDischarge, [...times(F + 1, discharging), ...times(3600, parked(0))]).emitted)).toEqual([`fire@${F}`]);
  });

  it(`does not clear on a current inside the hysteresis band (${p.fireBelowA} A to ${p.clearAboveA} A)`, () => {
    expect(trace(feed(batteryDischarge, [...times(F + 1, discharging), ...times(3600, driving(BAND))]).emitted)).toEqual([`fire@${F}`]);
  });

  it('does not flap on a current oscillating around the clear threshold', () => {
    const wobble = alternating(1, driving(p.clearAboveA - WOBBLE), driving(p.clearAboveA + WOBBLE));
    expect(trace(feed(batteryDischarge, [...times(F + 1, discharging), ...times(3600, wobble)]).emitted)).toEqual([`fire@${F}`]);
  });

  it('gives evidence in words and numbers when it fires', () => {
    const n = F + 1;
    const series = times(n, (i) => driving(i % 2 === 0 ? -4 : -6, { voltageV: 12.3456, loadA: 42.04 }));
    const s = only(feed(batteryDischarge, series).emitted);
    if (s.type !== 'fire') throw new Error('expected fire');
    const mean = (Math.ceil(n / 2) * -4 + Math.floor(n / 2) * -6) / n;
    expect(s.severity).toBe('high');
    expect(s.evidence.expected).toBe('battery charging (current >= 0 A, 13.5-14.4 V) while the engine runs');
    expect(s.evidence.observed).toBe(`discharging at ${(-mean).toFixed(1).replace(/\.0$/, '')} A for ${F} s with the engine running, 12.35 V`);
    expect(s.evidence).toMatchObject({ since: T0, voltageV: 12.346, loadA: 42, thresholdA: p.fireBelowA, windowS: F });
    expect(s.evidence.meanCurrentA).toBeCloseTo(mean, 2);
  });

  it('rates a discharge critical once the voltage is below 11.8 V', () => {
    const s = only(feed(batteryDischarge, times(F + 1, driving(-5, { voltageV: 11.7 }))).emitted);
    expect(s).toMatchObject({ type: 'fire', severity: 'critical' });
    const s2 = only(feed(batteryDischarge, times(F + 1, driving(-5, { voltageV: 11.8 }))).emitted);
    expect(s2).toMatchObject({ type: 'fire', severity: 'high' });
  });

  it('gives evidence in words and numbers when it clears', () => {
    const { emitted } = feed(batteryDischarge, [...times(F + 1, discharging), ...times(C + 1, driving(2.5, { voltageV: 14.0 }))]);
    const s = emitted[1]!.signal;
    expect(s.type).toBe('clear');
    expect(s.evidence).toEqual({
      expected: `battery current >= ${p.clearAboveA} A with the engine running for ${C} s`,
      observed: `mean 2.5 A at 14 V over ${C} s`,
      meanCurrentA: 2.5,
      voltageV: 14,
    });
  });
});
