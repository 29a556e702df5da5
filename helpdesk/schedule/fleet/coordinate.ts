/**
 * Batch load coordination: given the open flex offers of a fleet and one tariff, choose every start so that the
 * fleet's aggregate power (bin means, profile.ts) stays under a limit while the total cost stays near the selfish
 * optimum (each offer alone at its cheapest start).
 *
 * Candidates (candidates.ts): starts every `stepS` (default: the bin, 300 s) since the epoch, from the earliest start
 * rounded up to the latest start that still ends by the deadline, at most maxCandidates of them (the earliest ones).
 * A step finer than the bin gives each load one bin profile per offset within the bin; each is priced exactly (a bin
 * lies in one price slot).
 *   baseline  every offer at its first candidate (its earliest start, rounded up to the step): the no-flex fleet
 *   selfish   every offer at its cheapest candidate, ignoring the others (ties: the earliest)
 *   limit     options.limitW, or limitVsBaseline (≥ 1) × the baseline's peak: then the baseline itself is feasible
 *
 * Algorithm. Starting points, the best by (overflow, cost) kept:
 *   (B) from the baseline, each offer (least flexible first) moved to its cheapest start that fits: the fleet never
 *       leaves the limit;
 *   (L) the Lagrangian multipliers of the bin limits on this grid (bound.ts, `iterations` steps) price the bins the
 *       limit fills; greedy placements on cost + multipliers, from empty and from the baseline, in four sequences
 *       (least flexible first, by arrival, by each offer's cheapest start on cost + multipliers, early and late first);
 *   (A) greedy from empty on cost, least flexible first and by arrival, under the limit and under tighter ones
 *       (`slack`), which leave room for the offers placed last (and find a fitting fleet under a limit below the
 *       baseline's peak).
 * Then local search on the true cost, every move keeping the fleet within the limit: each offer lifted and put back
 * at its cheapest fitting start (`passes`); ejections (eject.ts: an offer takes a cheaper start by lifting another
 * offer that covers the bins it would overflow, which goes to its cheapest fitting start; `ejectPasses`, each offer
 * trying `ejectTries` cheaper starts and `ejectVictims` others); pairs lifted and put back (`pairBudget`).
 * An offer that fits nowhere goes where it overflows least (then cheapest): the result reports it (overLimitW > 0).
 * Guarantee: when the baseline fits the limit (always so with the derived limit), the result fits it.
 * Deterministic: no randomness, every tie broken by start time, then offer id; the same offers in any order give the
 * same starts. `boundCostEur`: no assignment on this grid within the limit costs less. See docs/fleets.md.
 * Pure.
 */
import type { PowerSlot } from '../../../contracts/payloads.js';
import type { Tariff } from '../tariff.js';
import { costLowerBound } from './bound.js';
import { buildGrid, reducedCosts, sortedBy } from './candidates.js';
import { durationMsOf, LIMIT_TOLERANCE_W } from './profile.js';
import { improveEjections } from './eject.js';
import { costOf, firstFit, greedy, improve, improvePairs, profileOf } from './search.js';

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
  /** bin length in seconds (the peak is the largest bin mean); must divide the tariff's slot; default 300 */
  binS?: number;
  /** candidate start step in seconds; must divide binS; default binS */
  stepS?: number;
  /** subgradient steps of the Lagrangian multipliers that guide the placement (bound.ts); 0: none; default 300 */
  iterations?: number;
  /** passes of single moves (lift, put back at the cheapest fitting start); default 2 */
  passes?: number;
  /** passes of ejection moves (eject.ts), until one moves nothing; default 8 */
  ejectPasses?: number;
  /** cheaper starts an offer tries per ejection pass; default 40 */
  ejectTries?: number;
  /** other offers tried for each cheaper start; default 20 */
  ejectVictims?: number;
  /**
   * cheaper starts and other offers tried in all ejection passes, at most (bounds the work on large fleets); default
   * 600,000 or 700 an offer, whichever is more (a fixed budget reached only part of 4,556 offers: 0.904 of the selfish
   * saving where 700 an offer keeps 0.920, in about 6 s)
   */
  ejectBudget?: number;
  /** candidates per offer at most (the earliest); default 2016 (a week of 5-minute steps) */
  maxCandidates?: number;
  /** pairs of offers tried in the pair improvement at most (after a result within the limit); default 20,000 */
  pairBudget?: number;
  /** the tighter limits (fractions of the limit) the greedy from empty also runs under; default 1, 0.9, 0.8, 0.7 */
  slack?: readonly number[];
}

export const COORDINATE_DEFAULTS = { ejectPasses: 8, ejectTries: 40, ejectVictims: 20, ejectBudget: undefined as number | undefined, binS: 300, stepS: undefined as number | undefined, iterations: 300, passes: 2, maxCandidates: 2016, limitVsBaseline: 1, pairBudget: 20_000, slack: [1, 0.9, 0.8, 0.7] as readonly number[] };

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
  /** no assignment on this grid within the limit costs less (the Lagrangian bound, bound.ts); NaN when not computed */
  boundCostEur: number;
  /** peakW / baselinePeakW */
  peakVsBaseline: number;
  /** (baseline − coordinated cost) / (baseline − selfish cost): the share of the selfish saving kept; 1 when there is none to keep */
  savingsVsSelfish: number;
  /** candidate starts priced */
  candidates: number;
}

export function coordinate(offers: readonly FleetOffer[], tariff: Tariff, options: CoordinateOptions = {}): FleetResult {
  const opts = { ...COORDINATE_DEFAULTS, ...options };
  const binMs = opts.binS * 1000;
  const stepMs = (opts.stepS ?? opts.binS) * 1000;
  const okGrid = Number.isInteger(binMs) && binMs > 0 && tariff.slotMs % binMs === 0 && Number.isInteger(stepMs) && stepMs > 0 && binMs % stepMs === 0;
  const grid = okGrid ? buildGrid(offers, tariff, binMs, stepMs, opts.maxCandidates) : buildGrid([], tariff, 1, 1, 1);
  const rejected: FleetRejection[] = okGrid
    ? grid.rejected.map((r) => ({ id: r.id, code: 'EVN_ERR_FLEET_OFFER', reason: r.reason }))
    : offers.map((o) => ({ id: o.id, code: 'EVN_ERR_FLEET_OFFER', reason: `a bin of ${opts.binS} s does not divide the tariff's ${tariff.slotMs / 1000} s slots, or a step of ${opts.stepS} s the bin` }));
  const items = grid.items;
  const baseline = Int32Array.from(items, (it) => it.gFirst);
  const selfish = Int32Array.from(items, (it) => firstFit(grid, new Float64Array(grid.nBins), it, it.shape.byCost, Number.POSITIVE_INFINITY)[0]);
  const baselinePeakW = peak(profileOf(grid, baseline));
  const limitW = opts.limitW ?? opts.limitVsBaseline * baselinePeakW;
  const byId = (a: number, b: number): number => (items[a]!.offer.id < items[b]!.offer.id ? -1 : items[a]!.offer.id > items[b]!.offer.id ? 1 : a - b);
  const all = items.map((_, k) => k);
  const inflexible = [...all].sort((a, b) => items[a]!.gLast - items[a]!.gFirst - (items[b]!.gLast - items[b]!.gFirst) || items[b]!.energyWs - items[a]!.energyWs || byId(a, b));
  const arrival = [...all].sort((a, b) => items[a]!.gFirst - items[b]!.gFirst || byId(a, b));
  const ids = [...all].sort(byId);
  const score = (s: Int32Array): [number, number] => {
    const over = peak(profileOf(grid, s)) - limitW;
    return [over > LIMIT_TOLERANCE_W ? over : 0, costOf(grid, s)];
  };
  const byCost = grid.shapes.map((s) => s.byCost);
  // (B) from the baseline, cheapest fitting start, least flexible first: never leaves the limit when the baseline fits
  let starts = greedy(grid, inflexible, limitW, byCost, baseline);
  let [bestOver, bestCost] = score(starts);
  const consider = (x: Int32Array): void => {
    const [over, cost] = score(x);
    if (over < bestOver - LIMIT_TOLERANCE_W || (over <= bestOver + LIMIT_TOLERANCE_W && cost < bestCost - 1e-12)) [starts, bestOver, bestCost] = [x, over, cost];
  };
  // (L) the Lagrangian multipliers of the limit on this grid price the bins it fills; greedy on cost + multipliers
  let boundCostEur = Number.NaN;
  if (items.length && opts.iterations > 0) {
    const bound = costLowerBound(
      items.map((it) => ({ id: it.offer.id, slots: it.offer.slots, earliestStart: it.gFirst * stepMs, latestEnd: it.gLast * stepMs + durationMsOf(it.offer.slots) })),
      tariff,
      { limitW, binS: opts.binS, stepS: stepMs / 1000, iterations: opts.iterations, upperEur: bestOver === 0 ? bestCost : undefined },
    );
    boundCostEur = bound.costEur;
    const lambda = new Float64Array(grid.nBins);
    for (let i = 0; i < grid.nBins; i++) lambda[i] = bound.multipliers[grid.originBin + i - bound.originBin] ?? 0;
    const reduced = reducedCosts(grid, lambda).map(sortedBy);
    // each item's cheapest start by cost + multipliers (the relaxation's choice), and sequences along it
    const shapeIndex = new Map(grid.shapes.map((sh, i) => [sh, i]));
    const favourite = items.map((it) => firstFit(grid, new Float64Array(grid.nBins), it, reduced[shapeIndex.get(it.shape)!]!, Number.POSITIVE_INFINITY)[0]);
    const early = [...all].sort((a, b) => favourite[a]! - favourite[b]! || byId(a, b));
    const late = [...all].sort((a, b) => favourite[b]! - favourite[a]! || byId(a, b));
    for (const seq of [inflexible, arrival, early, late]) {
      consider(greedy(grid, seq, limitW, reduced, null));
      consider(greedy(grid, seq, limitW, reduced, baseline));
    }
  }
  // (A) greedy from empty on cost under the limit and under tighter ones, which leave room for the items placed last
  for (const f of opts.slack) for (const seq of [inflexible, arrival]) consider(greedy(grid, seq, limitW * f, byCost, null));
  improve(grid, starts, ids, limitW, opts.passes);
  if (bestOver === 0) {
    let left = opts.ejectBudget ?? Math.max(600_000, 700 * items.length);
    for (let pass = 0; pass < opts.ejectPasses && left > 0; pass++) {
      // the offers furthest above their own cheapest start first
      const regret = items.map((it, k) => it.shape.cost[starts[k]! - grid.g0]! - it.shape.cost[selfish[k]! - grid.g0]!);
      const sequence = [...ids].sort((a, b) => regret[b]! - regret[a]! || byId(a, b));
      const r = improveEjections(grid, starts, sequence, limitW, { tries: opts.ejectTries, victims: opts.ejectVictims, budget: left });
      left -= r.spent;
      if (r.moves === 0) break;
    }
    improve(grid, starts, ids, limitW, opts.passes);
  }
  if (bestOver === 0) {
    improvePairs(grid, starts, ids, limitW, opts.pairBudget);
    improve(grid, starts, ids, limitW, opts.passes);
  }

  const at = (g: number): number => g * stepMs;
  const costAt = (it: (typeof items)[number], g: number): number => it.shape.cost[g - grid.g0]!;
  const assignments = items.map((it, k): FleetAssignment => ({
    id: it.offer.id,
    start: at(starts[k]!),
    costEur: costAt(it, starts[k]!),
    baselineStart: at(baseline[k]!),
    baselineCostEur: costAt(it, baseline[k]!),
    selfishStart: at(selfish[k]!),
    selfishCostEur: costAt(it, selfish[k]!),
  }));
  const peakW = peak(profileOf(grid, starts));
  const costEur = costOf(grid, starts);
  const baselineCostEur = costOf(grid, baseline);
  const selfishCostEur = costOf(grid, selfish);
  const selfishSaving = baselineCostEur - selfishCostEur;
  return {
    assignments,
    rejected,
    limitW,
    peakW,
    baselinePeakW,
    selfishPeakW: peak(profileOf(grid, selfish)),
    overLimitW: peakW - limitW > LIMIT_TOLERANCE_W ? peakW - limitW : 0,
    costEur,
    baselineCostEur,
    selfishCostEur,
    boundCostEur,
    peakVsBaseline: baselinePeakW > 0 ? peakW / baselinePeakW : 1,
    savingsVsSelfish: selfishSaving > 1e-12 ? (baselineCostEur - costEur) / selfishSaving : 1,
    candidates: items.reduce((n, it) => n + it.gLast - it.gFirst + 1, 0),
  };
}

const peak = (p: Float64Array): number => p.reduce((m, x) => Math.max(m, x), 0);
