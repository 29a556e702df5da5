/**
 * Problems (mass incidents) as the API returns them: a summary for the queue's one row (count,
 * cause, opened, state, the linked ticket ids so the page folds their rows), and a detail with each
 * linked ticket's summary. Pure functions of the helpdesk's data and event time.
 */
import type { ProblemRecord } from '../problems/store.js';
import type { Ticket } from '../tickets/lifecycle.js';
import type { SlaPolicy } from './sla.js';
import { ticketSummary, UNKNOWN_ZONE, type Names } from './views.js';

/** the zone of a problem's times: its first ticket's customer's (a problem's customers mostly share one) */
function zoneOf(p: ProblemRecord, names: Names, ticket: (id: string) => Pick<Ticket, 'customerId' | 'deviceId'> | null): string {
  const first = p.links[0] ? ticket(p.links[0].ticketId) : null;
  return (first && names.device(first.customerId, first.deviceId)?.timeZone) ?? UNKNOWN_ZONE;
}

export function problemSummary(p: ProblemRecord, names: Names, ticket: (id: string) => Pick<Ticket, 'customerId' | 'deviceId'> | null) {
  return {
    id: p.id,
    kind: p.kind,
    deviceKind: p.deviceKind,
    cause: p.cause,
    explanation: p.explanation,
    openedAt: p.openedAt,
    firstAt: p.firstAt,
    lastAt: p.lastAt,
    state: p.state,
    /** linked tickets, and how many of them are not resolved */
    count: p.links.length,
    openTickets: p.openTickets,
    ticketIds: p.links.map((l) => l.ticketId),
    timeZone: zoneOf(p, names, ticket),
  };
}
export type ProblemSummary = ReturnType<typeof problemSummary>;

/** A problem with the summary of each linked ticket, oldest first (a ticket no longer stored is left out). */
export function problemDetail(p: ProblemRecord, now: number, names: Names, ticket: (id: string) => Ticket | null, policy?: SlaPolicy) {
  const tickets = p.links.flatMap((l) => {
    const t = ticket(l.ticketId);
    return t ? [ticketSummary(t, now, names, policy)] : [];
  });
  return { ...problemSummary(p, names, ticket), tickets };
}
