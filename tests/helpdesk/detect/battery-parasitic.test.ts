import { describe, expect, it } from 'vitest';
import { BATTERY_PARASITIC, batteryParasitic } from '../../../helpdesk/detect/battery-parasitic.js';
import { car, feed, only, times, trace } from './series.js';

const F = BATTERY_PARASITIC.fireAfterS;
const C = BATTERY_PARASITIC.clearAfterS;
const parkedHealthy = car({ engineRunning: false, currentA: -0.03, speedKmh: 0, voltageV: 12.4 });
const parkedDrained = car({ engineRunning: false, currentA: -1.53, speedKmh: 0, voltageV: 12.3 });
const driving = car({ engineRunning: true, currentA: -20, speedKmh: 40, voltageV: 12.0 });

describe('battery-parasitic detector', () => {
  it(`fires after ${F / 60} min of a parked draw above ${-BATTERY_PARASITIC.fireBelowA} A, with evidence`, () => {
    expect(feed(batteryParasitic, times(F, parkedDrained)).emitted).toEqual([]);
    const s = only(feed(batteryParasitic, times(F + 1, parkedDrained)).emitted);
    expect(s).toMatchObject({ type: 'fire', kind: 'battery-parasitic', severity: 'medium' });
    if (s.type !== 'fire') throw new Error('expected fire');
    expect(s.evidence).toMatchObject({ meanCurrentA: -1.53, thresholdA: BATTERY_PARASITIC.fireBelowA, expected: expect.any(String), observed: expect.any(String) });
  });

  it('ignores the normal parked draw and any discharge while driving (another detector watches that)', () => {
    expect(feed(batteryParasitic, times(6 * 3600, parkedHealthy)).emitted).toEqual([]);
    expect(feed(batteryParasitic, times(6 * 3600, driving)).emitted).toEqual([]);
  });

  it('clears once the parked draw is back to normal, and does not flap in between', () => {
    const series = [...times(F + 1, parkedDrained), ...times(600, car({ engineRunning: false, currentA: -0.2, speedKmh: 0 })), ...times(C + 1, parkedHealthy)];
    expect(trace(feed(batteryParasitic, series).emitted)).toEqual([`fire@${F}`, `clear@${F + 1 + 600 + C}`]);
  });
});
