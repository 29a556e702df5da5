/**
 * Online load coordination: offers arrive one by one (live), each is placed against the power already committed by
 * the loads planned before it that have not ended, under a given aggregate limit (bin means, profile.ts).
 *
 * `place(offer, tariff, preferredStart?)`: the preferred start (the exact selfish optimum from planner.ts, when the
 * caller has one) is kept when it fits the limit, so nothing changes while there is room; otherwise the cheapest
 * start on the bin grid that fits (ties: the earliest); when none fits, the one that overflows least (then cheapest),
 * reported as `overLimitW` > 0, never silently. Placing an id again replaces its earlier load; `release` forgets a
 * load (finished, superseded); `expire(now)` forgets the loads that have ended. Work per offer: candidates × bins of
 * the load (at most maxCandidates candidates, the earliest ones). Memory: the committed loads' bins.
 * Deterministic: the same offers in the same order give the same starts.
 */
import type { Tariff } from '../tariff.js';
import { COORDINATE_DEFAULTS, type FleetOffer } from './coordinate.js';
import { binLoad, durationMsOf, LIMIT_TOLERANCE_W, slotsProblem, type BinnedLoad } from './profile.js';
import { costOfStart } from '../planner.js';

export interface FleetCoordinatorOptions {
  /** the aggregate limit in W (bin means) */
  limitW: number;
  /** bin and candidate step in seconds; must divide the tariff's slot; default 300 */
  binS?: number;
  /** candidates per offer at most; default 2016 */
  maxCandidates?: number;
}

export interface Placement {
  start: number;
  costEur: number;
  /** how far this load takes the aggregate above the limit at worst (0: it fits) */
  overLimitW: number;
  /** true when the preferred start was kept */
  preferred: boolean;
}

export interface PlacementError {
  error: { code: 'EVN_ERR_FLEET_OFFER'; reason: string };
}

interface Committed {
  load: BinnedLoad;
  end: number;
}

export function createFleetCoordinator(options: FleetCoordinatorOptions) {
  const opts = { ...COORDINATE_DEFAULTS, ...options };
  const binMs = opts.binS * 1000;
  const limitW = opts.limitW;
  /** bin -> committed watts */
  const bins = new Map<number, number>();
  const loads = new Map<string, Committed>();

  const add = (load: BinnedLoad, sign: 1 | -1): void => {
    for (let i = 0; i < load.w.length; i++) {
      const b = load.first + i;
      const v = (bins.get(b) ?? 0) + sign * load.w[i]!;
      if (Math.abs(v) <= LIMIT_TOLERANCE_W) bins.delete(b);
      else bins.set(b, v);
    }
  };
  const over = (load: BinnedLoad, shift: number): number => {
    let worst = 0;
    for (let i = 0; i < load.w.length; i++) worst = Math.max(worst, (bins.get(load.first + shift + i) ?? 0) + load.w[i]! - limitW);
    return worst > LIMIT_TOLERANCE_W ? worst : 0;
  };
  const release = (id: string): void => {
    const c = loads.get(id);
    if (!c) return;
    add(c.load, -1);
    loads.delete(id);
  };
  const fail = (reason: string): PlacementError => ({ error: { code: 'EVN_ERR_FLEET_OFFER', reason } });

  function choose(o: FleetOffer, tariff: Tariff, preferredStart: number | undefined): { start: number; load: BinnedLoad; over: number; preferred: boolean } | PlacementError {
    const bad = slotsProblem(o.slots);
    if (bad) return fail(bad);
    if (!(Number.isFinite(limitW) && limitW >= 0)) return fail('the limit must be a finite number of watts >= 0');
    if (!(Number.isInteger(binMs) && binMs > 0 && tariff.slotMs % binMs === 0)) return fail(`a bin of ${opts.binS} s does not divide the tariff's slots`);
    const dur = durationMsOf(o.slots);
    if (preferredStart !== undefined && Number.isFinite(preferredStart)) {
      const load = binLoad(o.slots, preferredStart, binMs);
      if (over(load, 0) === 0) return { start: preferredStart, load, over: 0, preferred: true };
    }
    const first = Math.ceil(o.earliestStart / binMs) * binMs;
    const last = Math.floor((o.latestEnd - dur) / binMs) * binMs;
    if (!(Number.isFinite(first) && Number.isFinite(last)) || last < first) return fail(`no start on the ${opts.binS} s grid lets the load finish by its deadline`);
    const n = Math.min(opts.maxCandidates, (last - first) / binMs + 1);
    const load = binLoad(o.slots, first, binMs);
    let best: { j: number; over: number; cost: number } | null = null;
    for (let j = 0; j < n; j++) {
      const cost = costOfStart(o.slots, first + j * binMs, tariff);
      if (Number.isNaN(cost)) return fail(`tariff ${tariff.source} does not cover the window`);
      const ov = over(load, j);
      if (!best || ov < best.over - LIMIT_TOLERANCE_W || (Math.abs(ov - best.over) <= LIMIT_TOLERANCE_W && cost < best.cost - 1e-12)) best = { j, over: ov, cost };
    }
    const start = first + best!.j * binMs;
    return { start, load: binLoad(o.slots, start, binMs), over: best!.over, preferred: false };
  }

  return {
    limitW,
    /** plans `o` against what is committed and commits it (replacing an earlier load of the same id) */
    place(o: FleetOffer, tariff: Tariff, preferredStart?: number): Placement | PlacementError {
      const was = loads.get(o.id);
      release(o.id);
      const c = choose(o, tariff, preferredStart);
      if ('error' in c) {
        if (was) {
          add(was.load, 1);
          loads.set(o.id, was);
        }
        return c;
      }
      add(c.load, 1);
      loads.set(o.id, { load: c.load, end: c.start + durationMsOf(o.slots) });
      return { start: c.start, costEur: costOfStart(o.slots, c.start, tariff), overLimitW: c.over, preferred: c.preferred };
    },
    release,
    /** forgets the loads that ended at or before `now` */
    expire(now: number): void {
      for (const [id, c] of loads) if (c.end <= now) release(id);
    },
    /** the committed aggregate's highest bin mean, W */
    peakW(): number {
      let m = 0;
      for (const v of bins.values()) m = Math.max(m, v);
      return m;
    },
    committed: (): number => loads.size,
  };
}
