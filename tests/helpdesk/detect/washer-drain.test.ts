import { describe, expect, it } from 'vitest';
import { WASHER_DRAIN, washerDrain } from '../../../helpdesk/detect/washer-drain.js';
import { sustainedEpisodes } from './episodes.js';
import { T0, alternating, feed, only, times, trace, washer } from './series.js';

const F = WASHER_DRAIN.fireAfterS;
const C = WASHER_DRAIN.clearAfterS;
const L = WASHER_DRAIN.aboveL;
const draining = (waterLevelL: number) => washer({ phase: 'drain', powerW: 40, waterLevelL, drumRpm: 0 });
const blocked = draining(11);
const empty = washer({ phase: 'spin', powerW: 500, waterLevelL: 0, drumRpm: 1200 });

describe('washer-drain detector', () => {
  it('gives a healthy pump a couple of minutes before firing', () => {
    expect(L).toBeGreaterThan(1);
    expect(L).toBeLessThan(11);
    expect(F).toBeGreaterThan(90);
    expect(C).toBeGreaterThanOrEqual(10);
  });

  sustainedEpisodes(washerDrain, WASHER_DRAIN, {
    kind: 'washer-drain', deviceKind: 'washer', severity: 'medium',
    fault: blocked, breaksFault: draining(L - 1), faultLastsS: 3600,
    healthy: empty, breaksHealth: draining(L + 2),
    wobble: { what: `a level oscillating around ${L} L`, readings: alternating(Math.max(1, Math.floor(Math.min(F, C) / 3)), draining(L - 0.1), draining(L + 0.1)), lastsS: 1800 },
  });

  it('fires when the machine stops (paused) after draining with water still in the drum', () => {
    const series = [...times(60, blocked), ...times(F + 1 - 60, washer({ phase: 'paused', powerW: 2, waterLevelL: 11, drumRpm: 0 }))];
    expect(trace(feed(washerDrain, series).emitted)).toEqual([`fire@${F}`]);
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
