/**
 * Context novelty: how much of what just happened has never happened before.
 *
 * The value is quantized on a few offset grids (so that a value near a bin edge is "near" its
 * neighbours on at least one grid). For every grid we remember, as hashed facts:
 * - value:    the bin itself;
 * - sequence: the bin reached after each of the previous 1..order bins;
 * - dwell:    the bin and how long the series has stayed in it (run length in powers of two).
 * The novelty of a family is the share of grids on which its fact was never seen before: 0 for a
 * well-rehearsed pattern, 1 for a value, transition or dwell never seen. Repeating patterns (daily
 * cycles, regular spikes) are learned and stop scoring; a new level, a new shape or a pattern that
 * stops repeating (a day that stays low) does score.
 *
 * The bin width follows the range seen so far in powers of two: grids of width 2^J and 2^(J+1)
 * both learn and the one matching the current range is scored, so a widening range hands over to
 * a grid that has been learning all along instead of starting from nothing.
 *
 * Memory is bounded: facts live in two generations of at most `memory` facts each; when the
 * current one is full the older is dropped, so facts not seen for a long time are forgotten.
 * O(grids x order) per reading.
 */

export interface NoveltyOptions {
  /** bins across the range seen so far (resolution) */
  bins: number;
  /** offset grids per width */
  grids: number;
  /** longest context (previous bins) */
  order: number;
  /** facts per memory generation */
  memory: number;
}

export const NOVELTY_DEFAULTS: NoveltyOptions = { bins: 16, grids: 3, order: 5, memory: 1 << 16 };

/** indices into ContextNovelty.families */
export const VALUE = 0;
export const SEQUENCE = 1;
export const DWELL = 2;
export const ALL = 3;

/** widths learning at once: the scored one and the next coarser */
const LEVELS = 2;

/** 32-bit mix (murmur3 finaliser). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** a ContextNovelty's state (a checkpoint; helpdesk/checkpoint.ts): its facts, the last readings, the dwell lanes */
export interface NoveltySnapshot {
  current: Set<number>;
  older: Set<number>;
  past: Float64Array;
  filled: number;
  run: Int32Array;
  lastBin: Int32Array;
  level: number;
  origin: number;
  families: Float64Array;
}

export class ContextNovelty {
  private readonly o: NoveltyOptions;
  private current = new Set<number>();
  private older = new Set<number>();
  /** the last `order` readings, a ring */
  private readonly past: Float64Array;
  private filled = 0;
  /** dwell per lane (level slot x grid): current bin and how long it has lasted */
  private readonly run: Int32Array;
  private readonly lastBin: Int32Array;
  private level = Number.NaN;
  private origin = Number.NaN;
  /** novelty of the last reading per family: VALUE, SEQUENCE, DWELL and ALL facts, each in [0, 1] */
  readonly families = new Float64Array(4);

  constructor(options: Partial<NoveltyOptions> = {}) {
    this.o = { ...NOVELTY_DEFAULTS, ...options };
    this.past = new Float64Array(Math.max(1, this.o.order));
    this.run = new Int32Array(LEVELS * this.o.grids);
    this.lastBin = new Int32Array(LEVELS * this.o.grids);
  }

  /** facts held in memory (at most 2 x memory) */
  get remembered(): number {
    return this.current.size + this.older.size;
  }

  snapshot(): NoveltySnapshot {
    return {
      current: new Set(this.current), older: new Set(this.older), past: this.past.slice(), filled: this.filled,
      run: this.run.slice(), lastBin: this.lastBin.slice(), level: this.level, origin: this.origin, families: this.families.slice(),
    };
  }

  /** takes a snapshot's state over (made with the same options: the same ring and lane sizes) */
  restore(s: NoveltySnapshot): void {
    if (s.past.length !== this.past.length || s.run.length !== this.run.length) throw new Error('ContextNovelty.restore: a snapshot made with other options');
    this.current = new Set(s.current);
    this.older = new Set(s.older);
    this.past.set(s.past);
    this.filled = s.filled;
    this.run.set(s.run);
    this.lastBin.set(s.lastBin);
    this.level = s.level;
    this.origin = s.origin;
    this.families.set(s.families);
  }

  /** Feeds one reading with the range seen so far (lo..hi, including it); returns the ALL novelty. */
  update(x: number, lo: number, hi: number): number {
    if (Number.isNaN(this.origin)) this.origin = x;
    this.families.fill(0);
    const range = hi - lo;
    if (range > 0) {
      const J = Math.ceil(Math.log2(range / this.o.bins));
      if (J !== this.level) this.shift(J);
      this.facts(x, J);
    }
    this.past[this.filled % this.past.length] = x;
    this.filled++;
    return this.families[ALL]!;
  }

  private facts(x: number, J: number): void {
    const { grids, order } = this.o;
    const cap = this.past.length;
    const depth = Math.min(order, this.filled);
    let value = 0;
    let sequence = 0;
    let dwell = 0;
    for (let s = 0; s < LEVELS; s++) {
      const inv = 2 ** -(J + s);
      const share = s === 0 ? 1 / grids : 0; // only the matching width is scored
      for (let g = 0; g < grids; g++) {
        const lane = s * grids + g;
        const off = g / grids;
        const b = Math.floor((x - this.origin) * inv + off);
        // width and grid are part of every fact
        let h = mix((J + s) * 7919 + g * 104729 + 1);
        let h2 = mix(h ^ 0x9e3779b9);
        for (let k = 0; k <= depth; k++) {
          const bin = k === 0 ? b : Math.floor((this.past[(this.filled - k) % cap]! - this.origin) * inv + off);
          h = mix(h ^ (bin + Math.imul(k, 0x632be5ab)));
          h2 = mix(h2 + Math.imul(bin, 0x27d4eb2f) + k);
          const fresh = this.remember(h, h2) * share;
          if (k === 0) value += fresh;
          else sequence += fresh / order;
        }
        const r = b === this.lastBin[lane] ? this.run[lane]! + 1 : 1;
        this.run[lane] = r;
        this.lastBin[lane] = b;
        const d = mix(mix(b ^ 0x5bd1e995) + Math.imul(J + s, 31) + g * 131 + 32 - Math.clz32(r));
        dwell += this.remember(d, 0x1fffff) * share;
      }
    }
    const fam = this.families;
    fam[VALUE] = value;
    fam[SEQUENCE] = sequence;
    fam[DWELL] = dwell;
    fam[ALL] = (value + sequence * order + dwell) / (order + 2);
  }

  /** 1 when the fact was new (in neither generation), else 0; the fact is then current */
  private remember(h: number, h2: number): number {
    const key = (h2 & 0x1fffff) * 4294967296 + h;
    if (this.current.has(key)) return 0;
    const known = this.older.has(key);
    if (this.current.size >= this.o.memory) {
      this.older = this.current;
      this.current = new Set<number>();
    }
    this.current.add(key);
    return known ? 0 : 1;
  }

  /** The range widened to another width: the coarser lanes' dwell becomes the scored lanes'. */
  private shift(J: number): void {
    const n = this.o.grids;
    const up = J === this.level + 1;
    if (up) {
      this.run.copyWithin(0, n);
      this.lastBin.copyWithin(0, n);
    }
    this.run.fill(0, up ? n : 0);
    this.lastBin.fill(-2147483648, up ? n : 0);
    this.level = J;
  }
}
