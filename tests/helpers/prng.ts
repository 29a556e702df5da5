/**
 * Seeded uniform numbers for test data: the mulberry32 generator of devices/kinds/rng.ts behind a
 * plain `() => number`, so a test varies its data the same way on every run.
 */
import { nextFloat } from '../../devices/kinds/rng.js';

/** uniform in [0, 1) from `seed` (the seed is the generator's state as it is, not mixed) */
export function prng(seed: number): () => number {
  const state = { s: seed >>> 0 };
  return () => nextFloat(state);
}
