/**
 * The ticket queue and one ticket: GET /tickets (summaries, filtered, sorted and paged by the store),
 * GET /tickets/:id (with the timeline), GET /tickets/:id/telemetry.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Severity, TICKET_STATES, type TicketState } from '../../../contracts/index.js';
import { sortKeyOf, TICKET_SORT_KEYS, type SortOrder, type TicketSortKey, type TicketSortValues } from '../../tickets/store.js';
import type { DashboardDeps } from '../deps.js';
import { HttpError, parse, WEB_ERR } from '../errors.js';
import { DEFAULT_SLA_MINUTES } from '../sla.js';
import { queryTickets } from '../ticket-query.js';
import { namesOf, ticketDetail, ticketSummary } from '../views.js';
import { evidenceWindow } from '../../telemetry/evidence.js';

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(200)
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .pipe(z.array(item));

/** 'open' stands for every state but 'resolved' */
const StateFilter = z.enum([...TICKET_STATES, 'open']);

const OPEN_STATES = TICKET_STATES.filter((s) => s !== 'resolved');
export const DEFAULT_LIMIT = 200;
export const MAX_LIMIT = 1000;
const MAX_OFFSET = 1_000_000;

const whole = (what: string, max: number) =>
  z
    .string()
    .regex(/^\d{1,7}$/, `${what}: a whole number from 0 to ${max}`)
    .transform(Number)
    .pipe(z.number().max(max, `${what}: at most ${max}`));

const ListQuery = z.object({
  state: csv(StateFilter).optional(),
  severity: csv(Severity).optional(),
  proactive: z.enum(['true', 'false']).optional(),
  sort: z.enum(TICKET_SORT_KEYS).default('opened'),
  order: z.enum(['asc', 'desc']).default('desc'),
  /** page size; 0 only counts */
  limit: whole('limit', MAX_LIMIT).default(DEFAULT_LIMIT),
  /** the previous page's nextCursor: the rows after its last one (keyset, so live changes neither repeat nor skip rows) */
  cursor: z.string().max(1000).optional(),
  /** rows to skip (after the cursor, if given) */
  offset: whole('offset', MAX_OFFSET).optional(),
});

/**
 * How many sort values a cursor of each sort carries: as many as sortKeyOf gives (a Map: `sort` is
 * never looked up on a prototype). Any ticket will do; the count depends on the sort only.
 */
const SAMPLE = { id: 't', kind: 'k', customerId: 'c', deviceId: 'd', severity: 'low', state: 'opened', openedAt: 0, contactedAt: null, resolvedAt: null } as const;
const CURSOR_KEYS = new Map<TicketSortKey, number>(
  TICKET_SORT_KEYS.map((sort) => [sort, sortKeyOf(SAMPLE, sort, { now: 0, minutes: DEFAULT_SLA_MINUTES }).length]),
);

/** A cursor: base64url of JSON [sort, order, ...the last row's sort values]. Opaque to clients. */
export function encodeCursor(sort: TicketSortKey, order: SortOrder, values: TicketSortValues): string {
  return Buffer.from(JSON.stringify([sort, order, ...values]), 'utf8').toString('base64url');
}

/** The sort values of a cursor made for this sort and order; a 400 on query.cursor otherwise. */
export function decodeCursor(cursor: string, sort: TicketSortKey, order: SortOrder): TicketSortValues {
  const bad = (why: string) => new HttpError(400, WEB_ERR.INPUT, 'invalid query', { 'query.cursor': why });
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor from this API: pass nextCursor as it came');
  }
  const keys = CURSOR_KEYS.get(sort);
  if (keys === undefined || !Array.isArray(v) || v.length !== 2 + keys || !v.every((x) => (typeof x === 'number' && Number.isFinite(x)) || (typeof x === 'string' && x.length <= 200))) {
    throw bad('not a cursor from this API: pass nextCursor as it came');
  }
  if (v[0] !== sort || v[1] !== order) throw bad(`this cursor belongs to sort=${String(v[0])}&order=${String(v[1])}: start again without it`);
  return v.slice(2) as TicketSortValues;
}

const Id = z.object({ id: z.string() });

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
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, q.sort, q.order);
    const now = helpdesk.now();
    const states = q.state ? [...new Set(q.state.flatMap((s): TicketState[] => (s === 'open' ? OPEN_STATES : [s])))] : undefined;
    const page = queryTickets(helpdesk, {
      ...(states ? { states } : {}),
      ...(q.severity ? { severities: [...new Set(q.severity)] } : {}),
      ...(q.proactive ? { proactive: q.proactive === 'true' } : {}),
      sort: q.sort,
      order: q.order,
      sla: { now, minutes: sla },
      limit: q.limit,
      ...(after ? { after } : {}),
      ...(q.offset ? { offset: q.offset } : {}),
    });
    const names = namesOf(helpdesk.devices());
    return {
      now,
      sla,
      /** tickets matching the filters, on every page */
      total: page.total,
      /** every ticket, filters aside */
      totalAll: page.totalAll,
      tickets: page.tickets.map((t) => ticketSummary(t, now, names, sla)),
      nextCursor: page.next ? encodeCursor(q.sort, q.order, page.next) : null,
    };
  });

  app.get('/tickets/:id', async (req) => {
    const { id } = parse(Id, req.params, 'params');
    const now = helpdesk.now();
    // the customer's side of it (helpdesk/dialogue, helpdesk/bookings): the booking and the satisfaction score, when it has them
    const dialogue = { booking: helpdesk.bookingOf?.(id) ?? null, satisfaction: helpdesk.satisfactionOf?.(id) ?? null };
    return { now, ticket: { ...ticketDetail(find(id), now, namesOf(helpdesk.devices()), sla), ...dialogue } };
  });

  /** The device's telemetry around the anomaly: from 10 min before it began to 5 min after the last change (at most 2 h). */
  app.get('/tickets/:id/telemetry', async (req) => {
    const { id } = parse(Id, req.params, 'params');
    const t = find(id);
    // the window the ticket pinned when it opened: its readings outlive raw retention
    const { since, from, to } = evidenceWindow(t);
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
      ...(await helpdesk.chart(t.customerId, t.deviceId, from, to)),
    };
  });
}
