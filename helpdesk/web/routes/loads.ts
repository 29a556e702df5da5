/**
 * Deferrable loads: GET /loads (one page, filtered and paged by the load store, newest first, without
 * power sequences) and GET /loads/:customerId/:offerId (one load with its power sequence and the prices
 * of the plan's window, slot by slot (15 or 60 minutes, the fallback's flagged) from the hour of the
 * request to the deadline, as the tariff provider knows them now, when the dashboard has one).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LOAD_STATES, type LoadSummary } from '../../loads/store.js';
import { priceWindow, snapshotOf } from '../../schedule/source.js';
import { HOUR_MS } from '../../schedule/tariff.js';
import type { DashboardDeps } from '../deps.js';
import { HttpError, parse, WEB_ERR } from '../errors.js';
import { loadView, namesOf, UNKNOWN_ZONE, type Names } from '../views.js';

const Params = z.object({ customerId: z.string().max(64), offerId: z.string().max(64) });
const MAX_HOURS = 72;
export const LOADS_PAGE_DEFAULT = 50;
export const LOADS_PAGE_MAX = 200;
const whole = (what: string, min: number, max: number) =>
  z.coerce.number({ error: what }).int(what).min(min, `at least ${min}`).max(max, `at most ${max}`);
const ListQuery = z.object({
  limit: whole('a number of loads', 1, LOADS_PAGE_MAX).default(LOADS_PAGE_DEFAULT),
  /** the `next` of the previous page */
  after: whole('a load id', 0, Number.MAX_SAFE_INTEGER).optional(),
  offset: whole('a number of loads', 0, 100_000).default(0),
  customerId: z.string().max(64).optional(),
  deviceId: z.string().max(64).optional(),
  state: z.enum(LOAD_STATES).optional(),
});

/** A load as the list shows it: the figures of loadView (views.ts) from the stored run length, no slots. */
function listView(l: LoadSummary, names: Names) {
  const d = names.device(l.customerId, l.deviceId);
  const start = l.actualStart ?? l.plannedStart;
  return {
    ...l,
    device: d?.name ?? l.deviceId,
    customer: d?.customer ?? l.customerId,
    timeZone: d?.timeZone ?? UNKNOWN_ZONE,
    plannedEnd: l.plannedStart === null ? null : l.plannedStart + l.durationS * 1000,
    runEnd: start === null ? null : start + l.durationS * 1000,
    savingEur: l.startNowCostEur !== null && l.optimalCostEur !== null ? l.startNowCostEur - l.optimalCostEur : null,
  };
}

export async function loadRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { helpdesk, tariff } = deps;

  app.get('/loads', async (req) => {
    const q = parse(ListQuery, req.query, 'query');
    const page = helpdesk.loads({
      limit: q.limit, offset: q.offset, after: q.after, customerId: q.customerId, deviceId: q.deviceId, states: q.state ? [q.state] : undefined,
    });
    const names = namesOf(helpdesk.devices());
    return { now: helpdesk.now(), total: page.total, next: page.next, loads: page.loads.map((l) => listView(l, names)) };
  });

  app.get('/loads/:customerId/:offerId', async (req) => {
    const p = parse(Params, req.params, 'params');
    // the newest load of that offer id (a device may repeat one)
    const load = helpdesk.loads({ customerId: p.customerId, offerId: p.offerId, limit: 1, slots: true }).loads[0];
    if (!load) throw new HttpError(404, WEB_ERR.LOAD_NOT_FOUND, `no load '${p.customerId}/${p.offerId}'`);
    const view = loadView(load, namesOf(helpdesk.devices()));
    let prices = null;
    if (tariff) {
      // the prices as known now (a feed may have published more since the plan; the load's basis says what the plan had)
      const snap = snapshotOf(tariff);
      const first = Math.floor(load.requestedAt / HOUR_MS) * HOUR_MS;
      const end = Math.min(Math.max(load.deadline, view.runEnd ?? 0), first + MAX_HOURS * HOUR_MS);
      const { slotMs, slots } = priceWindow(snap, first, end, MAX_HOURS * 4);
      prices = { source: snap.primary.label, fallback: snap.fallback?.label ?? null, slotMs, slots };
    }
    return { now: helpdesk.now(), load: view, tariff: prices };
  });
}
