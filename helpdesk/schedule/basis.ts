/**
 * What a load is planned on, and the sentence that says so. Given a snapshot of the prices (source.ts):
 *
 *   prices            the primary prices cover the whole window: the exact optimum on them
 *   known-prices      they do not, but one or more runs of known prices are long enough for the load:
 *                     the best start inside them (real prices beat guessed ones)
 *   partial-fallback  the load fits in no run of known prices: known prices where there are any, the
 *                     fallback tariff elsewhere
 *   fallback          no price at all in the window: the fallback tariff alone
 *   none              no prices and no fallback, or a window the load cannot fit: no plan, a coded
 *                     error (EVN_ERR_PLAN_NO_TARIFF, EVN_ERR_PLAN_INFEASIBLE); the appliance keeps its
 *                     own start, and the note says when that is at the latest
 *
 * The note names the prices, the window and spans in the snapshot's zone, and the feed's last problem
 * (its EVN_ERR_TARIFF_FEED_* code) when the primary fell short. Windows longer than MAX_PLAN_WINDOW_MS
 * are planned within their first part. Pure.
 */
import type { PowerSlot } from '../../contracts/payloads.js';
import { costOfStart, isPlanError, planStart, type Plan, type PlanError } from './planner.js';
import { pricesFor, type TariffSnapshot } from './source.js';
import { knownRuns, type Tariff } from './tariff.js';
import { formatLocal } from '../../contracts/local-time.js';

export const PLAN_BASES = ['prices', 'known-prices', 'partial-fallback', 'fallback', 'none'] as const;
export type PlanBasis = (typeof PLAN_BASES)[number];

/** the longest window planned at once (a deadline further ahead is planned within its first week) */
export const MAX_PLAN_WINDOW_MS = 7 * 86_400_000;

export interface BasisInput {
  slots: readonly PowerSlot[];
  earliestStart: number;
  latestEnd: number;
  snapshot: TariffSnapshot;
  stepS?: number;
}

export interface PlanOutcome {
  /** null when there is no plan (see error); startNowCostEur is NaN when the prices do not cover starting at once */
  plan: Plan | null;
  error: PlanError['error'] | null;
  basis: PlanBasis;
  /** one sentence for staff: what the plan rests on */
  note: string;
  /** the prices the plan was made on (to price its start again); null without a plan */
  priced: Tariff | null;
}

const COST_TIE_EUR = 1e-9;

/** better(a, b): a strictly before b in the planner's order (cost, then grid load, then earlier start) */
function better(a: Plan, b: Plan): boolean {
  if (a.costEur < b.costEur - COST_TIE_EUR) return true;
  if (a.costEur > b.costEur + COST_TIE_EUR) return false;
  if (a.meanGridLoadMw !== null && b.meanGridLoadMw !== null && a.meanGridLoadMw !== b.meanGridLoadMw) return a.meanGridLoadMw < b.meanGridLoadMw;
  return a.start < b.start;
}

export function planOnSnapshot(input: BasisInput): PlanOutcome {
  const { slots, earliestStart: lo, snapshot: snap } = input;
  const zone = snap.timeZone;
  const at = (t: number): string => formatLocal(t, zone);
  const stepMs = (input.stepS ?? 1) * 1000;
  const none = (error: PlanError['error'], note: string): PlanOutcome => ({ plan: null, error, basis: 'none', note, priced: null });
  if (!Number.isFinite(lo) || !Number.isFinite(input.latestEnd) || !(stepMs > 0)) {
    return none({ code: 'EVN_ERR_PLAN_INFEASIBLE', reason: 'the window must be finite' }, 'no plan: the window must be finite; the appliance keeps its own start');
  }
  const cut = input.latestEnd - lo > MAX_PLAN_WINDOW_MS;
  const end = cut ? lo + MAX_PLAN_WINDOW_MS : input.latestEnd;
  const durMs = slots.reduce((a, s) => a + s.durationS * 1000, 0);
  const window = `${at(lo)}–${at(end)} (${zone})${cut ? ', the first 7 days of a longer window' : ''}`;
  const problem = snap.problem ? `; price feed: ${snap.problem.code} at ${at(snap.problem.at)}: ${snap.problem.message}` : '';
  const ownStart = `the appliance keeps its own start (at the latest ${at(input.latestEnd - durMs)})`;

  const p = snap.primary.slice(lo, end);
  const whole = planStart({ slots, earliestStart: lo, latestEnd: end, tariff: p, stepS: input.stepS });
  if (!isPlanError(whole)) return { plan: whole, error: null, basis: 'prices', note: snap.primary.label, priced: p };
  if (whole.error.code === 'EVN_ERR_PLAN_INFEASIBLE') return none(whole.error, `no plan: ${whole.error.reason}; ${ownStart}`);

  // the primary falls short: plan inside the runs of known prices the load fits in
  const runs = knownRuns(p, lo, end);
  const spans = runs.length === 0 ? 'no slot' : runs.length <= 3 ? runs.map((r) => `${at(r.from)}–${at(r.to)}`).join(', ') : `${runs.length} spans between ${at(runs[0]!.from)} and ${at(runs[runs.length - 1]!.to)}`;
  let best: Plan | null = null;
  for (const r of runs) {
    const from = lo + Math.ceil((r.from - lo) / stepMs) * stepMs;
    if (r.to - from < durMs) continue;
    const plan = planStart({ slots, earliestStart: from, latestEnd: r.to, tariff: p, stepS: input.stepS });
    if (isPlanError(plan)) continue;
    if (!best) best = plan;
    else {
      const worstCostEur = Math.max(best.worstCostEur, plan.worstCostEur);
      const candidates: number = best.candidates + plan.candidates;
      best = { ...(better(plan, best) ? plan : best), worstCostEur, candidates };
    }
  }
  if (best) {
    const startNowCostEur = costOfStart(slots, lo, p);
    return {
      plan: { ...best, startNowCostEur },
      error: null,
      basis: 'known-prices',
      note: `${snap.primary.label} known for ${spans} only: planned within them (window ${window})${problem}`,
      priced: p,
    };
  }

  if (snap.fallback) {
    const { tariff, fallbackSlots } = pricesFor(snap, lo, end);
    const plan = planStart({ slots, earliestStart: lo, latestEnd: end, tariff, stepS: input.stepS });
    if (!isPlanError(plan)) {
      const partial = runs.length > 0 && fallbackSlots > 0;
      return {
        plan,
        error: null,
        basis: partial ? 'partial-fallback' : 'fallback',
        note: partial
          ? `${snap.primary.label} for ${spans}, ${snap.fallback.label} (fallback) for the rest of the window ${window}${problem}`
          : `${snap.fallback.label} (fallback): no ${snap.primary.label} for the window ${window}${problem}`,
        priced: tariff,
      };
    }
    if (plan.error.code === 'EVN_ERR_PLAN_INFEASIBLE') return none(plan.error, `no plan: ${plan.error.reason}; ${ownStart}`);
  }
  const reason = `no ${snap.primary.label} for the window ${window} (known: ${spans})${snap.fallback ? ' and the fallback has gaps' : ' and no fallback tariff'}`;
  return none({ code: 'EVN_ERR_PLAN_NO_TARIFF', reason }, `no plan: ${reason}; ${ownStart}${problem}`);
}
