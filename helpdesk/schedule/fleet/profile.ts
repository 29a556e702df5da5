/**
 * Loads and the fleet's aggregate power at bin resolution. A bin is a fixed span of time (5 minutes by default)
 * counted from the epoch; a load's power in a bin is its mean power over the bin (its energy in the bin divided by
 * the bin's length), and the fleet's peak is the largest sum of those means: the limit a coordinator keeps is a
 * limit on the aggregate's bin-mean power, the way a meter integrates over its interval. Bins divide the tariff's
 * slots, so each bin has one price and a cost summed bin by bin is exact.
 * Pure.
 */
import type { PowerSlot } from '../../../contracts/payloads.js';

/** a load started at a given time, seen in bins: mean watts in bins first, first + 1, ... */
export interface BinnedLoad {
  first: number;
  w: Float64Array;
}

/** why slots cannot be a load, or null */
export function slotsProblem(slots: readonly PowerSlot[]): string | null {
  if (slots.length === 0) return 'the load has no slots';
  for (const [i, s] of slots.entries()) {
    if (!Number.isFinite(s.durationS) || s.durationS <= 0) return `slot ${i}: durationS must be > 0`;
    if (!Number.isFinite(s.powerW) || s.powerW < 0) return `slot ${i}: powerW must be >= 0`;
  }
  return null;
}

export const durationMsOf = (slots: readonly PowerSlot[]): number => slots.reduce((a, s) => a + s.durationS * 1000, 0);

/** the load's mean power per bin when it starts at `start` (epoch ms, any instant) */
export function binLoad(slots: readonly PowerSlot[], start: number, binMs: number): BinnedLoad {
  const first = Math.floor(start / binMs);
  const last = Math.ceil((start + durationMsOf(slots)) / binMs);
  const ws = new Float64Array(Math.max(1, last - first));
  let t = start;
  for (const s of slots) {
    const end = t + s.durationS * 1000;
    let a = t;
    while (a < end) {
      const bin = Math.floor(a / binMs);
      const b = Math.min(end, (bin + 1) * binMs);
      ws[bin - first]! += (s.powerW * (b - a)) / 1000;
      a = b;
    }
    t = end;
  }
  const binS = binMs / 1000;
  for (let i = 0; i < ws.length; i++) ws[i] = ws[i]! / binS;
  return { first, w: ws };
}

/** the tolerance of a limit check, in watts (sums of floating-point means) */
export const LIMIT_TOLERANCE_W = 1e-6;

/** the aggregate over a fixed range of bins [origin, origin + length) (batch mode) */
export interface Profile {
  origin: number;
  w: Float64Array;
}

export function addTo(p: Profile, load: BinnedLoad, shift: number, sign: 1 | -1): void {
  const o = load.first + shift - p.origin;
  for (let i = 0; i < load.w.length; i++) p.w[o + i]! += sign * load.w[i]!;
}

/** how far the load placed `shift` bins later would take the aggregate above `limitW` at worst (0: it fits) */
export function overflow(p: Profile, load: BinnedLoad, shift: number, limitW: number): number {
  const o = load.first + shift - p.origin;
  let worst = 0;
  for (let i = 0; i < load.w.length; i++) {
    const over = p.w[o + i]! + load.w[i]! - limitW;
    if (over > worst) worst = over;
  }
  return worst > LIMIT_TOLERANCE_W ? worst : 0;
}

export function peakOf(p: Profile): number {
  let m = 0;
  for (const x of p.w) if (x > m) m = x;
  return m;
}
