/**
 * Group `coordination`: fleet load coordination (helpdesk/schedule/fleet) on the bundled 2020 tariff.
 * Synthetic washers (cotton-40 or quick-30) offered in the evening of 2020-11-02 (local time, 17:00 to 23:00,
 * seeded: devices/kinds/rng.ts `prng`), each done by 07:00 next day; the limit is the no-flex baseline's peak.
 *
 *   coordination.fleet{N}.peakVsBaseline    the coordinated peak over the baseline's (everyone at its earliest start)
 *   coordination.fleet{N}.savingsVsSelfish  the share of the selfish saving kept (each washer alone at its exact optimum, planner.ts)
 *   coordination.fleet{N}.savingsUpperBound  no assignment within the limit keeps more: the Lagrangian bound of the bin limits
 *                                           over starts at any instant (helpdesk/schedule/fleet/bound.ts; the LP relaxation's value)
 *   coordination.fleet{N}.gridSelfishSavings  what each washer alone at its cheapest start on the coordinator's grid keeps (1 − the grid's loss)
 *   coordination.fleet{N}.selfishPeakVsBaseline  the peak if every washer took its own optimum (what coordination avoids)
 *   coordination.fleet{N}.planMs           the batch coordination's wall time (the exact selfish plans excluded)
 *   coordination.fleet{N}.boundMs          the bound's wall time
 *   coordination.fleet{N}.onlinePeakVsBaseline, .onlineSavingsVsSelfish, .onlinePlanMs  the same, offers planned one by one as they arrive
 * N = 1000 and 10000; coordination.fleet{N}.limit1.1.* the same with the limit at 1.1 × the baseline's peak (the issue's
 * allowance). `fleet.peakVsBaseline` and `fleet.savingsVsSelfish` are bench `fleet`'s: the same coordination of the
 * offers a replayed fleet's washers really made.
 */
import { round } from '../contracts/round.js';
import type { PowerSlot } from '../contracts/payloads.js';
import { prng } from '../devices/kinds/rng.js';
import { PROGRAMMES, powerSequence } from '../devices/kinds/washer.js';
import { coordinate, type FleetOffer } from '../helpdesk/schedule/fleet/coordinate.js';
import { costLowerBound } from '../helpdesk/schedule/fleet/bound.js';
import { createFleetCoordinator } from '../helpdesk/schedule/fleet/online.js';
import { isPlanError, planStart } from '../helpdesk/schedule/planner.js';
import { loadTariff } from '../helpdesk/schedule/tariff-file.js';
import { BUNDLED_TARIFF } from '../stack/paths.js';
import type { Tariff } from '../helpdesk/schedule/tariff.js';

const EVENING = Date.parse('2020-11-02T17:00:00+01:00');
const DONE_BY = Date.parse('2020-11-03T07:00:00+01:00');

export function eveningWashers(n: number, seed = 7): FleetOffer[] {
  const rnd = prng(seed);
  const programmes: PowerSlot[][] = [powerSequence(PROGRAMMES['cotton-40']!), powerSequence(PROGRAMMES['quick-30']!)];
  return Array.from({ length: n }, (_, i) => ({
    id: `washer-${String(i).padStart(5, '0')}`,
    slots: programmes[rnd() < 0.7 ? 0 : 1]!,
    earliestStart: EVENING + Math.floor(rnd() * 6 * 3600) * 1000,
    latestEnd: DONE_BY,
  }));
}

function figures(n: number, tariff: Tariff, limitVsBaseline = 1): Record<string, number> {
  return offerFigures(eveningWashers(n), tariff, limitVsBaseline, `coordination.fleet${n}${limitVsBaseline === 1 ? '' : `.limit${limitVsBaseline}`}`);
}

/** the coordination figures of any fleet's offers (bench `fleet` passes the offers its replay's washers made), keyed under `k` */
export function offerFigures(offers: readonly FleetOffer[], tariff: Tariff, limitVsBaseline: number, k: string): Record<string, number> {
  const t0 = performance.now();
  const r = coordinate(offers, tariff, { limitVsBaseline });
  const planMs = performance.now() - t0;
  // the selfish optimum as the helpdesk plans it today: each alone, exactly (1 s starts)
  let exactSelfish = 0;
  const selfishStart = new Map<string, number>();
  for (const o of offers) {
    const p = planStart({ ...o, tariff });
    if (isPlanError(p)) throw new Error(p.error.reason);
    exactSelfish += p.costEur;
    selfishStart.set(o.id, p.start);
  }
  const kept = (cost: number): number => (r.baselineCostEur - cost) / (r.baselineCostEur - exactSelfish);
  // no assignment of starts within the limit (any instants, on any grid) costs less: the Lagrangian bound (bound.ts)
  const t2 = performance.now();
  const bound = costLowerBound(offers, tariff, { limitW: r.limitW, upperEur: r.costEur });
  const boundMs = performance.now() - t2;
  // online: in order of arrival (earliest start), against what is committed, the same limit
  const live = createFleetCoordinator({ limitW: r.limitW });
  const t1 = performance.now();
  let onlineCost = 0;
  for (const o of [...offers].sort((a, b) => a.earliestStart - b.earliestStart || (a.id < b.id ? -1 : 1))) {
    const p = live.place(o, tariff, selfishStart.get(o.id));
    if ('error' in p) throw new Error(p.error.reason);
    onlineCost += p.costEur;
  }
  const onlinePlanMs = performance.now() - t1;
  return {
    [`${k}.peakVsBaseline`]: round(r.peakVsBaseline, 4),
    [`${k}.savingsVsSelfish`]: round(kept(r.costEur), 4),
    [`${k}.savingsUpperBound`]: round(kept(bound.costEur), 4),
    [`${k}.gridSelfishSavings`]: round(kept(r.selfishCostEur), 4),
    [`${k}.selfishPeakVsBaseline`]: round(r.selfishPeakW / r.baselinePeakW, 4),
    [`${k}.planMs`]: round(planMs, 1),
    [`${k}.boundMs`]: round(boundMs, 1),
    [`${k}.onlinePeakVsBaseline`]: round(live.peakW() / r.baselinePeakW, 4),
    [`${k}.onlineSavingsVsSelfish`]: round(kept(onlineCost), 4),
    [`${k}.onlinePlanMs`]: round(onlinePlanMs, 1),
  };
}

export async function benchCoordination(): Promise<Record<string, number>> {
  const tariff = loadTariff(BUNDLED_TARIFF);
  const small = figures(1000, tariff);
  const big = figures(10_000, tariff);
  const smallLoose = figures(1000, tariff, 1.1);
  const loose = figures(10_000, tariff, 1.1);
  // the fleet's own offers under the issue's allowance (1.1 x the baseline's peak) are bench `fleet`'s fleet.peakVsBaseline
  return { ...small, ...smallLoose, ...big, ...loose };
}
