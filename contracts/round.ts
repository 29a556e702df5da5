/**
 * Rounding to a fixed number of decimals, defined once: device models round the readings they report,
 * detectors the figures in their evidence, benches the figures they print. Pure.
 */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
