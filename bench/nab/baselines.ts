/**
 * Reference detectors for checking the scorer against published figures and against the Python
 * reference scorer: NAB's windowedGaussian (tail probability of the value under a Gaussian fitted
 * to the previous 1000 values) and a seeded random detector.
 */
import { nextFloat, type RngState } from '../../devices/kinds/rng.js';

export interface StreamDetector {
  /** one reading in, a score in [0, 1] out */
  update(value: number): number;
}

/** NAB's windowedGaussian: window of 1000 readings sliding by one, score 1 - Q(|z|) (0 for the first reading). */
export class WindowedGaussian implements StreamDetector {
  private readonly buf: Float64Array;
  private n = 0;
  private head = 0;
  private sum = 0;
  private sumSq = 0;

  constructor(readonly windowSize = 1000) {
    this.buf = new Float64Array(windowSize);
  }

  update(value: number): number {
    let score = 0;
    if (this.n > 0) {
      const mean = this.sum / this.n;
      let std = Math.sqrt(Math.max(0, this.sumSq / this.n - mean * mean));
      if (std === 0) std = 0.000001;
      score = 1 - 0.5 * erfc(Math.abs(value - mean) / std / Math.SQRT2);
    }
    if (this.n === this.windowSize) {
      const old = this.buf[this.head]!;
      this.sum -= old;
      this.sumSq -= old * old;
    } else this.n++;
    this.buf[this.head] = value;
    this.head = (this.head + 1) % this.windowSize;
    this.sum += value;
    this.sumSq += value * value;
    return score;
  }
}

/** Uniform scores from a seeded generator (mulberry32): the same seed gives the same scores. */
export class RandomScores implements StreamDetector {
  private readonly state: RngState;
  constructor(seed = 42) {
    this.state = { s: seed >>> 0 };
  }
  update(): number {
    return nextFloat(this.state);
  }
}

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
