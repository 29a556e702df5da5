/**
 * A lower bound on the cost of coordinating a fleet under an aggregate limit: no assignment of starts — at any
 * instants in the offers' windows, on any grid or none — that keeps every bin's mean aggregate power within `limitW`
 * costs less than `costEur`. Used to say how far a coordination is from the best possible (bench `coordination`).
 *
 * Lagrangian relaxation of the bin limits: with a multiplier λ_b ≥ 0 (EUR per W of bin mean) on each bin,
 *   L(λ) = Σ_offers min_s [cost(s) + Σ_b λ_b · a_b(s)] − limitW · Σ_b λ_b   ≤   the cost of any feasible assignment,
 * where a_b(s) is the load's mean power in bin b when it starts at s (weak duality: for a feasible assignment each
 * Σ_offers a_b ≤ limitW, so the added terms are ≤ 0). Its maximum over λ is the LP relaxation's bound of the
 * time-indexed formulation. Each offer's inner minimum is exact over continuous starts: cost(s) + λ·a(s) is the load
 * priced at a rate ρ that is constant on each bin (price / 3.6e9 + λ_b / binS, EUR per W·s), so, as in planner.ts,
 * it is linear in s between the breakpoints s = (bin boundary − offset of a power change) and its minimum over
 * [earliest, latest] is at a breakpoint or an end. Offers of one power shape share the breakpoints: f is evaluated
 * on them once per iteration and each offer's window minimum is a range-minimum query (sparse table).
 * λ is raised by projected subgradient steps (Polyak's step towards `upperEur`, a known feasible cost when given,
 * halved after `patience` steps without a better bound); any λ gives a valid bound, the best one is returned.
 * Work per iteration: shapes × breakpoints × power changes + offers × (power changes + bins of a load).
 * Deterministic; pure.
 */
import type { PowerSlot } from '../../../contracts/payloads.js';
import { covers, type Tariff } from '../tariff.js';
import { durationMsOf, slotsProblem } from './profile.js';

export interface BoundOffer {
  id: string;
  slots: readonly PowerSlot[];
  earliestStart: number;
  latestEnd: number;
}

export interface BoundOptions {
  /** the aggregate limit, W of bin mean */
  limitW: number;
  /** bin length in seconds; must divide the tariff's slot; default 300 */
  binS?: number;
  /** starts only on multiples of stepS seconds since the epoch (a coordinator's grid): a bound for that grid, tighter;
   *  default: any instant */
  stepS?: number;
  /** subgradient steps; default 400 */
  iterations?: number;
  /** the cost (EUR) of an assignment known to fit: the steps aim at it; default: none (a target above the best bound by a share of it) */
  upperEur?: number;
  /** steps without a better bound before the step is halved; default 12 */
  patience?: number;
}

export const BOUND_DEFAULTS = { binS: 300, iterations: 400, patience: 12 };

export interface CostBound {
  /** no assignment within the limit costs less (EUR) */
  costEur: number;
  /** L(0): each offer alone at its exact optimum (the selfish cost, continuous starts) */
  selfishEur: number;
  /** the multipliers of the best bound (EUR per W of bin mean), bin `originBin` + i */
  originBin: number;
  multipliers: Float64Array;
  iterations: number;
  /** offers that have no start in their window or no prices for it: left out of the bound */
  skipped: string[];
}

const W_S_PER_MWH = 3.6e9;

interface Shape {
  offsets: Float64Array;
  powers: Float64Array;
  /** candidate starts common to the shape's offers (ms, ascending, distinct) */
  bp: Float64Array;
  val: Float64Array;
  /** sparse table of argmin indices, level k covers 2^k breakpoints */
  table: Int32Array[];
}

interface Member {
  shape: Shape;
  e: number;
  l: number;
  /** breakpoints strictly inside (e, l): indices lo .. hi − 1 */
  lo: number;
  hi: number;
}

function shapeOf(slots: readonly PowerSlot[]): { offsets: Float64Array; powers: Float64Array } {
  const d: number[] = [];
  const p: number[] = [];
  for (const s of slots) {
    if (p.length > 0 && p[p.length - 1] === s.powerW) d[d.length - 1]! += s.durationS * 1000;
    else {
      d.push(s.durationS * 1000);
      p.push(s.powerW);
    }
  }
  const offsets = new Float64Array(d.length + 1);
  for (let k = 0; k < d.length; k++) offsets[k + 1] = offsets[k]! + d[k]!;
  return { offsets, powers: Float64Array.from(p) };
}

const lowerIndex = (a: Float64Array, x: number): number => {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m]! < x) lo = m + 1;
    else hi = m;
  }
  return lo;
};

export function costLowerBound(offers: readonly BoundOffer[], tariff: Tariff, options: BoundOptions): CostBound {
  const opts = { ...BOUND_DEFAULTS, ...options };
  const binMs = opts.binS * 1000;
  const limitW = opts.limitW;
  const skipped: string[] = [];
  const raw: Array<{ key: string; slots: readonly PowerSlot[]; e: number; l: number }> = [];
  const okBins = Number.isInteger(binMs) && binMs > 0 && tariff.slotMs % binMs === 0;
  const stepMs = opts.stepS === undefined ? 0 : opts.stepS * 1000;
  const okStep = stepMs === 0 || (Number.isInteger(stepMs) && stepMs > 0);
  for (const o of offers) {
    const dur = slotsProblem(o.slots) ? Number.NaN : durationMsOf(o.slots);
    const e = stepMs ? Math.ceil(o.earliestStart / stepMs) * stepMs : o.earliestStart;
    const l = stepMs ? Math.floor((o.latestEnd - dur) / stepMs) * stepMs : o.latestEnd - dur;
    if (!okBins || !okStep || !(Number.isFinite(e) && Number.isFinite(l) && l >= e) || !covers(tariff, o.earliestStart, o.latestEnd)) skipped.push(o.id);
    else raw.push({ key: JSON.stringify(o.slots), slots: o.slots, e, l });
  }
  if (raw.length === 0) return { costEur: 0, selfishEur: 0, originBin: 0, multipliers: new Float64Array(0), iterations: 0, skipped };
  // the horizon: every bin any start can touch
  let from = Number.POSITIVE_INFINITY;
  let until = Number.NEGATIVE_INFINITY;
  const shapes = new Map<string, Shape & { e: number; l: number }>();
  for (const r of raw) {
    let s = shapes.get(r.key);
    if (!s) shapes.set(r.key, (s = { ...shapeOf(r.slots), bp: new Float64Array(0), val: new Float64Array(0), table: [], e: r.e, l: r.l }));
    s.e = Math.min(s.e, r.e);
    s.l = Math.max(s.l, r.l);
    from = Math.min(from, r.e);
    until = Math.max(until, r.l + s.offsets[s.offsets.length - 1]!);
  }
  const originBin = Math.floor(from / binMs);
  const nBins = Math.max(1, Math.ceil(until / binMs) - originBin);
  const t0 = originBin * binMs;
  const price = Float64Array.from({ length: nBins }, (_, i) => tariff.eurPerMwh[Math.floor((t0 + i * binMs - tariff.startMs) / tariff.slotMs)]! / W_S_PER_MWH);
  for (const s of shapes.values()) {
    const pts: number[] = [];
    if (stepMs) for (let x = s.e; x <= s.l; x += stepMs) pts.push(x);
    else for (const o of s.offsets) {
      for (let b = originBin; b <= originBin + nBins; b++) {
        const x = b * binMs - o;
        if (x > s.e && x < s.l) pts.push(x);
      }
    }
    s.bp = Float64Array.from(new Set(pts)).sort();
    s.val = new Float64Array(s.bp.length);
    for (let w = 1; w <= Math.max(1, s.bp.length); w *= 2) s.table.push(new Int32Array(s.bp.length));
  }
  const members: Member[] = raw.map((r) => {
    const shape = shapes.get(r.key)!;
    // on a grid the range holds the ends; else the ends are evaluated apart (bins and starts are whole ms: ±0.5)
    return stepMs ? { shape, e: r.e, l: r.l, lo: lowerIndex(shape.bp, r.e), hi: lowerIndex(shape.bp, r.l + 0.5) } : { shape, e: r.e, l: r.l, lo: lowerIndex(shape.bp, r.e + 0.5), hi: lowerIndex(shape.bp, r.l - 0.5) };
  });

  const rho = new Float64Array(nBins);
  const pre = new Float64Array(nBins + 1);
  const R = (t: number): number => {
    const i = Math.min(nBins - 1, Math.max(0, Math.floor((t - t0) / binMs)));
    return pre[i]! + (rho[i]! * (t - t0 - i * binMs)) / 1000;
  };
  const f = (sh: Shape, s: number): number => {
    let sum = 0;
    let prev = R(s);
    for (let k = 0; k < sh.powers.length; k++) {
      const next = R(s + sh.offsets[k + 1]!);
      sum += sh.powers[k]! * (next - prev);
      prev = next;
    }
    return sum;
  };
  /** adds the load's mean power per bin when started at s into g */
  const accumulate = (sh: Shape, s: number, g: Float64Array): void => {
    for (let k = 0; k < sh.powers.length; k++) {
      let a = s + sh.offsets[k]!;
      const end = s + sh.offsets[k + 1]!;
      const p = sh.powers[k]!;
      while (a < end) {
        const i = Math.floor((a - t0) / binMs);
        const b = Math.min(end, t0 + (i + 1) * binMs);
        g[i]! += (p * (b - a)) / binMs;
        a = b;
      }
    }
  };
  const lambda = new Float64Array(nBins);
  const g = new Float64Array(nBins);
  /** L(lambda); leaves the subgradient in g */
  const evaluate = (): number => {
    for (let i = 0; i < nBins; i++) {
      rho[i] = price[i]! + lambda[i]! / opts.binS;
      pre[i + 1] = pre[i]! + rho[i]! * opts.binS;
    }
    for (const sh of shapes.values()) {
      const n = sh.bp.length;
      for (let j = 0; j < n; j++) sh.val[j] = f(sh, sh.bp[j]!);
      const t0Table = sh.table[0]!;
      for (let j = 0; j < n; j++) t0Table[j] = j;
      for (let k = 1; k < sh.table.length; k++) {
        const prevT = sh.table[k - 1]!;
        const cur = sh.table[k]!;
        const half = 1 << (k - 1);
        for (let j = 0; j + (1 << k) <= n; j++) {
          const a = prevT[j]!;
          const b = prevT[j + half]!;
          cur[j] = sh.val[b]! < sh.val[a]! ? b : a;
        }
      }
    }
    g.fill(0);
    let total = 0;
    for (const m of members) {
      const sh = m.shape;
      let bestS = m.e;
      let best = f(sh, m.e);
      if (m.hi > m.lo) {
        const k = 31 - Math.clz32(m.hi - m.lo);
        const a = sh.table[k]![m.lo]!;
        const b = sh.table[k]![m.hi - (1 << k)]!;
        const j = sh.val[b]! < sh.val[a]! ? b : a;
        if (sh.val[j]! < best) [best, bestS] = [sh.val[j]!, sh.bp[j]!];
      }
      const atL = f(sh, m.l);
      if (atL < best) [best, bestS] = [atL, m.l];
      total += best;
      accumulate(sh, bestS, g);
    }
    let sumL = 0;
    for (let i = 0; i < nBins; i++) {
      sumL += lambda[i]!;
      g[i] = g[i]! - limitW;
    }
    return total - limitW * sumL;
  };

  const selfishEur = evaluate();
  let bestEur = selfishEur;
  let bestLambda = Float64Array.from(lambda);
  let theta = 1;
  let stall = 0;
  let it = 0;
  let value = selfishEur;
  const span = Math.max(1e-9, Math.abs(selfishEur) * 0.05);
  for (; it < opts.iterations; it++) {
    // projected subgradient: components that would push a zero multiplier below zero do not count
    let norm = 0;
    for (let i = 0; i < nBins; i++) if (lambda[i]! > 0 || g[i]! > 0) norm += g[i]! * g[i]!;
    if (norm === 0) break; // λ optimal: its relaxed plans fit and every priced bin is full
    const target = opts.upperEur !== undefined && opts.upperEur > bestEur ? opts.upperEur : bestEur + span * theta;
    const step = (theta * (target - value)) / norm;
    for (let i = 0; i < nBins; i++) lambda[i] = Math.max(0, lambda[i]! + step * g[i]!);
    value = evaluate();
    if (value > bestEur + 1e-15) {
      bestEur = value;
      bestLambda = Float64Array.from(lambda);
      stall = 0;
    } else if (++stall >= opts.patience) {
      theta /= 2;
      stall = 0;
      lambda.set(bestLambda);
      value = evaluate();
    }
  }
  return { costEur: bestEur, selfishEur, originBin, multipliers: bestLambda, iterations: it, skipped };
}
