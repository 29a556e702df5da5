/**
 * Tickets for the queue's unit tests, as GET /tickets returns them: opened and changed by the real
 * lifecycle, summarized by the real view (names, SLA, version).
 */
import * as life from '../../../helpdesk/tickets/lifecycle.js';
import { namesOf, ticketSummary, type TicketSummary } from '../../../helpdesk/web/views.js';
import { filtersFrom, type Filters } from '../../../helpdesk/web/public/js/queue-filters.js';

export const T0 = Date.UTC(2020, 10, 2, 8);
export const MIN = 60_000;
const names = namesOf([]);

const ok = life.ticketOf;

/** A ticket opened `minutes` after T0 (negative: before). */
export function opened(key: string, minutes: number, severity: life.Ticket['severity'] = 'medium', proactive = false): life.Ticket {
  return ok(life.open({ incidentKey: key, customerId: `c-${key}`, deviceId: 'car', kind: 'battery-discharge', severity, at: T0 + minutes * MIN, proactive }));
}

export const noted = (t: life.Ticket, at = t.updatedAt + MIN): life.Ticket => ok(life.addNote(t, { at, by: 'alice', text: 'seen' }));
export const contacted = (t: life.Ticket, at = t.updatedAt + MIN): life.Ticket => ok(life.contact(t, { at, channel: 'sms', text: 'Hello, we noticed a problem.', by: 'helpdesk' }));
export const resolved = (t: life.Ticket, at = t.updatedAt + MIN): life.Ticket => ok(life.resolve(t, { at, resolution: 'fixed', by: 'alice' }));

/** The summary of a ticket at event time `now` (default: an hour after T0). */
export const summary = (t: life.Ticket, now = T0 + 60 * MIN): TicketSummary => ticketSummary(t, now, names);

/** The filters of an address query, e.g. 'sort=severity&order=asc' (the rest default). */
export const filters = (query = ''): Filters => filtersFrom(new URLSearchParams(query));
