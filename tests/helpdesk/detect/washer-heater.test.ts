import { describe, expect, it } from 'vitest';
import { WASHER_HEATER, washerHeater } from '../../../helpdesk/detect/washer-heater.js';
import { sustainedEpisodes } from './episodes.js';
import { T0, alternating, feed, only, times, washer } from './series.js';

const F = WASHER_HEATER.fireAfterS;
const C = WASHER_HEATER.clearAfterS;
const W = WASHER_HEATER.belowW;
const heating = (powerW: number, waterTempC = 20) => washer({ phase: 'heat', powerW, waterTempC });
const cold = heating(150);
const healthy = heating(2100);

describe('washer-heater detector', () => {
  it('tells a ~2 kW heater from a dead one, after sustained times', () => {
    expect(W).toBeGreaterThan(150);
    expect(W).toBeLessThanOrEqual(2000);
    expect(F).toBeGreaterThanOrEqual(30);
    expect(C).toBeGreaterThanOrEqual(10);
  });

  sustainedEpisodes(washerHeater, WASHER_HEATER, {
    kind: 'washer-heater', deviceKind: 'washer', severity: 'medium',
    fault: cold, breaksFault: healthy, faultLastsS: 1800,
    healthy, breaksHealth: cold,
    wobble: { what: `a power oscillating around ${W} W`, readings: alternating(Math.max(1, Math.floor(Math.min(F, C) / 3)), heating(W - 50), heating(W + 50)), lastsS: 1800 },
  });

  it('does not fire on a heater drawing about 2 kW', () => {
    expect(feed(washerHeater, times(1800, (i) => heating(1950 + (i % 100), 15 + i / 60))).emitted).toEqual([]);
  });

  it('does not fire on low power outside the heating phase', () => {
    const cycle = [
      ...times(600, washer({ phase: 'idle', powerW: 1, waterLevelL: 0, drumRpm: 0 })),
      ...times(120, washer({ phase: 'fill', powerW: 10 })),
      ...times(1800, washer({ phase: 'wash', powerW: 200, drumRpm: 50 })),
      ...times(300, washer({ phase: 'drain', powerW: 40 })),
      ...times(300, washer({ phase: 'spin', powerW: 500, drumRpm: 1200, waterLevelL: 0 })),
      ...times(600, washer({ phase: 'paused', powerW: 2 })),
    ];
    expect(feed(washerHeater, cycle).emitted).toEqual([]);
  });

  it(`does not fire at exactly ${W} W`, () => {
    expect(feed(washerHeater, times(10 * F, heating(W))).emitted).toEqual([]);
  });

  it('restarts the count when the phase leaves heating for one reading', () => {
    const series = [...times(F - 1, cold), washer({ phase: 'wash', powerW: 150 }), ...times(F, cold)];
    expect(feed(washerHeater, series).emitted).toEqual([]);
  });

  it('gives evidence in words and numbers when it fires', () => {
    // water barely warms: 15 °C plus 5 mK a second
    const s = only(feed(washerHeater, times(F + 1, (i) => heating(150.4, 15 + i * 0.005))).emitted);
    const end = 15 + F * 0.005;
    expect(s.evidence).toMatchObject({
      expected: 'heater drawing about 2 kW and water warming during the heating phase',
      observed: `150 W for ${F} s, water 15 -> ${Number(end.toFixed(1))} °C`,
      since: T0,
      powerW: 150.4,
      thresholdW: W,
    });
    expect(s.evidence.waterRiseK).toBeCloseTo(F * 0.005, 2);
  });

  it('gives evidence in words when it clears', () => {
    const { emitted } = feed(washerHeater, [...times(F + 1, cold), ...times(C + 1, heating(2049.6))]);
    expect(emitted[1]!.signal.evidence).toEqual({ expected: 'heater drawing power', observed: '2050 W in the heating phase' });
  });
});
