import { describe, expect, it } from 'vitest';
import {
  bestThreshold,
  evaluate,
  geometry,
  points,
  probationLength,
  scaledSigmoid,
  scoreAt,
  sweep,
  type Cost,
} from '../../../bench/nab/score.js';

const standard: Cost = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const lowFn: Cost = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };

// 100 rows: rows 0..14 are probationary; one window on rows 50..59 (width 10)
const ROWS = 100;
const WINDOW = { left: 50, right: 59 };

/** scores of one file: 1 at the given rows, 0 elsewhere */
function detections(rows: number[], n = ROWS): Float64Array {
  const s = new Float64Array(n);
  for (const r of rows) s[r] = 1;
  return s;
}

function rawAt(rows: number[], cost = standard): number {
  const g = geometry(ROWS, [WINDOW]);
  return scoreAt(points([g], [detections(rows)]), cost, 0.5).raw;
}

describe('NAB scoring rules', () => {
  it('uses the scaled sigmoid 2/(1+e^5x)-1, clamped to -1 past 3', () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(-1)).toBeCloseTo(0.986614, 6);
    expect(scaledSigmoid(3.0001)).toBe(-1);
  });

  it('makes the first 15% of rows probationary, at most 750', () => {
    expect(probationLength(100)).toBe(15);
    expect(probationLength(1127)).toBe(169);
    expect(probationLength(22695)).toBe(750);
  });

  it('scores a detection at the start of a window as a full true positive', () => {
    expect(rawAt([50])).toBeCloseTo(1, 9);
  });

  it('scores a detection at the end of a window far less (sigma(-0.1) / sigma(-1) = 0.2482)', () => {
    expect(rawAt([59])).toBeCloseTo(0.24824155, 7);
  });

  it('counts only the earliest detection of a window', () => {
    expect(rawAt([55, 50, 59])).toBeCloseTo(1, 9);
  });

  it('charges a missed window -fnWeight', () => {
    expect(rawAt([])).toBeCloseTo(-1, 9);
    expect(rawAt([], lowFn)).toBeCloseTo(-2, 9);
  });

  it('charges a false positive before any window -fpWeight', () => {
    expect(rawAt([20])).toBeCloseTo(-0.11 - 1, 9);
  });

  it('charges a false positive just after a window by the sigmoid of its distance', () => {
    // row 60 is 1 row after the window's right edge: 0.11 * sigma(1 / (10 - 1)) = -0.029793
    expect(rawAt([60])).toBeCloseTo(-0.029793183 - 1, 8);
    // far after it, the full -fpWeight
    expect(rawAt([99])).toBeCloseTo(-0.11 - 1, 6);
  });

  it('counts every false positive row', () => {
    expect(rawAt([20, 21, 22, 50])).toBeCloseTo(1 - 3 * 0.11, 9);
  });

  it('ignores probationary rows entirely, and windows lying wholly in them', () => {
    expect(rawAt([0, 5, 14])).toBeCloseTo(-1, 9);
    const early = geometry(ROWS, [{ left: 2, right: 8 }, WINDOW]);
    const p = points([early], [detections([50])]);
    expect(p.scorableWindows).toBe(1);
    expect(p.allWindows).toBe(2);
    expect(scoreAt(p, standard, 0.5).raw).toBeCloseTo(1, 9);
  });

  it('sweeps every distinct score from 1.1 down and picks the best threshold', () => {
    const s = new Float64Array(ROWS);
    s[50] = 0.9; // the true positive
    for (const r of [20, 21, 22, 23]) s[r] = 0.6; // false positives: only a lower threshold takes them
    const p = points([geometry(ROWS, [WINDOW])], [s]);
    expect(sweep(p, standard).map((r) => r.threshold)).toEqual([1.1, 0.9, 0.6, 0]);
    const best = bestThreshold(p, standard);
    expect(best.threshold).toBe(0.9);
    expect(best.raw).toBeCloseTo(1, 9);
  });

  it('breaks ties toward the higher threshold', () => {
    const s = new Float64Array(ROWS);
    s[50] = 0.9;
    s[51] = 0.7; // inside the same window: adds nothing, same raw score
    const p = points([geometry(ROWS, [WINDOW])], [s]);
    expect(bestThreshold(p, standard).threshold).toBe(0.9);
  });

  it('normalises by the null detector (constant 0.5) and the perfect one', () => {
    const g = [geometry(ROWS, [WINDOW]), geometry(ROWS, [{ left: 30, right: 39 }, { left: 70, right: 79 }])];
    const perfect = evaluate(g, [detections([50]), detections([30, 70])], { standard });
    expect(perfect.standard!.perfect).toBe(3);
    expect(perfect.standard!.null).toBeCloseTo(-3, 9);
    expect(perfect.standard!.normalized).toBeCloseTo(100, 9);
    const nothing = evaluate(g, [new Float64Array(ROWS), new Float64Array(ROWS)], { standard });
    expect(nothing.standard!.normalized).toBeCloseTo(0, 9);
    const constant = evaluate(g, [new Float64Array(ROWS).fill(0.5), new Float64Array(ROWS).fill(0.5)], { standard });
    expect(constant.standard!.normalized).toBeCloseTo(0, 9);
    // one of three windows found at its start, nothing else: (1 - 2 - (-3)) / (3 - (-3)) = 1/3
    const one = evaluate(g, [detections([50]), new Float64Array(ROWS)], { standard });
    expect(one.standard!.normalized).toBeCloseTo(100 / 3, 9);
  });

  it('rejects a score list whose length differs from the file', () => {
    expect(() => points([geometry(ROWS, [WINDOW])], [new Float64Array(ROWS - 1)])).toThrow(/99 scores for 100 rows/);
  });
});
