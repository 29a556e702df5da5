/**
 * The general detector at work on one device's readings: it learns, then fires reading-anomaly with
 * its evidence (score, window, baseline), clears when the reading is usual again, and stays quiet
 * on a healthy reading, on blips that fall straight back, and on a reading with two usual levels.
 */
import { describe, expect, it } from 'vitest';
import { prng } from '../../../devices/kinds/rng.js';
import type { Signal } from '../../../helpdesk/detect/detector.js';
import { createReadingWatch, READING_ANOMALY, READING_ANOMALY_KIND, type ReadingAnomalyConfig } from '../../../helpdesk/detect/reading-anomaly.js';
import { at } from './series.js';

const MIN = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;

/** Feeds `f(s)` as reading `name` every `everyS` seconds for `seconds`; returns the signals with their second. */
function run(seconds: number, f: (s: number) => number, options: { config?: ReadingAnomalyConfig; everyS?: number; name?: string } = {}): Array<{ s: number; signal: Signal }> {
  const w = createReadingWatch(options.config);
  const out: Array<{ s: number; signal: Signal }> = [];
  for (let s = 0; s <= seconds; s += options.everyS ?? 10) for (const signal of w.observe(at(s), [[options.name ?? 'extra.humidityPct', f(s)]])) out.push({ s, signal });
  return out;
}

const noise = (seed: number) => {
  const r = prng(seed);
  return () => r() - 0.5;
};

describe('the general detector on one reading', () => {
  it('opens one reading-anomaly on a flat reading that shifts, with its score, window and baseline, and clears when it returns', () => {
    const n = noise(1);
    const SHIFT = 30 * HOUR;
    const BACK = 33 * HOUR;
    const out = run(36 * HOUR, (s) => (s >= SHIFT && s < BACK ? 58 : 45) + n() * 0.4);
    expect(out.map((o) => o.signal.type)).toEqual(['fire', 'clear']);
    const [fire, clear] = out;
    // confirmed within confirmS, or outside for outsideAfterS: well within the hour
    expect(fire!.s).toBeGreaterThan(SHIFT);
    expect(fire!.s).toBeLessThanOrEqual(SHIFT + READING_ANOMALY.outsideAfterS + 2 * MIN);
    expect(fire!.signal).toMatchObject({ kind: READING_ANOMALY_KIND, severity: 'low' });
    const e = fire!.signal.evidence;
    expect(e).toMatchObject({
      reading: 'extra.humidityPct',
      thresholdScore: READING_ANOMALY.fireScore,
      value: expect.closeTo(58, 0),
      since: at(SHIFT),
      window: { bucketS: 60, from: expect.any(Number), to: fire!.signal.at - (fire!.signal.at % 60_000) },
      baseline: { mean: expect.closeTo(45, 0), min: expect.any(Number), max: expect.any(Number) },
    });
    expect(e.score).toBeGreaterThanOrEqual(0);
    expect(e.score).toBeLessThan(1);
    expect((e.window as { means: number[] }).means).toHaveLength(READING_ANOMALY.windowBuckets);
    expect((e.window as { means: number[] }).means.at(-1)).toBeCloseTo(58, 0);
    expect((e.baseline as { max: number }).max).toBeLessThan(46);
    expect(e.expected).toMatch(/^extra\.humidityPct within its usual values \(4\d\.\d+ to 4\d\.\d+\)$/);
    expect(e.observed).toMatch(/^extra\.humidityPct at 5\d\.\d+ \(60 s mean\), /);
    expect(clear!.s).toBeGreaterThanOrEqual(BACK + READING_ANOMALY.clearAfterS);
    expect(clear!.s).toBeLessThanOrEqual(BACK + READING_ANOMALY.clearAfterS + 2 * MIN);
    expect(clear!.signal.evidence.observed).toMatch(/within its usual values .* for 30 min$/);
  });

  it('only learns for learnS: a shift within the first day opens nothing', () => {
    const n = noise(2);
    expect(run(20 * HOUR, (s) => (s > 10 * HOUR ? 58 : 45) + n() * 0.4)).toEqual([]);
  });

  it('stays quiet on a healthy daily rhythm over a week, reading every 5 s', () => {
    const n = noise(3);
    const daily = (s: number) => 20 + 4 * Math.sin((2 * Math.PI * s) / DAY) + n() * 0.3;
    expect(run(7 * DAY, daily, { everyS: 5 })).toEqual([]);
  });

  it('stays quiet on a reading with two usual levels: a car battery parked at 12.4 V and charging at 14.1 V', () => {
    const n = noise(4);
    // an hour's drive every morning and a 45-minute one every evening
    const driving = (s: number) => ((s % DAY) >= 7.5 * HOUR && (s % DAY) < 8.5 * HOUR) || ((s % DAY) >= 17.5 * HOUR && (s % DAY) < 18.25 * HOUR);
    expect(run(5 * DAY, (s) => (driving(s) ? 14.1 : 12.4) + n() * 0.02, { name: 'voltageV' })).toEqual([]);
  });

  it('does not fire on a blip that falls straight back (a one-minute spike)', () => {
    const n = noise(5);
    const out = run(40 * HOUR, (s) => (s >= 30 * HOUR && s < 30 * HOUR + MIN ? 99 : 5) + n());
    expect(out).toEqual([]);
  });

  it('fires on a slow drift out of the usual values, which the score alone would learn along the way', () => {
    const n = noise(6);
    const START = 30 * HOUR;
    // +1.5 K an hour from a reading that usually stays within ±0.3 K
    const out = run(40 * HOUR, (s) => 4 + (s > START ? ((s - START) / HOUR) * 1.5 : 0) + n() * 0.6, { name: 'cabinetTempC' });
    expect(out.map((o) => o.signal.type)).toEqual(['fire']);
    expect(out[0]!.s).toBeLessThan(START + 2 * HOUR);
    expect(out[0]!.signal.evidence).toMatchObject({ reading: 'cabinetTempC' });
  });

  it('keeps one incident per device: a second reading firing meanwhile fires again, the clear waits for both', () => {
    const w = createReadingWatch();
    const n = noise(7);
    const signals: Array<{ s: number; signal: Signal }> = [];
    for (let s = 0; s <= 40 * HOUR; s += 10) {
      const a = (s >= 30 * HOUR && s < 33 * HOUR ? 80 : 40) + n() * 0.4;
      const b = (s >= 31 * HOUR && s < 35 * HOUR ? 9 : 3) + n() * 0.1;
      for (const signal of w.observe(at(s), [['extra.a', a], ['extra.b', b]])) signals.push({ s, signal });
    }
    expect(signals.map((x) => `${x.signal.type}:${String(x.signal.evidence.reading)}`)).toEqual(['fire:extra.a', 'fire:extra.b', 'clear:extra.b']);
    expect(signals[1]!.signal.evidence.observed).toMatch(/another reading is unusual too/);
    expect(signals[2]!.s).toBeGreaterThanOrEqual(35 * HOUR + READING_ANOMALY.clearAfterS);
    expect(w.watching).toBe(2);
  });

  it('is deterministic and skips readings that are not newer than the last', () => {
    const n1 = noise(8);
    const n2 = noise(8);
    const f1 = (s: number) => (s > 30 * HOUR ? 70 : 40) + n1();
    const f2 = (s: number) => (s > 30 * HOUR ? 70 : 40) + n2();
    expect(run(32 * HOUR, f1)).toEqual(run(32 * HOUR, f2));
    const w = createReadingWatch();
    w.observe(at(10), [['x', 1]]);
    expect(w.observe(at(10), [['x', 1e6]])).toEqual([]);
    expect(w.observe(at(5), [['x', 1e6]])).toEqual([]);
  });
});
