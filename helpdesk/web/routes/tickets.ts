/** The ticket queue and one ticket: GET /tickets, GET /tickets/:id, GET /tickets/:id/telemetry. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Severity, TICKET_STATES } from '../../../contracts/index.js';
import type { DashboardDeps } from '../deps.js';
import { HttpError, parse, WEB_ERR } from '../errors.js';
import { DEFAULT_SLA_MINUTES } from '../sla.js';
import { namesOf, sortTickets, ticketDetail, ticketSummary } from '../views.js';
import { downsample } from './telemetry.js';

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(200)
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .pipe(z.array(item));

/** 'open' stands for every state but 'resolved' */
const StateFilter = z.enum([...TICKET_STATES, 'open']);

const ListQuery = z.object({
  state: csv(StateFilter).optional(),
  severity: csv(Severity).optional(),
  proactive: z.enum(['true', 'false']).optional(),
  sort: z.enum(['opened', 'severity', 'state', 'sla', 'contact']).default('opened'),
  order: z.enum(['asc', 'desc']).default('desc'),
});

const Id = z.object({ id: z.string() });
const MINUTE = 60_000;

export async function ticketRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { helpdesk } = deps;
  const sla = deps.sla ?? DEFAULT_SLA_MINUTES;

  const find = (id: string) => {
    const t = id.length <= 100 ? helpdesk.ticket(id) : null;
    if (!t) throw new HttpError(404, WEB_ERR.TICKET_NOT_FOUND, `no ticket '${id.slice(0, 100)}'`);
    return t;
  };

  app.get('/tickets', async (req) => {
    const q = parse(ListQuery, req.query, 'query');
    const now = helpdesk.now();
    const names = namesOf(helpdesk.devices());
    const states = q.state ? new Set(q.state.flatMap((s) => (s === 'open' ? TICKET_STATES.filter((x) => x !== 'resolved') : [s]))) : null;
    const severities = q.severity ? new Set(q.severity) : null;
    const rows = helpdesk
      .tickets()
      .filter((t) => (!states || states.has(t.state)) && (!severities || severities.has(t.severity)))
      .filter((t) => q.proactive === undefined || t.proactive === (q.proactive === 'true'))
      .map((t) => ticketSummary(t, now, names, sla));
    return { now, sla, tickets: sortTickets(rows, q.sort, q.order) };
  });

  app.get('/tickets/:id', async (req) => {
    const { id } = parse(Id, req.params, 'params');
    const now = helpdesk.now();
    return { now, ticket: ticketDetail(find(id), now, namesOf(helpdesk.devices()), sla) };
  });

  /** The device's telemetry around the anomaly: from 10 min before it began to 5 min after the last change (at most 2 h). */
  app.get('/tickets/:id/telemetry', async (req) => {
    const { id } = parse(Id, req.params, 'params');
    const t = find(id);
    const since = typeof t.evidence.since === 'number' && Number.isFinite(t.evidence.since) ? Math.min(t.evidence.since, t.openedAt) : t.openedAt;
    const from = since - 10 * MINUTE;
    const to = Math.min(Math.max(t.resolvedAt ?? t.updatedAt, t.openedAt) + 5 * MINUTE, from + 120 * MINUTE);
    const device = namesOf(helpdesk.devices()).device(t.customerId, t.deviceId);
    return {
      ticketId: t.id,
      customerId: t.customerId,
      deviceId: t.deviceId,
      deviceKind: device?.kind ?? null,
      since,
      detectedAt: t.openedAt,
      resolvedAt: t.resolvedAt,
      from,
      to,
      points: downsample(helpdesk.history(t.customerId, t.deviceId, from, to), 1500),
    };
  });
}
