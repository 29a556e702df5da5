/**
 * A general-purpose streaming anomaly detector for any numeric series: one reading in, a score in
 * [0, 1] out. Meant for device kinds nobody wrote rules for; one parameter set for every series.
 * Pure: its only state is its own fields; no clock, no I/O; the same readings give the same
 * scores. No look-ahead; O(1) per reading; bounded memory.
 *
 * The score is the largest of a few surprises, as z values, squashed by z / (z + scale):
 * - context novelty (novelty.ts): new values, transitions and dwell times, each family turned into
 *   a z value by its own rolling likelihood (likelihood.ts), i.e. relative to how often this series
 *   produces new ones: the mean of all families over the last ~10 readings (a changed pattern), and
 *   the value and dwell families of this one reading (a new level, a level held too long);
 * - a spatial anomaly: a reading beyond the range seen so far by more than a tolerance.
 * After a reading reaches `fireZ` the detector is quiet for `quiet` readings, so one incident gives
 * one alert rather than a storm of them.
 */
import { RollingLikelihood, type LikelihoodOptions, type LikelihoodSnapshot } from './likelihood.js';
import { ALL, ContextNovelty, DWELL, VALUE, type NoveltyOptions, type NoveltySnapshot } from './novelty.js';

/** GeneralAnomalyDetector.cause when the range check gave the z */
export const RANGE = -1;

export interface Channel {
  /** novelty family: VALUE, SEQUENCE, DWELL or ALL (novelty.ts) */
  family: number;
  /** smoothing of the short-term mean: 1 = this reading only, 0.1 = about the last 10 */
  short: number;
  /** multiplies the channel's z */
  weight: number;
}

export interface GeneralOptions {
  /** readings used to learn before any score is given */
  learn: number;
  /** readings before the range check starts */
  rangeAfter: number;
  /** a reading beyond the range by this share of the range is a spatial anomaly */
  rangeTolerance: number;
  /** z given to a spatial anomaly */
  rangeZ: number;
  /** z at which an alert is raised (starts the quiet period) */
  fireZ: number;
  /** readings without a score after an alert */
  quiet: number;
  /** score = z / (z + scale) */
  scale: number;
  channels: Channel[];
  novelty: Partial<NoveltyOptions>;
  likelihood: Partial<LikelihoodOptions>;
}

export const GENERAL_DEFAULTS: GeneralOptions = {
  learn: 300,
  rangeAfter: 50,
  rangeTolerance: 0.05,
  rangeZ: 10,
  fireZ: 3,
  quiet: 100,
  scale: 3,
  channels: [
    { family: ALL, short: 0.1, weight: 1 },
    { family: VALUE, short: 1, weight: 1 },
    { family: DWELL, short: 1, weight: 0.7 },
  ],
  novelty: {},
  likelihood: { minStd: 0.05 },
};

/** a GeneralAnomalyDetector's state (a checkpoint; helpdesk/checkpoint.ts) */
export interface GeneralSnapshot {
  n: number;
  lo: number;
  hi: number;
  quietLeft: number;
  cause: number;
  novelty: NoveltySnapshot;
  likelihoods: LikelihoodSnapshot[];
}

export class GeneralAnomalyDetector {
  private readonly o: GeneralOptions;
  private readonly novelty: ContextNovelty;
  private readonly likelihoods: RollingLikelihood[];
  private n = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private quietLeft = 0;
  /** what drove the last z: a novelty family (VALUE, SEQUENCE, DWELL, ALL) or RANGE (the range check) */
  cause = RANGE;

  constructor(options: Partial<GeneralOptions> = {}) {
    this.o = { ...GENERAL_DEFAULTS, ...options };
    this.novelty = new ContextNovelty(this.o.novelty);
    this.likelihoods = this.o.channels.map((c) => new RollingLikelihood({ ...this.o.likelihood, short: c.short }));
  }

  snapshot(): GeneralSnapshot {
    return { n: this.n, lo: this.lo, hi: this.hi, quietLeft: this.quietLeft, cause: this.cause, novelty: this.novelty.snapshot(), likelihoods: this.likelihoods.map((l) => l.snapshot()) };
  }

  /** takes a snapshot's state over (made with the same options) */
  restore(s: GeneralSnapshot): void {
    if (s.likelihoods.length !== this.likelihoods.length) throw new Error('GeneralAnomalyDetector.restore: a snapshot made with other channels');
    ({ n: this.n, lo: this.lo, hi: this.hi, quietLeft: this.quietLeft, cause: this.cause } = s);
    this.novelty.restore(s.novelty);
    s.likelihoods.forEach((l, i) => this.likelihoods[i]!.restore(l));
  }

  /** Feeds one reading; returns its anomaly score in [0, 1]. Non-finite readings are skipped (0). */
  update(x: number): number {
    if (!Number.isFinite(x)) return 0;
    const o = this.o;
    this.n++;
    const tol = (this.hi - this.lo) * o.rangeTolerance;
    const spatial = this.n > o.rangeAfter && this.hi > this.lo && (x > this.hi + tol || x < this.lo - tol);
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    this.novelty.update(x, this.lo, this.hi);
    let z = 0;
    for (let c = 0; c < this.likelihoods.length; c++) {
      const ch = o.channels[c]!;
      const zc = this.likelihoods[c]!.update(this.novelty.families[ch.family]!) * ch.weight;
      if (zc > z) {
        z = zc;
        this.cause = ch.family;
      }
    }
    if (spatial && z < o.rangeZ) {
      z = o.rangeZ;
      this.cause = RANGE;
    }
    if (this.n <= o.learn) return 0;
    if (this.quietLeft > 0) {
      this.quietLeft--;
      return 0;
    }
    if (z >= o.fireZ) this.quietLeft = o.quiet;
    return z / (z + o.scale);
  }
}
