/**
 * Devices: GET /devices (every device in the registry: active, pending, rejected),
 * GET /devices/:customerId/:deviceId, GET /devices/:customerId/:deviceId/telemetry, and staff's
 * decision on a device that announced itself: POST /devices/:customerId/:deviceId/{accept,reject}.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DashboardDeps } from '../deps.js';
import { me } from '../auth.js';
import { HttpError, parse, WEB_ERR } from '../errors.js';
import { DEFAULT_SLA_MINUTES } from '../sla.js';
import { deviceKey, TICKET_STATES } from '../../../contracts/index.js';
import { queryTickets } from '../ticket-query.js';
import { namesOf, ticketSummary } from '../views.js';
import { MAX_CHART_MINUTES } from './telemetry.js';

const Params = z.object({ customerId: z.string().max(64), deviceId: z.string().max(64) });
const NoBody = z.strictObject({}).optional();
const EventTime = z.coerce.number({ error: 'an event time in ms' }).int('an event time in ms').min(0).max(Date.UTC(2100, 0, 1));
const TelemetryQuery = z
  .object({
    from: EventTime.optional(),
    to: EventTime.optional(),
    /** without from: the window ending at `to` (default: the last reading) */
    minutes: z.coerce.number({ error: 'a number of minutes' }).int('whole minutes').min(1, 'at least 1').max(MAX_CHART_MINUTES, `at most ${MAX_CHART_MINUTES}`).default(15),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => q.from === undefined || q.to === undefined || q.to - q.from <= MAX_CHART_MINUTES * 60_000, { message: `at most ${MAX_CHART_MINUTES} minutes from from to to`, path: ['to'] });

export async function deviceRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { helpdesk } = deps;

  const find = (params: unknown) => {
    const p = parse(Params, params, 'params');
    const all = helpdesk.devices();
    const d = all.find((x) => x.customerId === p.customerId && x.deviceId === p.deviceId);
    if (!d) throw new HttpError(404, WEB_ERR.DEVICE_NOT_FOUND, `no device '${p.customerId}/${p.deviceId}'`);
    return { d, all };
  };

  app.get('/devices', async () => {
    const open = new Map<string, number>();
    for (const t of queryTickets(helpdesk, { states: TICKET_STATES.filter((s) => s !== 'resolved') }).tickets) {
      const k = deviceKey(t.customerId, t.deviceId);
      open.set(k, (open.get(k) ?? 0) + 1);
    }
    const devices = helpdesk.devices().map((d) => ({ ...d, openTickets: open.get(deviceKey(d.customerId, d.deviceId)) ?? 0 }));
    return { now: helpdesk.now(), devices };
  });

  // the decision is recorded with the staff member's name; the device's messages are processed from now on, or refused
  for (const verdict of ['accept', 'reject'] as const) {
    app.post(`/devices/:customerId/:deviceId/${verdict}`, async (req) => {
      const p = parse(Params, req.params, 'params');
      parse(NoBody, req.body);
      const r = await helpdesk.decideDevice(p.customerId, p.deviceId, verdict, me(req).name);
      if (!r.ok) throw new HttpError(404, WEB_ERR.DEVICE_NOT_FOUND, r.error.message);
      const { d } = find(req.params);
      return { now: helpdesk.now(), device: d };
    });
  }

  app.get('/devices/:customerId/:deviceId', async (req) => {
    const { d, all } = find(req.params);
    const now = helpdesk.now();
    const names = namesOf(all);
    const tickets = queryTickets(helpdesk, { customerId: d.customerId, deviceId: d.deviceId, sort: 'opened', order: 'desc' })
      .tickets.map((t) => ticketSummary(t, now, names, deps.sla ?? DEFAULT_SLA_MINUTES));
    return { now, device: d, tickets };
  });

  app.get('/devices/:customerId/:deviceId/telemetry', async (req) => {
    const { d } = find(req.params);
    const q = parse(TelemetryQuery, req.query, 'query');
    const to = q.to ?? d.lastTs ?? helpdesk.now();
    const from = q.from ?? to - q.minutes * 60_000;
    const { points, resolutionMs } = await helpdesk.chart(d.customerId, d.deviceId, from, to);
    return { customerId: d.customerId, deviceId: d.deviceId, deviceKind: d.kind, from, to, resolutionMs, points };
  });
}
