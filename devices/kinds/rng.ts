/**
 * A small seeded PRNG (mulberry32) whose state is a plain number, so it can live inside a pure
 * model's state and be cloned with it. A library generator (pure-rand) would work too, but its
 * generators are objects; a 32-bit integer keeps model states plain, serialisable data.
 */
export interface RngState {
  s: number;
}

export function rngFrom(seed: number, salt = 0): RngState {
  // mix seed and salt (e.g. a hash of the device id) so devices get independent streams
  let h = (seed ^ 0x9e3779b9 ^ Math.imul(salt, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return { s: (h ^ (h >>> 16)) >>> 0 };
}

/** Uniform in [0, 1); advances the state in place (the state is owned by the model's state copy). */
export function nextFloat(r: RngState): number {
  r.s = (r.s + 0x6d2b79f5) >>> 0;
  let t = r.s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * The same generator behind a plain `() => number`, seeded with `seed` as its state (not mixed), for
 * test data and benches that want a repeatable stream and no state to carry.
 */
export function prng(seed: number): () => number {
  const state: RngState = { s: seed >>> 0 };
  return () => nextFloat(state);
}

/** Standard normal via Box–Muller. */
export function nextGaussian(r: RngState): number {
  const u = Math.max(nextFloat(r), 1e-12);
  const v = nextFloat(r);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A stable 32-bit hash of a string (FNV-1a), for salting per-device streams. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
