/**
 * The coordinator's candidate starts and their prices. Starts lie on a grid of `stepMs` (a divisor of the bin),
 * counted from the epoch: global start index g = start / stepMs. A start's offset within its bin (its phase, one of
 * binMs / stepMs) fixes the load's bin profile up to a shift, so a power shape has one profile per phase, and the
 * cost of every start of a shape is one table over the horizon's bins: cost(g) = Σ_i w_phase[i] · price(bin + i) ·
 * binS — exact, as each bin lies in one price slot. An offer's candidates are a range [gFirst, gLast] of that grid.
 * Orders by cost (or by cost plus multipliers) are kept per shape, over the whole horizon, and an offer walks its
 * shape's order skipping the starts outside its range (ties: the earliest start).
 * Pure.
 */
import type { PowerSlot } from '../../../contracts/payloads.js';
import { covers, type Tariff } from '../tariff.js';
import { binLoad, durationMsOf, slotsProblem } from './profile.js';

export interface CandidateOffer {
  id: string;
  slots: readonly PowerSlot[];
  earliestStart: number;
  latestEnd: number;
}

export interface Shape {
  /** mean W per bin for each phase, from the start's bin */
  w: Float64Array[];
  /** each phase's bins by descending power: overflow checks meet the heavy bins first */
  heavy: Int32Array[];
  /** cost (EUR) of a start at global index g: cost[g − g0] */
  cost: Float64Array;
  /** the shape's starts (g − g0) by cost, then start */
  byCost: Int32Array;
}

export interface Item {
  offer: CandidateOffer;
  shape: Shape;
  /** first and last candidate, global start indices */
  gFirst: number;
  gLast: number;
  energyWs: number;
}

export interface Grid {
  binMs: number;
  stepMs: number;
  /** phases per bin */
  phases: number;
  /** global start index of the horizon's first start; bin of index g: floor(g / phases) */
  g0: number;
  /** bins of the horizon: origin and count (every bin any candidate touches) */
  originBin: number;
  nBins: number;
  /** EUR per W·s of each horizon bin */
  rate: Float64Array;
  shapes: Shape[];
  items: Item[];
  rejected: Array<{ id: string; reason: string }>;
}

const W_S_PER_MWH = 3.6e9;

export const binOfStart = (grid: Grid, g: number): number => Math.floor(g / grid.phases);
export const phaseOf = (grid: Grid, g: number): number => g - Math.floor(g / grid.phases) * grid.phases;

/** the grid's items, shapes and prices; offers that cannot be placed are rejected with a reason */
export function buildGrid(offers: readonly CandidateOffer[], tariff: Tariff, binMs: number, stepMs: number, maxCandidates: number): Grid {
  const phases = binMs / stepMs;
  const rejected: Grid['rejected'] = [];
  const pending: Array<{ offer: CandidateOffer; key: string; gFirst: number; gLast: number }> = [];
  for (const o of offers) {
    const bad = slotsProblem(o.slots);
    if (bad) {
      rejected.push({ id: o.id, reason: bad });
      continue;
    }
    if (!Number.isFinite(o.earliestStart) || !Number.isFinite(o.latestEnd)) {
      rejected.push({ id: o.id, reason: 'the window must be finite' });
      continue;
    }
    const dur = durationMsOf(o.slots);
    const gFirst = Math.ceil(o.earliestStart / stepMs);
    const last = Math.floor((o.latestEnd - dur) / stepMs);
    if (last < gFirst) {
      rejected.push({ id: o.id, reason: `no start on the ${stepMs / 1000} s grid lets the load (${dur / 1000} s) finish by its deadline` });
      continue;
    }
    const gLast = Math.min(last, gFirst + maxCandidates - 1);
    if (!covers(tariff, gFirst * stepMs, gLast * stepMs + dur)) {
      rejected.push({ id: o.id, reason: `tariff ${tariff.source} does not cover the window` });
      continue;
    }
    pending.push({ offer: o, key: JSON.stringify(o.slots), gFirst, gLast });
  }
  const g0 = pending.reduce((a, p) => Math.min(a, p.gFirst), Number.POSITIVE_INFINITY);
  const gEnd = pending.reduce((a, p) => Math.max(a, p.gLast), Number.NEGATIVE_INFINITY);
  const maxDur = pending.reduce((a, p) => Math.max(a, durationMsOf(p.offer.slots)), 0);
  const originBin = pending.length ? Math.floor(g0 / phases) : 0;
  const nBins = pending.length ? Math.ceil((gEnd * stepMs + maxDur) / binMs) - originBin + 1 : 0;
  const rate = Float64Array.from({ length: nBins }, (_, i) => {
    const slot = Math.floor(((originBin + i) * binMs - tariff.startMs) / tariff.slotMs);
    const p = tariff.eurPerMwh[slot];
    return p === undefined || Number.isNaN(p) ? Number.POSITIVE_INFINITY : p / W_S_PER_MWH;
  });
  const byKey = new Map<string, Shape>();
  const shapes: Shape[] = [];
  const items: Item[] = pending.map((p) => {
    let shape = byKey.get(p.key);
    if (!shape) {
      const w = Array.from({ length: phases }, (_, ph) => binLoad(p.offer.slots, ph * stepMs, binMs).w);
      const heavy = w.map((x) => Int32Array.from(x.keys()).sort((a, b) => x[b]! - x[a]! || a - b));
      const n = gEnd - g0 + 1;
      const cost = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const g = g0 + k;
        const b = Math.floor(g / phases);
        const prof = w[g - b * phases]!;
        const bi = b - originBin;
        let c = 0;
        for (let i = 0; i < prof.length; i++) if (prof[i]! > 0) c += prof[i]! * rate[bi + i]!;
        cost[k] = c * (binMs / 1000);
      }
      shape = { w, heavy, cost, byCost: sortedBy(cost) };
      byKey.set(p.key, shape);
      shapes.push(shape);
    }
    const energyWs = p.offer.slots.reduce((a, s) => a + s.powerW * s.durationS, 0);
    return { offer: p.offer, shape, gFirst: p.gFirst, gLast: p.gLast, energyWs };
  });
  return { binMs, stepMs, phases, g0, originBin, nBins, rate, shapes, items, rejected };
}

/** indices 0..n−1 by value, then index */
export function sortedBy(v: Float64Array): Int32Array {
  return Int32Array.from(v.keys()).sort((a, b) => v[a]! - v[b]! || a - b);
}

/** the cost of every start of each shape plus the multipliers (EUR per W of bin mean, by horizon bin) on its bins */
export function reducedCosts(grid: Grid, lambda: Float64Array): Float64Array[] {
  return grid.shapes.map((sh) => {
    const out = new Float64Array(sh.cost.length);
    for (let k = 0; k < out.length; k++) {
      const g = grid.g0 + k;
      const prof = sh.w[phaseOf(grid, g)]!;
      const b = binOfStart(grid, g) - grid.originBin;
      let c = sh.cost[k]!;
      for (let i = 0; i < prof.length; i++) c += prof[i]! * (lambda[b + i] ?? 0);
      out[k] = c;
    }
    return out;
  });
}
