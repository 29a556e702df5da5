/**
 * What one reading usually does, learned from its bucket means: mean and deviation (exponentially
 * weighted), the range, and the values it usually takes as bins. A reading may have several usual
 * levels (a car battery parked at 12.4 V and charging at 14.1 V), so "usual" is a set of bins, not a
 * band around the mean.
 *
 * While learning, every mean is kept; when learning ends the bins are laid over the learned range
 * (`bins` across it, but no narrower than twice the typical step from one mean to the next: the
 * noise) and a bin seen at least `usualAfter` times is usual. After that a bin becomes
 * usual only once `adoptAfter` means fell in it: a slow drift passes through bins faster than that,
 * so the usual values do not creep along with it, while a level held for hours is adopted. A value
 * within one bin of a usual one counts as usual. Bounded: at most `maxBins` bins.
 */
import { round } from '../../contracts/round.js';

export interface UsualValuesOptions {
  /** the learned range is this many bins wide */
  bins: number;
  /** the narrowest bin, as a share of the mean's magnitude (a flat reading is not held to one value) */
  minBinShare: number;
  /** while learning, a bin is usual once this many means fell in it */
  usualAfter: number;
  /** after learning, a bin becomes usual once this many means fell in it */
  adoptAfter: number;
  /** most bins kept */
  maxBins: number;
  /** memory of the mean and deviation, in means (exponential weighting) */
  memory: number;
}

export interface UsualValues {
  n: number;
  mean: number;
  variance: number;
  lo: number;
  hi: number;
  /** the means seen while learning (bins are laid out when learning ends), then null */
  learning: number[] | null;
  width: number;
  /** bin -> means that fell in it */
  bins: Map<number, number>;
}

export const newUsualValues = (): UsualValues => ({ n: 0, mean: 0, variance: 0, lo: Infinity, hi: -Infinity, learning: [], width: 0, bins: new Map() });

/** The bin of x (learning must have ended). */
export const binOf = (u: UsualValues, x: number): number => Math.floor(x / u.width);

/** Counts x towards its bin, without learning it as usual (an unusual value, towards adopting its level). */
export function countValue(u: UsualValues, x: number, o: UsualValuesOptions): void {
  const k = binOf(u, x);
  const n = u.bins.get(k);
  if (n !== undefined) u.bins.set(k, n + 1);
  else if (u.bins.size < o.maxBins) u.bins.set(k, 1);
}

/** Learns a usual value. */
export function learnValue(u: UsualValues, x: number, o: UsualValuesOptions): void {
  u.n++;
  const a = Math.max(1 / u.n, 1 / o.memory);
  const d = x - u.mean;
  u.mean += a * d;
  u.variance = (1 - a) * (u.variance + a * d * d);
  if (x < u.lo) u.lo = x;
  if (x > u.hi) u.hi = x;
  if (u.learning) u.learning.push(x);
  else countValue(u, x, o);
}

/**
 * Learning is over: lays the bins over the learned range and keeps those seen often enough, counted
 * as adopted (from now on one threshold, adoptAfter, tells a usual bin).
 */
export function settle(u: UsualValues, o: UsualValuesOptions): void {
  const seen = u.learning ?? [];
  u.learning = null;
  // a bin narrower than the noise means nothing: at least twice the typical step from one mean to the next
  const steps = seen.slice(1).map((x, i) => Math.abs(x - seen[i]!)).sort((a, b) => a - b);
  const step = steps.length ? steps[steps.length >> 1]! : 0;
  u.width = Math.max((u.hi - u.lo) / o.bins, 2 * step, o.minBinShare * Math.abs(u.mean), 1e-9);
  for (const x of seen) countValue(u, x, o);
  for (const [k, n] of u.bins) {
    if (n < o.usualAfter) u.bins.delete(k);
    else u.bins.set(k, Math.max(n, o.adoptAfter));
  }
}

const usualBin = (u: UsualValues, k: number, o: UsualValuesOptions): boolean => (u.bins.get(k) ?? 0) >= o.adoptAfter;

/** True when x is within one bin of a usual value. */
export function isUsual(u: UsualValues, x: number, o: UsualValuesOptions): boolean {
  const k = binOf(u, x);
  return usualBin(u, k, o) || usualBin(u, k - 1, o) || usualBin(u, k + 1, o);
}

const fmt = (x: number): string => String(round(x, 3));

/** The usual values as ranges, e.g. '12.3 to 12.6, 13.9 to 14.2': the three widest, in order. */
export function usualText(u: UsualValues, o: UsualValuesOptions): string {
  const keys = [...u.bins.keys()].filter((k) => usualBin(u, k, o)).sort((x, y) => x - y);
  const runs: Array<[number, number]> = [];
  for (const k of keys) {
    const last = runs[runs.length - 1];
    if (last && k <= last[1] + 2) last[1] = k;
    else runs.push([k, k]);
  }
  const shown = [...runs].sort((x, y) => y[1] - y[0] - (x[1] - x[0]) || x[0] - y[0]).slice(0, 3).sort((x, y) => x[0] - y[0]);
  const text = shown.map(([lo, hi]) => `${fmt(lo * u.width)} to ${fmt((hi + 1) * u.width)}`).join(', ');
  return runs.length > shown.length ? `${text}, ...` : text;
}

/** The baseline as evidence. */
export function usualEvidence(u: UsualValues, o: UsualValuesOptions): Record<string, unknown> {
  return { mean: round(u.mean, 3), std: round(Math.sqrt(u.variance), 3), min: round(u.lo, 3), max: round(u.hi, 3), buckets: u.n, usual: usualText(u, o) };
}
