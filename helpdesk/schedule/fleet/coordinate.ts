/**
 * Batch load coordination: given the open flex offers of a fleet and one tariff, choose every start so that the
 * fleet's aggregate power (bin means, profile.ts) stays under a limit while the total cost stays near the selfish
 * optimum (each offer alone at its cheapest start).
 *
 * Candidates: starts on the bin grid (multiples of binS since the epoch) from the earliest start rounded up to the
 * latest start that still ends by the deadline, at most maxCandidates of them (the earliest ones). On that grid a
 * load's bin profile is the same at every start (shifted), and each bin lies in one price slot, so every candidate
 * is priced exactly in O(bins of the load).
 *   baseline  every offer at its first candidate (its earliest start, rounded up to the grid): the no-flex fleet
 *   selfish   every offer at its cheapest candidate, ignoring the others (ties: the earliest)
 *   limit     options.limitW, or limitVsBaseline (≥ 1) × the baseline's peak: then the baseline itself is feasible
 *
 * Algorithm: a greedy placement puts each offer at its cheapest candidate that keeps every bin under the limit (ties:
 * the earliest). It runs (B) from the baseline, moving one offer at a time, least flexible first (fewest candidates,
 * then most energy, then offer id): its current start stays feasible, so the fleet never leaves the limit; and (A) from
 * an empty fleet, least flexible first and in order of arrival, under the limit and under tighter ones (`slack`),
 * which leave room for the offers placed last, and with best-fit tolerances (`bestFit`: among nearly cheapest fitting
 * starts, the one leaving the least headroom, so the 2.2 kW phases of washers pack without gaps). The best by (overflow, cost) is kept, then improved: each offer in id
 * order is lifted and put back at its cheapest fitting candidate (`passes`), and pairs whose windows meet are lifted
 * and put back one after the other in both orders (`pairBudget` pairs). An offer that fits nowhere goes where it
 * overflows least (then cheapest): the result reports it (overLimitW > 0), never silently.
 * Guarantee: when the baseline fits the limit (always so with the derived limit), the result fits it. Work: at most
 * (1 + 2·|slack|·|bestFit| + 2·passes) × offers × candidates × bins of a load, plus 4 × pairBudget × candidates × bins.
 * Why not a Lagrangian price signal: it moves identical loads to the same new cheapest bin at once (it oscillates
 * unless damped) and needs a repair to be feasible; the greedy is feasible by construction. See docs/fleets.md.
 * Deterministic: no randomness, every tie broken by start time, then offer id.
 * Pure.
 */
import type { PowerSlot } from '../../../contracts/payloads.js';
import { covers, type Tariff } from '../tariff.js';
import { addTo, binLoad, durationMsOf, LIMIT_TOLERANCE_W, overflow, peakOf, slotsProblem, type BinnedLoad, type Profile } from './profile.js';

export interface FleetOffer {
  id: string;
  slots: readonly PowerSlot[];
  /** epoch ms */
  earliestStart: number;
  /** epoch ms: done by then */
  latestEnd: number;
}

export interface CoordinateOptions {
  /** the aggregate limit in W (bin means); default: limitVsBaseline × the no-flex baseline's peak */
  limitW?: number;
  /** without limitW: the limit as a multiple of the baseline's peak; default 1 */
  limitVsBaseline?: number;
  /** bin and candidate step in seconds; must divide the tariff's slot; default 300 */
  binS?: number;
  /** local improvement passes; default 2 */
  passes?: number;
  /** candidates per offer at most (the earliest); default 2016 (a week of 5-minute steps) */
  maxCandidates?: number;
  /** pairs of offers tried in the pair improvement at most (after a result within the limit); default 20,000 */
  pairBudget?: number;
  /** the tighter limits (fractions of the limit) the greedy from empty also runs under; default 1, 0.9, 0.8, 0.7 */
  slack?: readonly number[];
  /** best-fit tolerances the greedy from empty runs with (see bestShift); default 0, 0.03, 0.1 */
  bestFit?: readonly number[];
}

export const COORDINATE_DEFAULTS = { binS: 300, passes: 2, maxCandidates: 2016, limitVsBaseline: 1, pairBudget: 20_000, slack: [1, 0.9, 0.8, 0.7] as readonly number[], bestFit: [0, 0.03, 0.1] as readonly number[] };

export interface FleetAssignment {
  id: string;
  start: number;
  costEur: number;
  baselineStart: number;
  baselineCostEur: number;
  selfishStart: number;
  selfishCostEur: number;
}

export interface FleetRejection {
  id: string;
  code: 'EVN_ERR_FLEET_OFFER';
  reason: string;
}

export interface FleetResult {
  /** in the order of the offers given (rejected ones left out) */
  assignments: FleetAssignment[];
  rejected: FleetRejection[];
  limitW: number;
  peakW: number;
  baselinePeakW: number;
  selfishPeakW: number;
  /** how far the result's peak is above the limit (0: within it) */
  overLimitW: number;
  costEur: number;
  baselineCostEur: number;
  selfishCostEur: number;
  /** peakW / baselinePeakW */
  peakVsBaseline: number;
  /** (baseline − coordinated cost) / (baseline − selfish cost): the share of the selfish saving kept; 1 when there is none to keep */
  savingsVsSelfish: number;
  /** candidate starts priced */
  candidates: number;
}

interface Item {
  offer: FleetOffer;
  load: BinnedLoad;
  /** candidate shifts (bins after the first candidate) sorted by cost, then shift */
  byCost: Int32Array;
  cost: Float64Array;
  energyWs: number;
}

const W_S_PER_MWH = 3.6e9;

function prepareItem(o: FleetOffer, tariff: Tariff, binMs: number, maxCandidates: number): Item | string {
  const bad = slotsProblem(o.slots);
  if (bad) return bad;
  if (!Number.isFinite(o.earliestStart) || !Number.isFinite(o.latestEnd)) return 'the window must be finite';
  const dur = durationMsOf(o.slots);
  const first = Math.ceil(o.earliestStart / binMs) * binMs;
  const last = Math.floor((o.latestEnd - dur) / binMs) * binMs;
  if (last < first) return `no start on the ${binMs / 1000} s grid lets the load (${dur / 1000} s) finish by its deadline`;
  if (!covers(tariff, first, last + dur)) return `tariff ${tariff.source} does not cover the window`;
  const n = Math.min(maxCandidates, (last - first) / binMs + 1);
  const load = binLoad(o.slots, first, binMs);
  const cost = new Float64Array(n);
  const binsPerSlot = tariff.slotMs / binMs;
  const slot0 = tariff.startMs / binMs;
  for (let j = 0; j < n; j++) {
    let c = 0;
    for (let i = 0; i < load.w.length; i++) c += load.w[i]! * tariff.eurPerMwh[Math.floor((load.first + j + i - slot0) / binsPerSlot)]!;
    cost[j] = (c * (binMs / 1000)) / W_S_PER_MWH;
  }
  const byCost = Int32Array.from({ length: n }, (_, j) => j).sort((a, b) => cost[a]! - cost[b]! || a - b);
  const energyWs = load.w.reduce((a, x) => a + x, 0) * (binMs / 1000);
  return { offer: o, load, byCost, cost, energyWs };
}

/**
 * The cheapest shift that fits, else the one that overflows least (then cheapest); [shift, overflow]. With a
 * `fit` tolerance > 0, among the fitting shifts costing at most fit × (the offer's cost range) more than the cheapest
 * fitting one, the one leaving the least headroom in its bins (best fit: fewer gaps later loads cannot use).
 */
function bestShift(p: Profile, it: Item, limitW: number, fit = 0): [number, number] {
  let best = -1;
  let bestOver = Number.POSITIVE_INFINITY;
  const span = it.cost[it.byCost[it.byCost.length - 1]!]! - it.cost[it.byCost[0]!]!;
  let fitCost = Number.NaN;
  let fitJ = -1;
  let fitSlack = Number.POSITIVE_INFINITY;
  for (const j of it.byCost) {
    if (!Number.isNaN(fitCost) && it.cost[j]! > fitCost + fit * span) break;
    const over = overflow(p, it.load, j, limitW);
    if (over === 0) {
      if (Number.isNaN(fitCost)) fitCost = it.cost[j]!;
      // best fit: the least headroom left in the load's bins
      let slack = 0;
      const o = it.load.first + j - p.origin;
      for (let i = 0; i < it.load.w.length; i++) slack += limitW - p.w[o + i]! - it.load.w[i]!;
      if (slack < fitSlack - 1e-9) [fitJ, fitSlack] = [j, slack];
      if (fit === 0) break;
      continue;
    }
    if (Number.isNaN(fitCost) && over < bestOver) [best, bestOver] = [j, over];
  }
  if (fitJ >= 0) return [fitJ, 0];
  return [best, bestOver];
}

function profileFor(items: readonly Item[]): Profile {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const it of items) {
    lo = Math.min(lo, it.load.first);
    hi = Math.max(hi, it.load.first + it.cost.length - 1 + it.load.w.length);
  }
  return { origin: Number.isFinite(lo) ? lo : 0, w: new Float64Array(Number.isFinite(lo) ? hi - lo : 0) };
}

function withShifts(items: readonly Item[], shifts: Int32Array): Profile {
  const p = profileFor(items);
  items.forEach((it, k) => addTo(p, it.load, shifts[k]!, 1));
  return p;
}

const totalCost = (items: readonly Item[], shifts: Int32Array): number => items.reduce((a, it, k) => a + it.cost[shifts[k]!]!, 0);

/** greedy in `order`; from `start` shifts when given (each offer lifted and put back), else from an empty fleet */
function greedy(items: readonly Item[], order: readonly number[], limitW: number, start: Int32Array | null, fit = 0): Int32Array {
  const shifts = start ? Int32Array.from(start) : new Int32Array(items.length);
  const p = start ? withShifts(items, shifts) : profileFor(items);
  for (const k of order) {
    const it = items[k]!;
    if (start) addTo(p, it.load, shifts[k]!, -1);
    const [j, over] = bestShift(p, it, limitW, fit);
    // from a start: a move that fits, or stay (never trade a fitting place for an overflowing one)
    if (start && over > 0 && overflow(p, it.load, shifts[k]!, limitW) === 0) addTo(p, it.load, shifts[k]!, 1);
    else {
      shifts[k] = j;
      addTo(p, it.load, j, 1);
    }
  }
  return shifts;
}

/** lift each offer and put it back at its cheapest fitting candidate; stops when nothing moves */
function improve(items: readonly Item[], shifts: Int32Array, limitW: number, passes: number): void {
  const p = withShifts(items, shifts);
  const byId = items.map((_, k) => k).sort((a, b) => (items[a]!.offer.id < items[b]!.offer.id ? -1 : items[a]!.offer.id > items[b]!.offer.id ? 1 : a - b));
  for (let pass = 0; pass < passes; pass++) {
    let moved = false;
    for (const k of byId) {
      const it = items[k]!;
      addTo(p, it.load, shifts[k]!, -1);
      const [j, over] = bestShift(p, it, limitW);
      const cur = shifts[k]!;
      if (over === 0 && j !== cur && (it.cost[j]! < it.cost[cur]! - 1e-12 || overflow(p, it.load, cur, limitW) > 0)) {
        shifts[k] = j;
        moved = true;
      }
      addTo(p, it.load, shifts[k]!, 1);
    }
    if (!moved) return;
  }
}

/**
 * Pairs: lift two offers whose runs can meet, put them back one after the other (both orders) at their cheapest
 * fitting candidates, keep the cheaper fitting outcome. Work per pair: 2 × 2 × candidates × bins; pairs are tried
 * in id order until `budget` pairs are spent.
 */
function improvePairs(items: readonly Item[], shifts: Int32Array, limitW: number, budget: number): void {
  const p = withShifts(items, shifts);
  const span = items.map((it) => [it.load.first, it.load.first + it.cost.length - 1 + it.load.w.length] as const);
  let spent = 0;
  for (let a = 0; a < items.length && spent < budget; a++) {
    for (let b = a + 1; b < items.length && spent < budget; b++) {
      if (span[a]![1] <= span[b]![0] || span[b]![1] <= span[a]![0]) continue;
      spent++;
      const [A, B] = [items[a]!, items[b]!];
      const before = A.cost[shifts[a]!]! + B.cost[shifts[b]!]!;
      addTo(p, A.load, shifts[a]!, -1);
      addTo(p, B.load, shifts[b]!, -1);
      let best: [number, number] | null = null;
      let bestCost = before - 1e-12;
      for (const [x, y] of [[a, b], [b, a]] as const) {
        const [jx, ox] = bestShift(p, items[x]!, limitW);
        if (ox > 0) continue;
        addTo(p, items[x]!.load, jx, 1);
        const [jy, oy] = bestShift(p, items[y]!, limitW);
        addTo(p, items[x]!.load, jx, -1);
        if (oy > 0) continue;
        const c = items[x]!.cost[jx]! + items[y]!.cost[jy]!;
        if (c < bestCost) [best, bestCost] = [x === a ? [jx, jy] : [jy, jx], c];
      }
      if (best) [shifts[a], shifts[b]] = best;
      addTo(p, A.load, shifts[a]!, 1);
      addTo(p, B.load, shifts[b]!, 1);
    }
  }
}

export function coordinate(offers: readonly FleetOffer[], tariff: Tariff, options: CoordinateOptions = {}): FleetResult {
  const opts = { ...COORDINATE_DEFAULTS, ...options };
  const binMs = opts.binS * 1000;
  const rejected: FleetRejection[] = [];
  const items: Item[] = [];
  if (!(Number.isInteger(binMs) && binMs > 0 && tariff.slotMs % binMs === 0)) {
    for (const o of offers) rejected.push({ id: o.id, code: 'EVN_ERR_FLEET_OFFER', reason: `a bin of ${opts.binS} s does not divide the tariff's ${tariff.slotMs / 1000} s slots` });
  } else {
    for (const o of offers) {
      const it = prepareItem(o, tariff, binMs, opts.maxCandidates);
      if (typeof it === 'string') rejected.push({ id: o.id, code: 'EVN_ERR_FLEET_OFFER', reason: it });
      else items.push(it);
    }
  }
  const baseline = new Int32Array(items.length);
  const selfish = Int32Array.from(items, (it) => it.byCost[0]!);
  const baselinePeakW = peakOf(withShifts(items, baseline));
  const limitW = opts.limitW ?? opts.limitVsBaseline * baselinePeakW;
  const order = items
    .map((_, k) => k)
    .sort((a, b) => {
      const x = items[a]!;
      const y = items[b]!;
      return x.cost.length - y.cost.length || y.energyWs - x.energyWs || (x.offer.id < y.offer.id ? -1 : x.offer.id > y.offer.id ? 1 : a - b);
    });
  const score = (s: Int32Array): [number, number] => {
    const over = peakOf(withShifts(items, s)) - limitW;
    return [over > LIMIT_TOLERANCE_W ? over : 0, totalCost(items, s)];
  };
  const arrival = items
    .map((_, k) => k)
    .sort((x, y) => items[x]!.offer.earliestStart - items[y]!.offer.earliestStart || (items[x]!.offer.id < items[y]!.offer.id ? -1 : items[x]!.offer.id > items[y]!.offer.id ? 1 : x - y));
  // (B) from the baseline, then (A) from empty in both orders under the limit and under tighter ones (slack for
  // the offers that find no room late in the run); the first best by (overflow, cost) in this order wins
  let shifts = greedy(items, order, limitW, baseline);
  let [bestOver, bestCost] = score(shifts);
  for (const f of opts.slack) {
    for (const [ord, fit] of [order, arrival].flatMap((o) => opts.bestFit.map((b) => [o, b] as const))) {
      const x = greedy(items, ord, limitW * f, null, fit);
      const [over, cost] = score(x);
      if (over < bestOver - LIMIT_TOLERANCE_W || (over <= bestOver + LIMIT_TOLERANCE_W && cost < bestCost - 1e-9)) [shifts, bestOver, bestCost] = [x, over, cost];
    }
  }
  improve(items, shifts, limitW, opts.passes);
  if (bestOver === 0) {
    improvePairs(items, shifts, limitW, opts.pairBudget);
    improve(items, shifts, limitW, opts.passes);
  }

  const assignments = items.map((it, k): FleetAssignment => {
    const at = (j: number): number => it.load.first * binMs + j * binMs;
    return {
      id: it.offer.id,
      start: at(shifts[k]!),
      costEur: it.cost[shifts[k]!]!,
      baselineStart: at(0),
      baselineCostEur: it.cost[0]!,
      selfishStart: at(selfish[k]!),
      selfishCostEur: it.cost[selfish[k]!]!,
    };
  });
  const peakW = peakOf(withShifts(items, shifts));
  const costEur = totalCost(items, shifts);
  const baselineCostEur = totalCost(items, baseline);
  const selfishCostEur = totalCost(items, selfish);
  const selfishSaving = baselineCostEur - selfishCostEur;
  return {
    assignments,
    rejected,
    limitW,
    peakW,
    baselinePeakW,
    selfishPeakW: peakOf(withShifts(items, selfish)),
    overLimitW: peakW - limitW > LIMIT_TOLERANCE_W ? peakW - limitW : 0,
    costEur,
    baselineCostEur,
    selfishCostEur,
    peakVsBaseline: baselinePeakW > 0 ? peakW / baselinePeakW : 1,
    savingsVsSelfish: selfishSaving > 1e-12 ? (baselineCostEur - costEur) / selfishSaving : 1,
    candidates: items.reduce((n, it) => n + it.cost.length, 0),
  };
}
