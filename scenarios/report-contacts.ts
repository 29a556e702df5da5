/**
 * The report's `contacts`: every message that reached a customer, in time order: a ticket's contacts
 * (its timeline entries that carry the contact as it went out: the first contact, the offer of a workshop,
 * a staff member's contact) and the next-best offers sent. Held-back ones are not contacts (an offer held
 * back is in `offers` with its code; a ticket's is a note on its timeline).
 */
import type { OfferRecord } from '../helpdesk/offers/offers.js';
import type { Ticket } from '../helpdesk/tickets/lifecycle.js';

export interface ReportContact {
  at: number;
  customerId: string;
  ticketId: string | null;
  offerId: string | null;
  channel: string;
  text: string;
}

export function contactsOf(tickets: readonly Ticket[], offers: readonly OfferRecord[]): ReportContact[] {
  const out: Array<ReportContact & { n: number }> = [];
  for (const t of tickets) {
    for (const e of t.timeline) {
      const c = (e.detail as { contact?: { channel?: unknown; text?: unknown } }).contact;
      if (!c || typeof c !== 'object' || typeof c.channel !== 'string' || typeof c.text !== 'string') continue;
      out.push({ at: e.at, customerId: t.customerId, ticketId: t.id, offerId: null, channel: c.channel, text: c.text, n: out.length });
    }
  }
  for (const o of offers) {
    if (o.state === 'held' || o.channel === null) continue;
    out.push({ at: o.at, customerId: o.customerId, ticketId: null, offerId: o.id, channel: o.channel, text: o.text, n: out.length });
  }
  // by time, then customer; ties keep the order they were found in (a ticket's timeline order)
  return out
    .sort((a, b) => a.at - b.at || (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0) || a.n - b.n)
    .map(({ n: _n, ...c }) => c);
}
