/**
 * A scenario's `replies:` as the customer's app sends them: the ticket named by id or as the
 * customer's latest ticket of a kind (as the helpdesk holds it when the reply is sent), the slot by id
 * or by its place among those the ticket's booking offers. Unchecked: the app sends what the scenario
 * says, and the helpdesk answers a bad reply with its coded error.
 */
import type { BookingRecord } from '../helpdesk/bookings/store.js';
import type { Ticket } from '../helpdesk/tickets/lifecycle.js';
import type { Scenario } from './schema.js';

export type ScenarioReply = Scenario['replies'][number];

export interface ReplyLookups {
  tickets(): Ticket[];
  bookingOf(ticketId: string): BookingRecord | null;
}

/** the request body the app publishes for one scenario reply */
export function replyBody(r: ScenarioReply, requestId: string, look: ReplyLookups): Record<string, unknown> {
  const ticketId =
    typeof r.ticket === 'string'
      ? r.ticket
      : (look.tickets().filter((t) => t.customerId === r.customer && t.kind === (r.ticket as { kind: string }).kind).pop()?.id ?? `T-no-${r.ticket.kind}`);
  if (r.answer === 'satisfaction') return { type: 'satisfaction', requestId, ticketId, score: r.score ?? 5 };
  const body: Record<string, unknown> = { type: 'reply', requestId, ticketId, answer: r.answer };
  if (r.answer === 'pick-slot') {
    const offered = look.bookingOf(ticketId)?.offered ?? [];
    body.slotId = typeof r.slot === 'string' ? r.slot : (offered[(r.slot ?? 1) - 1]?.slotId ?? 'no-such-slot');
  }
  return body;
}
