/**
 * Context novelty: how much of what just happened has never happened before.
 *
 * The value is quantized on a few offset grids (so that a value near a bin edge is "near" its
 * neighbours on at least one grid). For every grid we remember, as hashes in a set, each bin
 * reached after each of the previous 1..order bins, and how long the series has stayed in one bin
 * (run length, in powers of two). The raw novelty of a reading is the share of those facts that
 * were never seen before: 0 for a well-rehearsed pattern, 1 for a value, transition and dwell
 * never seen. Repeating patterns (daily cycles, regular spikes) are learned and stop scoring;
 * a new level, a new shape or a pattern that stops repeating does score.
 *
 * The bin width follows the range seen so far in powers of two: the grids of width 2^J and
 * 2^(J+1) both learn, and the one matching the current range is scored, so a widening range hands
 * over to a grid that has been learning all along instead of starting from nothing.
 */

export interface NoveltyOptions {
  /** bins across the range seen so far (resolution) */
  bins: number;
  /** offset grids per width */
  grids: number;
  /** longest context (previous bins) */
  order: number;
  /** also learn dwell time: (bin, log2 run length) */
  dwell: boolean;
}

export const NOVELTY_DEFAULTS: NoveltyOptions = { bins: 16, grids: 3, order: 5, dwell: true };

const LEVELS = 2;

/** 32-bit mix (murmur3 finaliser). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class ContextNovelty {
  private readonly o: NoveltyOptions;
  private readonly seen = new Set<number>();
  /** ring of previous bins per (level slot, grid): slots of `order` entries */
  private readonly prev: Int32Array;
  private readonly run: Int32Array;
  private readonly lastBin: Int32Array;
  private filled = 0;
  private level = Number.NaN;
  private origin = Number.NaN;

  constructor(options: Partial<NoveltyOptions> = {}) {
    this.o = { ...NOVELTY_DEFAULTS, ...options };
    const lanes = LEVELS * this.o.grids;
    this.prev = new Int32Array(lanes * Math.max(1, this.o.order));
    this.run = new Int32Array(lanes);
    this.lastBin = new Int32Array(lanes);
  }

  /** Feeds one reading with the range seen so far (lo..hi, including it); returns novelty in [0, 1]. */
  update(x: number, lo: number, hi: number): number {
    if (Number.isNaN(this.origin)) this.origin = x;
    const range = hi - lo;
    if (!(range > 0)) return 0;
    const J = Math.ceil(Math.log2(range / this.o.bins));
    if (J !== this.level) this.shift(J);
    const { grids, order, dwell } = this.o;
    let novel = 0;
    let total = 0;
    for (let s = 0; s < LEVELS; s++) {
      const inv = 2 ** -(J + s);
      const scored = s === 0;
      for (let g = 0; g < grids; g++) {
        const lane = s * grids + g;
        const b = Math.floor((x - this.origin) * inv + g / grids);
        // level and grid are part of every key
        let h = mix((J + s) * 7919 + g * 104729 + 1);
        let h2 = mix(h ^ 0x9e3779b9);
        const base = lane * order;
        const depth = Math.min(order, this.filled);
        for (let k = 0; k <= depth; k++) {
          const bin = k === 0 ? b : this.prev[base + ((this.filled - k) % order)]!;
          h = mix(h ^ (bin + k * 0x632be5ab));
          h2 = mix(h2 + Math.imul(bin, 0x27d4eb2f) + k);
          const fresh = this.remember(h, h2);
          if (scored) {
            total++;
            if (fresh) novel++;
          }
        }
        if (dwell) {
          const r = b === this.lastBin[lane] ? this.run[lane]! + 1 : 1;
          this.run[lane] = r;
          this.lastBin[lane] = b;
          const key = mix(mix(b ^ 0x5bd1e995) + Math.imul(J + s, 31) + g * 131 + 32 - Math.clz32(r));
          const fresh = this.remember(key, 0x7fffffff);
          if (scored) {
            total++;
            if (fresh) novel++;
          }
        }
        if (order > 0) this.prev[base + (this.filled % order)] = b;
      }
    }
    this.filled++;
    return total ? novel / total : 0;
  }

  /** true when the fact was new */
  private remember(h: number, h2: number): boolean {
    const key = (h2 & 0x1fffff) * 4294967296 + h;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  /** The range moved to another width: keep the lanes that still exist, restart the others. */
  private shift(J: number): void {
    const lanesPerLevel = this.o.grids;
    const order = Math.max(1, this.o.order);
    if (J === this.level + 1) {
      // the coarser level becomes the scored one; its history moves down a slot
      this.prev.copyWithin(0, lanesPerLevel * order);
      this.run.copyWithin(0, lanesPerLevel);
      this.lastBin.copyWithin(0, lanesPerLevel);
    }
    this.level = J;
  }
}
