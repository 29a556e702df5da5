/**
 * Anomaly likelihood, after HTM's: how unusual is the recent level of a raw anomaly signal, given
 * that signal's own history? The short-term mean of the raw signal is compared with the long-term
 * mean and spread of that short-term mean, as a z value. A file where raw novelty is common (noise)
 * thereby needs more of it to look unusual than a file where it is rare.
 */

export interface LikelihoodOptions {
  /** smoothing of the short-term mean (about 1/readings) */
  short: number;
  /** smoothing of the long-term mean and variance (about 1/readings) */
  long: number;
  /** floor of the long-term standard deviation */
  minStd: number;
}

export const LIKELIHOOD_DEFAULTS: LikelihoodOptions = { short: 0.1, long: 0.001, minStd: 0.02 };

/** a RollingLikelihood's state (a checkpoint; helpdesk/checkpoint.ts) */
export interface LikelihoodSnapshot {
  n: number;
  recent: number;
  mean: number;
  variance: number;
}

export class RollingLikelihood {
  private readonly o: LikelihoodOptions;
  private n = 0;
  private recent = 0;
  private mean = 0;
  private variance = 0;

  constructor(options: Partial<LikelihoodOptions> = {}) {
    this.o = { ...LIKELIHOOD_DEFAULTS, ...options };
  }

  snapshot(): LikelihoodSnapshot {
    return { n: this.n, recent: this.recent, mean: this.mean, variance: this.variance };
  }

  /** takes a snapshot's state over (the options are the constructor's) */
  restore(s: LikelihoodSnapshot): void {
    ({ n: this.n, recent: this.recent, mean: this.mean, variance: this.variance } = s);
  }

  /** Feeds one raw value; returns the z value of the short-term mean against the history before it. */
  update(raw: number): number {
    this.n++;
    this.recent += Math.max(this.o.short, 1 / this.n) * (raw - this.recent);
    const z = (this.recent - this.mean) / Math.max(Math.sqrt(this.variance), this.o.minStd);
    const a = Math.max(this.o.long, 1 / this.n);
    const d = this.recent - this.mean;
    this.mean += a * d;
    this.variance = (1 - a) * (this.variance + a * d * d);
    return z;
  }
}
