/**
 * Deferrable loads: an appliance announces a flex offer (its power sequence, earliest start,
 * latest end); the helpdesk plans the exact cheapest start on the prices its tariff provider knows
 * now and sends it as a schedule-start command; the appliance's cycle events tell when it really ran.
 * Every load records what its plan rests on (basis, basisNote: the prices, known prices only, the
 * fallback, or no plan and why; schedule/basis.ts): a load without prices for its window is never
 * silent, it says so and logs a code (EVN_ERR_PLAN_FALLBACK, EVN_ERR_PLAN_NO_TARIFF).
 *
 * Memory holds only each device's open offer (the one its cycle events refer to): a newer offer
 * supersedes it (state 'superseded', code EVN_ERR_LOAD_SUPERSEDED in the debug log), a finished one
 * leaves. Every load is in the LoadStore (SQL), which keeps a bounded number per device.
 */
import type { Logger } from 'pino';
import { deviceKey, type DeviceEvent } from '../contracts/index.js';
import { LOAD_ERR, type LoadPage, type LoadQuery, type LoadRecord, type LoadStore } from './loads/store.js';
import type { Outbox } from './outbox.js';
import { CHECKPOINT_ERR, CheckpointError } from './plain.js';
import { planOnSnapshot, type PlanBasis } from './schedule/basis.js';
import { createFleetCoordinator, type FleetCoordinatorOptions } from './schedule/fleet/online.js';
import { costOfStart } from './schedule/planner.js';
import { isTariffSource, pricesFor, snapshotOf, type TariffInput, type TariffSnapshot } from './schedule/source.js';
import type { Tariff } from './schedule/tariff.js';

export type { LoadRecord, LoadSummary, LoadQuery, LoadPage, LoadState } from './loads/store.js';

export interface LoadsDeps {
  /** a tariff (replays) or a provider's current prices */
  tariff: TariffInput;
  outbox: Outbox;
  log: Logger;
  store: LoadStore;
  onChange?: (load: LoadRecord, at: number) => void;
  /**
   * fleet load coordination (schedule/fleet/online.ts): each plan is checked against the power of the open loads
   * planned before it and moved to the cheapest start that keeps the aggregate under limitW; absent: each load alone
   */
  coordination?: FleetCoordinatorOptions;
}

/** NaN (no prices for that run) is stored as unknown */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** how much of a plan rests on prices (a replan replaces a plan only with one that rests on as much or more) */
const BASIS_RANK: Readonly<Record<PlanBasis, number>> = { prices: 4, 'known-prices': 3, 'partial-fallback': 2, fallback: 1, none: 0 };

/** the same offer sent again: same window and power sequence (an id reused for another offer is a new offer) */
const sameOffer = (rec: LoadRecord, e: Extract<DeviceEvent, { type: 'flex-offer' }>): boolean =>
  rec.deadline === e.latestEnd && rec.slots.length === e.slots.length && rec.slots.every((x, i) => x.durationS === e.slots[i]!.durationS && x.powerW === e.slots[i]!.powerW);

/**
 * loads' state in a checkpoint (helpdesk/checkpoint.ts): each device's open offer (the stored load as it
 * is in memory). Not held: which price snapshot was seen last; a restored helpdesk takes the provider's
 * current one as seen at its first tick, as the uninterrupted one does unless a feed refreshed in between.
 */
export interface LoadsSnapshot {
  current: Map<string, LoadRecord>;
  evictedLogged: number;
}

/** counted evictions are logged the first time and then at every power of ten, not once each */
export const worthLogging = (n: number): boolean => /^10*$/.test(String(n));

export function createLoads(deps: LoadsDeps) {
  const { store, log } = deps;
  /** customerId/deviceId -> the device's open offer */
  const current = new Map<string, LoadRecord>();
  let evictedLogged = 0;
  const fleet = deps.coordination ? createFleetCoordinator(deps.coordination) : null;

  function add(rec: LoadRecord): LoadRecord {
    const before = store.evicted();
    const stored = store.add(rec);
    const evicted = store.evicted();
    for (let n = before + 1; n <= evicted; n++) {
      if (!worthLogging(n) || n <= evictedLogged) continue;
      evictedLogged = n;
      log.warn({ code: LOAD_ERR.EVICTED, evicted: n, deviceId: rec.deviceId, customerId: rec.customerId }, "a device's oldest stored loads were deleted to keep it within the retention");
    }
    return stored;
  }

  /** plans an offer on the tariff known now and tells the device; the record is the device's open offer afterwards */
  function planOffer(rec: LoadRecord, customerId: string, deviceId: string, e: Extract<DeviceEvent, { type: 'flex-offer' }>, now: number, onlyIfBetter = false): void {
    // a plan cannot start before the helpdesk has decided: the earliest start is now, on a whole second
    // (starts are tried second by second from it: so they meet the price slots' boundaries)
    const snapshot = snapshotOf(deps.tariff);
    const earliestStart = Math.ceil(Math.max(e.earliestStart, now) / 1000) * 1000;
    const o = planOnSnapshot({ slots: e.slots, earliestStart, latestEnd: e.latestEnd, snapshot });
    // planned again on new prices: only a plan that rests on more of them, or starts elsewhere, replaces the one sent
    if (onlyIfBetter) {
      const was = BASIS_RANK[rec.basis ?? 'none'];
      const becomes = BASIS_RANK[o.basis];
      if (!o.plan || !o.priced || becomes < was || (becomes === was && o.plan.start === rec.plannedStart)) return;
      log.info({ deviceId, offerId: e.offerId, basis: o.basis, was: rec.basis }, 'new prices: the open load is planned again');
    }
    current.set(deviceKey(customerId, deviceId), rec);
    rec.planError = null;
    rec.basis = o.basis;
    rec.basisNote = o.note;
    const why = { deviceId, offerId: e.offerId, basis: o.basis, feed: snapshot.problem?.code };
    if (!o.plan || !o.priced) {
      rec.planError = o.error?.code ?? LOAD_ERR.FALLBACK;
      store.update(rec);
      deps.onChange?.({ ...rec }, now);
      log.warn({ ...why, code: rec.planError, reason: o.error?.reason }, o.note);
      return;
    }
    const plan = o.plan;
    const start = fleet ? coordinated(deviceKey(customerId, deviceId), e, earliestStart, o.priced, plan.start, now) : plan.start;
    Object.assign(rec, {
      plannedStart: start,
      // priced by the same function as the real run below, so an on-time start costs exactly the optimum
      optimalCostEur: costOfStart(e.slots, start, o.priced),
      startNowCostEur: finite(plan.startNowCostEur),
      energyKwh: plan.energyKwh,
      meanGridLoadMw: plan.meanGridLoadMw,
    });
    store.update(rec);
    deps.outbox.command(customerId, deviceId, now, { action: 'schedule-start', offerId: e.offerId, startAt: start });
    deps.onChange?.({ ...rec }, now);
    if (o.basis !== 'prices') log.warn({ ...why, code: LOAD_ERR.FALLBACK }, `load planned on ${o.basis}: ${o.note}`);
    log.info({ deviceId, offerId: e.offerId, plannedStart: new Date(start).toISOString(), costEur: start === plan.start ? plan.costEur : rec.optimalCostEur, startNowCostEur: plan.startNowCostEur }, 'load planned');
  }

  /** the start the fleet coordinator gives the load (its own optimum while that fits the limit) */
  function coordinated(key: string, e: Extract<DeviceEvent, { type: 'flex-offer' }>, earliestStart: number, priced: Tariff, optimum: number, now: number): number {
    fleet!.expire(now);
    const placed = fleet!.place({ id: key, slots: e.slots, earliestStart, latestEnd: e.latestEnd }, priced, optimum);
    if ('error' in placed) {
      log.warn({ code: placed.error.code, offerId: e.offerId, key, reason: placed.error.reason }, 'the fleet coordinator cannot place the load: its own optimum is kept');
      return optimum;
    }
    if (placed.overLimitW > 0) log.warn({ offerId: e.offerId, key, overLimitW: placed.overLimitW, limitW: fleet!.limitW }, 'no start keeps the fleet under its limit: the one that exceeds it least');
    return placed.start;
  }

  let seen: TariffSnapshot | null = null;

  return {
    /**
     * The helpdesk's event time moved to `now`. When the provider's prices changed (a feed's refresh),
     * every open load that has not started and was planned without full prices is planned again from
     * now; a better plan (on more prices, or another start) is sent to the device and recorded.
     */
    tick(now: number): void {
      if (!isTariffSource(deps.tariff)) return;
      const snap = deps.tariff.current();
      if (snap === seen) return;
      const first = seen === null;
      seen = snap;
      if (first) return;
      for (const rec of [...current.values()]) {
        if (rec.actualStart !== null || rec.basis === 'prices' || (rec.plannedStart !== null && rec.plannedStart <= now)) continue;
        const again = { v: 1, ts: now, seq: 0, type: 'flex-offer', offerId: rec.offerId, programme: rec.programme, earliestStart: now, latestEnd: rec.deadline, slots: rec.slots } as const;
        planOffer(rec, rec.customerId, rec.deviceId, again, now, true);
      }
    },
    offer(customerId: string, deviceId: string, e: Extract<DeviceEvent, { type: 'flex-offer' }>, now: number): void {
      const key = deviceKey(customerId, deviceId);
      const open = current.get(key);
      if (open && open.offerId === e.offerId && sameOffer(open, e)) {
        // the device sent its offer again: it never heard our answer (it was offline, pending, restarted)
        if (open.actualStart !== null) return;
        if (open.plannedStart !== null) {
          deps.outbox.command(customerId, deviceId, now, { action: 'schedule-start', offerId: e.offerId, startAt: open.plannedStart });
          log.debug({ code: LOAD_ERR.REPEATED, deviceId, offerId: e.offerId }, 'an offer came again: its plan is sent again');
          return;
        }
        // no plan yet: try again in place (prices may be known now), the load keeps its id
        current.delete(key);
        planOffer(open, customerId, deviceId, e, now);
        return;
      }
      if (open) {
        Object.assign(open, { state: 'superseded', supersededAt: e.ts });
        fleet?.release(key);
        store.update(open);
        deps.onChange?.({ ...open }, now);
        log.debug({ code: LOAD_ERR.SUPERSEDED, deviceId, offerId: open.offerId, by: e.offerId }, 'a newer offer supersedes the open one');
      }
      const rec = add({
        id: 0, deviceId, customerId, offerId: e.offerId, programme: e.programme, state: 'offered', requestedAt: e.ts, deadline: e.latestEnd,
        plannedStart: null, actualStart: null, finishedAt: null, supersededAt: null, costEur: null, optimalCostEur: null,
        startNowCostEur: null, energyKwh: null, meanGridLoadMw: null, planError: null, basis: null, basisNote: null,
        durationS: e.slots.reduce((s, x) => s + x.durationS, 0), slotCount: e.slots.length, slots: e.slots,
      });
      planOffer(rec, customerId, deviceId, e, now);
    },
    cycle(customerId: string, deviceId: string, e: Extract<DeviceEvent, { type: 'cycle' }>): void {
      const key = deviceKey(customerId, deviceId);
      const rec = current.get(key);
      if (!rec) return;
      if (e.state === 'started' && rec.actualStart === null) {
        rec.actualStart = e.ts;
        rec.state = 'running';
        // the prices known now (a plan on the fallback may run on prices published since)
        const { tariff } = pricesFor(snapshotOf(deps.tariff), e.ts, e.ts + rec.durationS * 1000);
        rec.costEur = finite(costOfStart(rec.slots, e.ts, tariff));
        store.update(rec);
        deps.onChange?.({ ...rec }, e.ts);
      } else if (e.state === 'finished' && rec.actualStart !== null) {
        rec.finishedAt = e.ts;
        rec.state = 'finished';
        fleet?.release(key);
        store.update(rec);
        deps.onChange?.({ ...rec }, e.ts);
        current.delete(key);
      }
    },
    /** summaries, newest first unless asked otherwise, filtered and paged by the store */
    page: (q?: LoadQuery): LoadPage => store.page(q),
    /** the same with power sequences */
    pageWithSlots: (q?: LoadQuery): LoadPage<LoadRecord> => store.pageWithSlots(q),
    /** how many devices have an open offer in memory */
    open: (): number => current.size,
    snapshot(): LoadsSnapshot {
      if (fleet) throw new CheckpointError(CHECKPOINT_ERR.INVALID, 'fleet load coordination (LoadsDeps.coordination) is not held in a checkpoint');
      return { current: new Map(current), evictedLogged };
    },
    restore(s: LoadsSnapshot): void {
      for (const [k, v] of s.current) current.set(k, v);
      evictedLogged = s.evictedLogged;
    },
    /** Forgets every load of one customer, open offers included (an erasure); returns how many stored loads went. */
    forget(customerId: string): number {
      for (const key of [...current.keys()]) {
        if (!key.startsWith(`${customerId}/`)) continue;
        fleet?.release(key);
        current.delete(key);
      }
      return store.forget(customerId);
    },
  };
}
