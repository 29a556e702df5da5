/**
 * Pseudonyms and the pseudonymised ticket an erasure keeps for statistics. Pure.
 *
 * A pseudonym is HMAC-SHA256 of the id under a random key made once per database (customer_secret):
 * stable (the same customer always gets the same one, so their tickets stay countable together and a
 * second erasure finds the first) and not reversible without the key, which never leaves the database.
 * Whoever holds the database can still test a guessed id against it: it is a pseudonym, not anonymity.
 *
 * A pseudonymised ticket keeps what statistics need — kind, severity, states, times, channels, remote
 * actions and their outcomes, who on the staff acted — and loses every text, the evidence's words,
 * offers (a workshop's distance from home), the customer's and device's ids and the incident key.
 */
import { createHmac } from 'node:crypto';
import { ticketId, type Ticket, type TimelineEntry } from '../tickets/lifecycle.js';

const mac = (key: Buffer, what: string): string => createHmac('sha256', key).update(what, 'utf8').digest('hex');

export const customerPseudonym = (key: Buffer, customerId: string): string => `p-${mac(key, `customer:${customerId}`).slice(0, 20)}`;
export const devicePseudonym = (key: Buffer, customerId: string, deviceId: string): string => `d-${mac(key, `device:${customerId}/${deviceId}`).slice(0, 12)}`;

/** detail fields a pseudonymised timeline keeps: words evernet chose, never the customer's or a person's text */
const KEEP = ['kind', 'severity', 'proactive', 'reopened', 'channel', 'action', 'ok', 'code'] as const;
const NOTIFY_KEEP = ['adapter', 'attempt', 'outcome', 'code'] as const;
const REMOVED = 'removed at erasure';

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = from[k];
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  }
  return out;
}

function entry(e: TimelineEntry, customerId: string, pseudonym: string): TimelineEntry {
  const detail = pick(e.detail, KEEP);
  const notify = e.detail.notify;
  if (notify && typeof notify === 'object') detail.notify = pick(notify as Record<string, unknown>, NOTIFY_KEEP);
  // a note the customer wrote is theirs: only that there was one stays
  const by = e.by === customerId || e.by === 'customer' ? pseudonym : e.by;
  return { at: e.at, step: e.step, by, detail };
}

/** the ticket an erasure keeps: another id, the pseudonyms, no text (see the module's comment) */
export function pseudonymiseTicket(t: Ticket, key: Buffer): Ticket {
  const pseudonym = customerPseudonym(key, t.customerId);
  const incidentKey = `${pseudonym}/${mac(key, `incident:${t.incidentKey}`).slice(0, 20)}`;
  const evidence = Object.fromEntries(Object.entries(t.evidence).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean'));
  return {
    ...t,
    id: ticketId(incidentKey),
    incidentKey,
    customerId: pseudonym,
    deviceId: devicePseudonym(key, t.customerId, t.deviceId),
    resolution: t.resolution === null ? null : REMOVED,
    evidence,
    timeline: t.timeline.map((e) => entry(e, t.customerId, pseudonym)),
  };
}
