/**
 * A partition's outcome for the report (what embeddedSide reads from the one helpdesk), and the
 * merge of every partition's into the order one helpdesk would have listed them in.
 */
import type { Helpdesk } from '../../helpdesk/service.js';
import { regroupPlaces } from '../../helpdesk/problems/regroup.js';
import type { ReplayOutcome } from '../replay-side.js';

export function partitionOutcome(h: Helpdesk): ReplayOutcome {
  const tickets = h.tickets();
  return {
    tickets,
    loads: h.loads({ order: 'asc', slots: true }).loads,
    shopping: h.shopping(),
    problems: h.problems(),
    problemFacts: h.problemFacts(tickets),
    bookings: h.bookings(),
    satisfaction: h.satisfaction(),
    offers: h.offers(),
  };
}

const cmp = (...keys: Array<string | number | null | undefined>[]): number => {
  for (const [a, b] of keys) {
    if (a === b) continue;
    if (a === null || a === undefined) return -1;
    if (b === null || b === undefined) return 1;
    return a < b ? -1 : 1;
  }
  return 0;
};

/**
 * Every partition's outcome in one, ordered as one helpdesk orders them: tickets by opening time and
 * id (the store's order); problems grouped over every partition's tickets and devices (regroup.ts);
 * loads, shopping answers and offers by event time then customer (the order they were decided in: a
 * window's messages are handled by event time, then sender); bookings by offer time, satisfaction by
 * the time asked.
 */
export function mergeOutcomes(parts: readonly ReplayOutcome[]): ReplayOutcome {
  const all = <K extends keyof ReplayOutcome>(k: K): NonNullable<ReplayOutcome[K]> => parts.flatMap((p) => p[k] as unknown[]) as NonNullable<ReplayOutcome[K]>;
  const tickets = all('tickets').sort((a, b) => cmp([a.openedAt, b.openedAt], [a.id, b.id]));
  const state = new Map(tickets.map((t) => [t.id, t.state]));
  const shares = parts.flatMap((p) => (p.problemFacts ? [p.problemFacts] : []));
  return {
    tickets,
    loads: all('loads').sort((a, b) => cmp([a.requestedAt, b.requestedAt], [a.customerId, b.customerId], [a.deviceId, b.deviceId])),
    shopping: all('shopping').sort((a, b) => cmp([a.at, b.at], [a.customerId, b.customerId])),
    // one mass incident across partitions is one problem, as the embedded helpdesk groups it
    problems: shares.length === parts.length ? regroupPlaces(shares, (id) => state.get(id)) : all('problems'),
    bookings: all('bookings').sort((a, b) => cmp([a.offeredAt, b.offeredAt], [a.ticketId, b.ticketId])),
    satisfaction: all('satisfaction').sort((a, b) => cmp([a.askedAt, b.askedAt], [a.ticketId, b.ticketId])),
    offers: all('offers').sort((a, b) => cmp([a.at, b.at], [a.customerId, b.customerId], [a.id, b.id])),
  };
}
