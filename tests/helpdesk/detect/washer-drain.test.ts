import { describe, expect, it } from 'vitest';
import { WASHER_DRAIN, washerDrain } from '../../../helpdesk/detect/washer-drain.js';
import { T0, at, feed, only, times, trace, washer } from './series.js';

const F = WASHER_DRAIN.fireAfterS;
const C = WASHER_DRAIN.clearAfterS;
const L = WASHER_DRAIN.aboveL;
const draining = (waterLevelL: number) => washer({ phase: 'drain', powerW: 40, waterLevelL, drumRpm: 0 });
const blocked = draining(11);
const empty = washer({ phase: 'spin', powerW: 500, waterLevelL: 0, drumRpm: 1200 });

describe('washer-drain detector', () => {
  it('gives a healthy pump a couple of minutes before firing', () => {
    expect(washerDrain.kind).toBe('washer-drain');
    expect(washerDrain.deviceKind).toBe('washer');
    expect(L).toBeGreaterThan(1);
    expect(L).toBeLessThan(11);
    expect(F).toBeGreaterThan(90);
    expect(C).toBeGreaterThanOrEqual(10);
  });

  it(`fires once water has stayed above ${L} L for ${F} s of draining, not before`, () => {
    expect(feed(washerDrain, times(F, blocked)).emitted).toEqual([]);
    const { emitted } = feed(washerDrain, times(F + 1, blocked));
    expect(trace(emitted)).toEqual([`fire@${F}`]);
    expect(only(emitted)).toMatchObject({ type: 'fire', kind: 'washer-drain', severity: 'medium', at: at(F) });
  });

  it('fires when the machine stops (paused) after draining with water still in the drum', () => {
    const series = [...times(60, blocked), ...times(F + 1 - 60, washer({ phase: 'paused', powerW: 2, waterLevelL: 11, drumRpm: 0 }))];
    expect(trace(feed(washerDrain, series).emitted)).toEqual([`fire@${F}`]);
  });

  it('fires only once while the drum stays full', () => {
    expect(trace(feed(washerDrain, times(3600, blocked)).emitted)).toEqual([`fire@${F}`]);
  });

  it('does not fire on a pump that empties the drum within a minute', () => {
    const cycle = [
      ...times(1800, washer({ phase: 'wash', powerW: 200, waterLevelL: 12 })),
      ...times(60, (i) => draining(Math.max(0, 12 - i * 0.25))),
      ...times(60, draining(0)),
      ...times(300, empty),
    ];
    expect(feed(washerDrain, cycle).emitted).toEqual([]);
  });

  it('does not fire on water in the drum while washing or rinsing', () => {
    const series = [...times(1800, washer({ phase: 'wash', powerW: 200, waterLevelL: 14 })), ...times(900, washer({ phase: 'rinse', powerW: 150, waterLevelL: 14 }))];
    expect(feed(washerDrain, series).emitted).toEqual([]);
  });

  it(`does not fire at exactly ${L} L`, () => {
    expect(feed(washerDrain, times(5 * F, draining(L))).emitted).toEqual([]);
  });

  it('restarts the count when one reading shows the drum emptied', () => {
    const k = Math.floor((F * 5) / 6);
    const series = [...times(k, blocked), draining(L - 1), ...times(F, blocked)];
    expect(feed(washerDrain, series).emitted).toEqual([]);
    expect(trace(feed(washerDrain, [...series, blocked]).emitted)).toEqual([`fire@${k + 1 + F}`]);
  });

  it(`clears after the drum has been at most ${L} L for ${C} s, not before`, () => {
    expect(trace(feed(washerDrain, [...times(F + 1, blocked), ...times(C, empty)]).emitted)).toEqual([`fire@${F}`]);
    const { emitted } = feed(washerDrain, [...times(F + 1, blocked), ...times(C + 1, empty)]);
    expect(trace(emitted)).toEqual([`fire@${F}`, `clear@${F + 1 + C}`]);
    expect(emitted[1]!.signal).toMatchObject({ type: 'clear', kind: 'washer-drain', at: at(F + 1 + C) });
  });

  it('restarts the clear count when one reading shows water again', () => {
    const k = Math.floor((C * 2) / 3);
    const series = [...times(F + 1, blocked), ...times(k, draining(1)), draining(L + 2), ...times(C, draining(1))];
    expect(trace(feed(washerDrain, series).emitted)).toEqual([`fire@${F}`]);
    expect(trace(feed(washerDrain, [...series, draining(1)]).emitted)).toEqual([`fire@${F}`, `clear@${F + 1 + k + 1 + C}`]);
  });

  it(`does not flap on a level oscillating around ${L} L`, () => {
    const half = Math.max(1, Math.floor(Math.min(F, C) / 3));
    const wobble = (i: number) => draining(i % (2 * half) < half ? L - 0.1 : L + 0.1);
    expect(feed(washerDrain, times(1800, wobble)).emitted).toEqual([]);
    expect(trace(feed(washerDrain, [...times(F + 1, blocked), ...times(1800, wobble)]).emitted)).toEqual([`fire@${F}`]);
  });

  it('can fire again after it cleared', () => {
    const series = [...times(F + 1, blocked), ...times(C + 1, empty), ...times(F + 1, blocked)];
    expect(trace(feed(washerDrain, series).emitted)).toEqual([`fire@${F}`, `clear@${F + 1 + C}`, `fire@${F + 1 + C + 1 + F}`]);
  });

  it('gives evidence in words and numbers when it fires', () => {
    // a trickle out of the drum: 11 L, losing 0.005 L a second
    const s = only(feed(washerDrain, times(F + 1, (i) => draining(11 - i * 0.005))).emitted);
    const end = 11 - F * 0.005;
    expect(s.evidence).toEqual({
      expected: `drum below ${L} L within ${F / 60} min of draining`,
      observed: `11 -> ${Number(end.toFixed(1))} L over ${F} s in phase drain`,
      since: T0,
      waterLevelL: end,
      thresholdL: L,
    });
  });

  it('gives evidence in words and numbers when it clears', () => {
    const { emitted } = feed(washerDrain, [...times(F + 1, blocked), ...times(C + 1, draining(0.44))]);
    expect(emitted[1]!.signal.evidence).toEqual({ expected: 'drum emptied', observed: '0.4 L' });
  });
});
