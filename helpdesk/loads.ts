/**
 * Deferrable loads: an appliance announces a flex offer (its power sequence, earliest start,
 * latest end); the helpdesk plans the exact cheapest start on the tariff and sends it as a
 * schedule-start command; the appliance's cycle events tell when it really ran.
 */
import type { Logger } from 'pino';
import type { DeviceEvent, PowerSlot } from '../contracts/index.js';
import type { Outbox } from './outbox.js';
import { costOfStart, isPlanError, planStart } from './schedule/planner.js';
import type { Tariff } from './schedule/tariff.js';

export interface LoadRecord {
  deviceId: string;
  customerId: string;
  offerId: string;
  programme: string;
  requestedAt: number;
  deadline: number;
  plannedStart: number | null;
  actualStart: number | null;
  finishedAt: number | null;
  costEur: number | null;
  optimalCostEur: number | null;
  startNowCostEur: number | null;
  energyKwh: number | null;
  meanGridLoadMw: number | null;
  planError: string | null;
  slots: PowerSlot[];
}

export function createLoads(deps: { tariff: Tariff; outbox: Outbox; log: Logger; onChange?: (load: LoadRecord, at: number) => void }) {
  const records: LoadRecord[] = [];
  const current = new Map<string, LoadRecord>();

  return {
    offer(customerId: string, deviceId: string, e: Extract<DeviceEvent, { type: 'flex-offer' }>, now: number): void {
      const rec: LoadRecord = {
        deviceId, customerId, offerId: e.offerId, programme: e.programme, requestedAt: e.ts, deadline: e.latestEnd,
        plannedStart: null, actualStart: null, finishedAt: null, costEur: null, optimalCostEur: null,
        startNowCostEur: null, energyKwh: null, meanGridLoadMw: null, planError: null, slots: e.slots,
      };
      records.push(rec);
      current.set(`${customerId}/${deviceId}`, rec);
      // a plan cannot start before the helpdesk has decided: the earliest start is now
      const plan = planStart({ slots: e.slots, earliestStart: Math.max(e.earliestStart, now), latestEnd: e.latestEnd, tariff: deps.tariff });
      if (isPlanError(plan)) {
        rec.planError = plan.error.code;
        deps.log.warn({ deviceId, offerId: e.offerId, ...plan.error }, 'no plan; the appliance falls back to its own start');
        return;
      }
      Object.assign(rec, {
        plannedStart: plan.start,
        // priced by the same function as the real run below, so an on-time start costs exactly the optimum
        optimalCostEur: costOfStart(e.slots, plan.start, deps.tariff),
        startNowCostEur: plan.startNowCostEur,
        energyKwh: plan.energyKwh,
        meanGridLoadMw: plan.meanGridLoadMw,
      });
      deps.outbox.command(customerId, deviceId, now, { action: 'schedule-start', offerId: e.offerId, startAt: plan.start });
      deps.onChange?.({ ...rec }, now);
      deps.log.info({ deviceId, offerId: e.offerId, plannedStart: new Date(plan.start).toISOString(), costEur: plan.costEur, startNowCostEur: plan.startNowCostEur }, 'load planned');
    },
    cycle(customerId: string, deviceId: string, e: Extract<DeviceEvent, { type: 'cycle' }>): void {
      const rec = current.get(`${customerId}/${deviceId}`);
      if (!rec) return;
      if (e.state === 'started' && rec.actualStart === null) {
        rec.actualStart = e.ts;
        rec.costEur = costOfStart(rec.slots, e.ts, deps.tariff);
        deps.onChange?.({ ...rec }, e.ts);
      } else if (e.state === 'finished' && rec.actualStart !== null) {
        rec.finishedAt = e.ts;
        deps.onChange?.({ ...rec }, e.ts);
        current.delete(`${customerId}/${deviceId}`);
      }
    },
    list: (): LoadRecord[] => records.map((r) => ({ ...r })),
  };
}
