/**
 * Exact optimal start of a deferrable load (a sequence of power slots) under a tariff of 15- or 60-minute slots.
 *
 * Why enumerating breakpoints is exact. Let the load start at s; slot k runs on [s + o_k, s + o_{k+1}) at P_k
 * watts, where o_0 = 0 and o_{k+1} = o_k + d_k. With F(t) = ∫ price from a fixed origin to t (price is constant on
 * each slot, so F is continuous and piecewise linear with kinks only at slot boundaries H):
 *   cost(s) = Σ_k P_k · (F(s + o_{k+1}) − F(s + o_k)) / 3.6e9        (W·s·EUR/MWh → EUR)
 *           = Σ_{k=0..K} (P_{k−1} − P_k) · F(s + o_k) / 3.6e9        (P_{−1} = P_K = 0).
 * Each term is piecewise linear in s with kinks only where s + o_k = H, i.e. at s = H − o_k, and only if
 * P_{k−1} ≠ P_k (otherwise the term vanishes). So cost is linear between consecutive breakpoints B = {H − o_k}.
 * A linear function on a closed interval attains its minimum (and maximum) at an end, hence the minimum over
 * [lo, hi] = [earliestStart, latestEnd − Σd] is attained in B ∩ [lo, hi] ∪ {lo, hi}. When starts are restricted
 * to the grid lo + j·step (stepS, default 1 s), each linear piece holds a run of consecutive grid points and the
 * minimum over them is at its first or last one: the grid points just below and above each breakpoint, plus
 * the two ends. Evaluating cost exactly at those candidates therefore yields the proven optimum, not a
 * heuristic. With whole-second inputs and step 1 s the candidates are exactly the breakpoints and the ends.
 * The tie-breakers (energy-weighted mean grid load, then earliest start) are piecewise linear with the same
 * breakpoints (grid load is given per slot too), so the lexicographic optimum is attained at a candidate too. A load
 * drawing no energy is tie-broken by time-weighted load, whose kinks (run start and end) are candidates as well.
 * Neighbouring slots of equal power are merged first: that leaves cost unchanged and removes non-breakpoints.
 * A tariff without grid load (a price feed) has no second criterion: equal costs go to the earliest start.
 * The window must lie in slots with a price (`covers`); choosing what to plan on when it does not is basis.ts.
 */
import type { PowerSlot } from '../../contracts/payloads.js';
import { covers, type Tariff } from './tariff.js';

export interface PlanInput {
  slots: readonly PowerSlot[];
  /** epoch ms */
  earliestStart: number;
  /** epoch ms: the load must have finished by then */
  latestEnd: number;
  tariff: Tariff;
  /** granularity of allowed starts, counted from earliestStart; default 1 s */
  stepS?: number;
}

export interface Plan {
  start: number;
  end: number;
  costEur: number;
  /** cost if started at earliestStart */
  startNowCostEur: number;
  /** cost of the most expensive allowed start */
  worstCostEur: number;
  energyKwh: number;
  /** energy-weighted mean grid load over the run (time-weighted if the load draws no energy); null without grid load */
  meanGridLoadMw: number | null;
  /** number of start times evaluated */
  candidates: number;
}

export interface PlanError {
  error: { code: 'EVN_ERR_PLAN_INFEASIBLE' | 'EVN_ERR_PLAN_NO_TARIFF'; reason: string };
}

export function isPlanError(x: Plan | PlanError): x is PlanError {
  return 'error' in x;
}

const COST_TIE_EUR = 1e-9;
const LOAD_TIE_MW = 1e-9;
const W_S_PER_MWH = 3.6e9;

/** Running integral of a per-slot series over the slots [t0, t0 + n·slot); value·seconds. */
interface Integral {
  t0: number;
  slotMs: number;
  n: number;
  vals: Float64Array;
  pre: Float64Array;
}

function integral(series: Float64Array, tariff: Tariff, fromMs: number, toMs: number): Integral {
  const slotMs = tariff.slotMs;
  const i0 = Math.floor((fromMs - tariff.startMs) / slotMs);
  const i1 = Math.max(i0 + 1, Math.ceil((toMs - tariff.startMs) / slotMs));
  const vals = series.subarray(i0, i1);
  const pre = new Float64Array(vals.length + 1);
  for (let j = 0; j < vals.length; j++) pre[j + 1] = pre[j]! + vals[j]! * (slotMs / 1000);
  return { t0: tariff.startMs + i0 * slotMs, slotMs, n: vals.length, vals, pre };
}

function at(I: Integral, t: number): number {
  const j = Math.min(I.n - 1, Math.floor((t - I.t0) / I.slotMs));
  return I.pre[j]! + (I.vals[j]! * (t - I.t0 - j * I.slotMs)) / 1000;
}

/** Σ_k P_k · ∫ series over slot k, for a start s; W·value·s. */
function weighted(I: Integral, offsets: Float64Array, powers: Float64Array, s: number): number {
  let sum = 0;
  let prev = at(I, s + offsets[0]!);
  for (let k = 0; k < powers.length; k++) {
    const next = at(I, s + offsets[k + 1]!);
    sum += powers[k]! * (next - prev);
    prev = next;
  }
  return sum;
}

interface Prepared {
  offsets: Float64Array; // ms, length K + 1
  powers: Float64Array; // W, length K
  durationMs: number;
  energyWs: number;
}

function prepare(slots: readonly PowerSlot[]): Prepared | string {
  if (slots.length === 0) return 'the load has no slots';
  // Merge neighbours of equal power: same cost function, fewer breakpoints.
  const d: number[] = [];
  const p: number[] = [];
  for (const [i, slot] of slots.entries()) {
    if (!Number.isFinite(slot.durationS) || slot.durationS <= 0) return `slot ${i}: durationS must be > 0`;
    if (!Number.isFinite(slot.powerW) || slot.powerW < 0) return `slot ${i}: powerW must be >= 0`;
    if (p.length > 0 && p[p.length - 1] === slot.powerW) d[d.length - 1]! += slot.durationS * 1000;
    else {
      d.push(slot.durationS * 1000);
      p.push(slot.powerW);
    }
  }
  const offsets = new Float64Array(d.length + 1);
  let energyWs = 0;
  for (let k = 0; k < d.length; k++) {
    offsets[k + 1] = offsets[k]! + d[k]!;
    energyWs += (p[k]! * d[k]!) / 1000;
  }
  return { offsets, powers: Float64Array.from(p), durationMs: offsets[d.length]!, energyWs };
}

/** Cost in EUR of running `slots` from `start` (epoch ms); NaN if the tariff does not cover the run. */
export function costOfStart(slots: readonly PowerSlot[], start: number, tariff: Tariff): number {
  const prep = prepare(slots);
  if (typeof prep === 'string') return Number.NaN;
  const end = start + prep.durationMs;
  if (!covers(tariff, start, end)) return Number.NaN;
  const I = integral(tariff.eurPerMwh, tariff, start, end);
  return weighted(I, prep.offsets, prep.powers, start) / W_S_PER_MWH;
}

/** The grid load series when every slot of [fromMs, toMs) has one, else null (no second criterion). */
function gridLoadIn(tariff: Tariff, fromMs: number, toMs: number): Float64Array | null {
  const series = tariff.gridLoadMw;
  if (!series) return null;
  const i0 = Math.floor((fromMs - tariff.startMs) / tariff.slotMs);
  const i1 = Math.ceil((toMs - tariff.startMs) / tariff.slotMs);
  for (let i = i0; i < i1; i++) if (!Number.isFinite(series[i]!)) return null;
  return series;
}

/** Weight of slot k, 0 before the first and after the last. */
const weightAt = (w: Float64Array, k: number): number => (k < 0 || k >= w.length ? 0 : w[k]!);

const infeasible = (reason: string): PlanError => ({ error: { code: 'EVN_ERR_PLAN_INFEASIBLE', reason } });

export function planStart(input: PlanInput): Plan | PlanError {
  const { earliestStart: lo0, latestEnd, tariff } = input;
  const stepMs = (input.stepS ?? 1) * 1000;
  if (!Number.isFinite(lo0) || !Number.isFinite(latestEnd)) return infeasible('the window must be finite');
  if (!Number.isFinite(stepMs) || stepMs <= 0) return infeasible('stepS must be > 0');
  const prep = prepare(input.slots);
  if (typeof prep === 'string') return infeasible(prep);
  const { offsets, powers, durationMs } = prep;
  const hi = latestEnd - durationMs;
  if (hi < lo0) {
    return infeasible(`the window of ${(latestEnd - lo0) / 1000} s is shorter than the load (${durationMs / 1000} s)`);
  }
  if (!covers(tariff, lo0, latestEnd)) {
    return {
      error: {
        code: 'EVN_ERR_PLAN_NO_TARIFF',
        reason: `tariff ${tariff.source} does not cover ${new Date(lo0).toISOString()}..${new Date(latestEnd).toISOString()}`,
      },
    };
  }

  const price = integral(tariff.eurPerMwh, tariff, lo0, latestEnd);
  const gridLoad = gridLoadIn(tariff, lo0, latestEnd);
  const load = gridLoad ? integral(gridLoad, tariff, lo0, latestEnd) : null;
  const weights = prep.energyWs > 0 ? powers : new Float64Array(powers.length).fill(1);
  const weightTotal = prep.energyWs > 0 ? prep.energyWs : durationMs / 1000;

  // Candidate grid indices j (start = lo0 + j·step): both ends, and the grid points around every breakpoint.
  const J = Math.floor((hi - lo0) / stepMs);
  const js = new Set<number>([0, J]);
  for (let k = 0; k < offsets.length; k++) {
    // Offset k adds kinks only if the (cost or tie-break) weight changes there; else its term vanishes.
    if (weightAt(powers, k - 1) === weightAt(powers, k) && weightAt(weights, k - 1) === weightAt(weights, k)) continue;
    const slotMs = tariff.slotMs;
    const firstH = tariff.startMs + Math.ceil((lo0 + offsets[k]! - tariff.startMs) / slotMs) * slotMs;
    for (let H = firstH; H - offsets[k]! <= hi; H += slotMs) {
      const b = H - offsets[k]!;
      const x = (b - lo0) / stepMs;
      js.add(Math.min(J, Math.floor(x)));
      js.add(Math.min(J, Math.ceil(x)));
    }
  }
  const order = [...js].sort((a, b) => a - b);

  // Exact costs at every candidate; then, among those within COST_TIE_EUR of the minimum, the lowest
  // energy-weighted mean grid load (within LOAD_TIE_MW), then the earliest start (ascending order).
  const starts = order.map((j) => lo0 + j * stepMs);
  const costs = starts.map((s) => weighted(price, offsets, powers, s) / W_S_PER_MWH);
  const minCost = costs.reduce((a, c) => Math.min(a, c), Number.POSITIVE_INFINITY);
  const tied = starts.flatMap((s, i) =>
    costs[i]! <= minCost + COST_TIE_EUR ? [{ start: s, cost: costs[i]!, load: load ? weighted(load, offsets, weights, s) / weightTotal : 0 }] : [],
  );
  const minLoad = tied.reduce((a, t) => Math.min(a, t.load), Number.POSITIVE_INFINITY);
  const best = tied.find((t) => t.load <= minLoad + LOAD_TIE_MW)!;

  return {
    start: best.start,
    end: best.start + durationMs,
    costEur: best.cost,
    startNowCostEur: costs[0]!,
    worstCostEur: costs.reduce((a, c) => Math.max(a, c), Number.NEGATIVE_INFINITY),
    energyKwh: prep.energyWs / 3.6e6,
    meanGridLoadMw: load ? best.load : null,
    candidates: order.length,
  };
}
