import { describe, expect, it } from 'vitest';
import { GeneralAnomalyDetector } from '../../../../helpdesk/detect/general/general.js';
import { RollingLikelihood } from '../../../../helpdesk/detect/general/likelihood.js';
import { ContextNovelty, DWELL, SEQUENCE, VALUE } from '../../../../helpdesk/detect/general/novelty.js';
import { prng } from '../../../../devices/kinds/rng.js';

const N = 2000;
const AT = 1500;
const sine = (i: number) => 20 + 5 * Math.sin((2 * Math.PI * i) / 48);

function series(f: (i: number, r: () => number) => number, seed = 7): number[] {
  const r = prng(seed);
  return Array.from({ length: N }, (_, i) => f(i, r));
}

function scores(xs: number[]): number[] {
  const d = new GeneralAnomalyDetector();
  return xs.map((x) => d.update(x));
}

const max = (xs: number[]) => Math.max(...xs);

/** the NAB threshold the detector's defaults were swept to; an alert is a score at or above it */
const ALERT = 0.53;

describe('general-purpose anomaly detector', () => {
  it('gives a score in [0, 1] for every reading of very different series', () => {
    const kinds = [
      series(() => 3),
      series((_, r) => r()),
      series((i, r) => 1e9 * sine(i) + r()),
      series((i, r) => -1e-6 * (i % 17) * r()),
      series((i) => (i % 300 < 150 ? 0 : 100)),
      series((i, r) => (r() < 0.01 ? 1e6 : r())),
    ];
    for (const xs of kinds) {
      for (const s of scores(xs)) {
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is deterministic: the same readings give the same scores', () => {
    const xs = series((i, r) => sine(i) + r() + (i === AT ? 15 : 0));
    expect(scores(xs)).toEqual(scores([...xs]));
  });

  it('stays low on a clean sine once it has learned it', () => {
    expect(max(scores(series(sine)))).toBe(0);
  });

  it('stays below the alert level on a noisy sine', () => {
    expect(max(scores(series((i, r) => sine(i) + r() - 0.5)))).toBeLessThan(ALERT);
  });

  it('fires at a spike, and only there', () => {
    const s = scores(series((i, r) => sine(i) + r() - 0.5 + (i === AT ? 15 : 0)));
    expect(s[AT]).toBeGreaterThan(0.7);
    expect(max(s.slice(0, AT))).toBeLessThan(ALERT);
    expect(max(s.slice(AT + 1))).toBeLessThan(ALERT);
  });

  it('fires at a level shift within the range seen so far', () => {
    const s = scores(series((i, r) => sine(i) + r() - 0.5 + (i >= AT ? 4 : 0)));
    expect(max(s.slice(AT, AT + 48))).toBeGreaterThanOrEqual(ALERT);
    expect(max(s.slice(0, AT))).toBeLessThan(ALERT);
  });

  it('fires when a square wave stops switching (a level held too long)', () => {
    const s = scores(series((i, r) => (i < AT && i % 96 < 48 ? 80 : 20) + r()));
    const first = s.findIndex((v, i) => i >= AT && v >= ALERT);
    expect(first).toBeGreaterThan(AT);
    expect(first).toBeLessThan(AT + 96);
    expect(max(s.slice(0, AT))).toBeLessThan(ALERT);
  });

  it('stays quiet for a while after an alert, so one incident gives one alert', () => {
    const s = scores(series((i, r) => sine(i) + r() - 0.5 + (i === AT || i === AT + 20 ? 15 : 0)));
    expect(s[AT]).toBeGreaterThan(ALERT);
    expect(s[AT + 20]).toBe(0);
  });

  it('gives nothing while it learns and skips non-finite readings', () => {
    const d = new GeneralAnomalyDetector({ learn: 10, rangeAfter: 5 });
    for (let i = 0; i < 10; i++) expect(d.update(i % 2)).toBe(0);
    expect(d.update(Number.NaN)).toBe(0);
    expect(d.update(Number.POSITIVE_INFINITY)).toBe(0);
    expect(d.update(50)).toBeGreaterThan(ALERT);
  });
});

describe('context novelty', () => {
  it('finds a repeating pattern new only the first time round', () => {
    const n = new ContextNovelty({ order: 3 });
    const pattern = [0, 1, 2, 3, 2, 1];
    const first: number[] = [];
    const later: number[] = [];
    for (let i = 0; i < 60; i++) (i < 6 ? first : later).push(n.update(pattern[i % 6]!, 0, 3));
    expect(max(first)).toBeGreaterThan(0);
    expect(max(later.slice(12))).toBe(0);
  });

  it('tells a new value, a new transition and a new dwell apart', () => {
    const n = new ContextNovelty({ order: 2 });
    for (let i = 0; i < 200; i++) n.update(i % 4 < 2 ? 0 : 10, 0, 10); // 0,0,10,10,...
    n.update(10, 0, 10);
    n.update(10, 0, 10); // 10 four times running: a dwell never seen, a known value
    expect(n.families[VALUE]).toBe(0);
    expect(n.families[DWELL]).toBe(1);
    n.update(5, 0, 10); // a value never seen
    expect(n.families[VALUE]).toBeGreaterThan(0);
    expect(n.families[SEQUENCE]).toBeGreaterThan(0);
  });

  it('keeps memory bounded by forgetting the older generation', () => {
    const n = new ContextNovelty({ memory: 64 });
    const r = prng(1);
    for (let i = 0; i < 5000; i++) {
      n.update(r() * 1000, 0, 1000);
      expect(n.remembered).toBeLessThanOrEqual(128);
    }
    expect(n.remembered).toBeGreaterThan(64);
  });
});

describe('rolling likelihood', () => {
  it('scores a raw value against the history of the series that produced it', () => {
    const quiet = new RollingLikelihood({ short: 1 });
    const noisy = new RollingLikelihood({ short: 1 });
    const r = prng(3);
    for (let i = 0; i < 1000; i++) {
      quiet.update(r() < 0.01 ? 1 : 0);
      noisy.update(r() < 0.3 ? 1 : 0);
    }
    expect(quiet.update(1)).toBeGreaterThan(3 * noisy.update(1));
  });
});
