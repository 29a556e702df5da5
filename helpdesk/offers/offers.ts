/**
 * Next-best offers at the right moment, in event time. Once a day per customer, at their offer moment
 * (default 08:30 local in their zone: the paper's upgrade call on the way to work; outside anyone's usual
 * quiet hours), when the helpdesk's watermark passes it, the rules (rules.ts) are decided on the
 * customer's profile (profile.ts, from their usage and tickets) under their consent (decide.ts). An offer
 * goes out as a contact on `_helpdesk/contact` (ContactBody with `offerId`), its text and reason are
 * recorded in the customer's contacts (the export has them); one held back by quiet hours, the cap or
 * the channels is recorded as a contact not sent, with its code. The customer answers through the app
 * (a `reply` with the offerId); an offer not answered within `expireAfterH` expires.
 *
 *   offered -> accepted | declined | expired          held (never sent)
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Channel, CustomerAnswerBody, Purpose, ReplyRequestBody } from '../../contracts/index.js';
import { codeTable } from '../../contracts/errors.js';
import { instantOf, localParts } from '../../contracts/local-time.js';
import { zoneOf, parseHhmm } from '../contact/choose-channel.js';
import { DAY_MS, type CodedError } from '../customers/consent.js';
import type { CustomerStore } from '../customers/store.js';
import type { DirectoryCustomer, IndexedDirectory } from '../directory.js';
import type { Outbox } from '../outbox.js';
import type { TicketStore } from '../tickets/store.js';
import { decide } from './decide.js';
import { buildProfile } from './profile.js';
import { DEFAULT_RULES, type Because, type OfferRule } from './rules.js';
import { createUsage, type UsageDay, type UsageSnapshot } from './usage.js';

export const OFFER_ERR = codeTable({
  UNKNOWN: 'EVN_ERR_REPLY_UNKNOWN_OFFER',
  ANSWERED: 'EVN_ERR_OFFER_ANSWERED',
  EXPIRED: 'EVN_ERR_OFFER_EXPIRED',
  ANSWER: 'EVN_ERR_OFFER_ANSWER',
});

export const OFFER_STATES = ['offered', 'accepted', 'declined', 'expired', 'held'] as const;
export type OfferState = (typeof OFFER_STATES)[number];

export interface OfferRecord {
  /** 'o-' and 12 hex digits: the same customer, rule and moment give the same id */
  id: string;
  customerId: string;
  rule: string;
  offer: string;
  purpose: Exclude<Purpose, 'service'>;
  partner: { id: string; name: string } | null;
  /** event time it was decided (and sent, unless held) */
  at: number;
  /** null when held back */
  channel: Channel | null;
  /** the device the contact names (the car's display shows it while she drives) */
  deviceId: string;
  text: string;
  /** which rule and which data */
  reason: string;
  because: Because[];
  /** why this channel (sent), or why it was held back */
  channelReason: string;
  state: OfferState;
  /** held: the consent's code (EVN_ERR_OFFER_QUIET_HOURS, EVN_ERR_OFFER_CAP, ...) */
  code: string | null;
  expiresAt: number | null;
  /** when it was answered or expired */
  closedAt: number | null;
}

export interface OffersOptions {
  /** the rules, in order of priority; default DEFAULT_RULES */
  rules?: readonly OfferRule[];
  /** the daily moment, local 'HH:MM' in each customer's zone; default '08:30' */
  at?: string;
  /** hours an offer waits for an answer; default 12 */
  expireAfterH?: number;
  /** usage the helpdesk recorded before it started (a replay's days before its start) */
  history?: readonly UsageDay[];
}

export interface OffersDeps {
  directory: IndexedDirectory;
  customers: CustomerStore;
  tickets: TicketStore;
  outbox: Outbox;
  log: Logger;
  /** the car of the customer's being driven now, if any */
  drivingCar(customerId: string): string | undefined;
  options?: OffersOptions;
}

/** offers in a checkpoint (helpdesk/checkpoint.ts): every offer, the open ones by customer and id, the moments, the usage */
export interface OffersSnapshot {
  offers: Map<string, OfferRecord[]>;
  open: Array<[customerId: string, offerId: string]>;
  next: Map<string, number>;
  due: number;
  usage: UsageSnapshot;
}

export type AnswerResult = { ok: true; offer: OfferRecord } | { ok: false; error: CodedError };

const offerId = (customerId: string, rule: string, at: number): string => `o-${createHash('sha256').update(`${customerId}|${rule}|${at}`).digest('hex').slice(0, 12)}`;

/** the first instant at or after `from` whose local time in `zone` is `hhmm` */
export function nextMoment(from: number, hhmm: string, zone: string): number {
  const minute = parseHhmm(hhmm);
  const p = localParts(from, zone);
  for (let days = 0; days < 3; days++) {
    const d = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
    const t = instantOf({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: Math.floor(minute / 60), minute: minute % 60 }, zone);
    if (t >= from) return t;
  }
  return from + DAY_MS;
}

export function createOffers(deps: OffersDeps) {
  const rules = deps.options?.rules ?? DEFAULT_RULES;
  const moment = deps.options?.at ?? '08:30';
  parseHhmm(moment);
  const expireMs = (deps.options?.expireAfterH ?? 12) * 3_600_000;
  const usage = createUsage({ seed: deps.options?.history });
  const purposes = new Set(rules.map((r) => r.purpose));
  /** customer -> their offers, oldest first */
  const offers = new Map<string, OfferRecord[]>();
  const open = new Set<OfferRecord>();
  /** customer -> their next moment; the earliest of all */
  const next = new Map<string, number>();
  let due = -Infinity;

  const zone = (c: DirectoryCustomer): string => zoneOf(c.preferences);

  function evaluate(c: DirectoryCustomer, now: number): void {
    const { customers } = deps;
    const consent = customers.consent(c.id);
    // no profile for offers of a customer who wants none
    if (![...purposes].some((p) => consent.purposes[p]?.granted)) return;
    const mine = offers.get(c.id) ?? [];
    const zoneName = zone(c);
    const tickets = deps.tickets.summaries({ customerId: c.id, order: 'desc', limit: 500 }).tickets;
    const metrics = buildProfile({ devices: c.devices, usage: usage.of(c.id), tickets, at: now, zone: zoneName });
    const home = c.home;
    const workshops = [...deps.directory.workshops]
      .map((w) => ({ w, d: home ? (w.location.lat - home.lat) ** 2 + ((w.location.lon - home.lon) * Math.cos((home.lat * Math.PI) / 180)) ** 2 : 0 }))
      .sort((a, b) => a.d - b.d || (a.w.id < b.w.id ? -1 : 1))
      .map((x) => x.w);
    const contactsAt = customers.contacts(c.id, now - DAY_MS).filter((x) => x.sent).map((x) => x.at);
    const driving = deps.drivingCar(c.id);
    const d = decide({
      customer: c, audience: { consent, preferences: c.preferences, contactsAt }, metrics, rules,
      past: mine.filter((o) => o.state !== 'held').map((o) => ({ rule: o.rule, at: o.at, open: o.state === 'offered' })),
      workshops, kinds: new Set(c.devices.map((x) => x.kind)), at: now, ...(driving !== undefined ? { drivingDeviceId: driving } : {}),
    });
    if (d.kind === 'none') return;
    const device = d.kind === 'offer' && d.deviceId !== undefined ? d.deviceId : c.devices.find((x) => x.kind === d.rule.device)!.id;
    const base = {
      id: offerId(c.id, d.rule.id, now), customerId: c.id, rule: d.rule.id, offer: d.rule.offer, purpose: d.rule.purpose, partner: d.partner,
      at: now, deviceId: device, text: d.text, reason: d.reason, because: d.because, closedAt: null,
    };
    const o: OfferRecord = d.kind === 'offer'
      ? { ...base, channel: d.channel, channelReason: d.channelReason, state: 'offered', code: null, expiresAt: now + expireMs }
      : { ...base, channel: null, channelReason: d.error.message, state: 'held', code: d.error.code, expiresAt: null };
    mine.push(o);
    offers.set(c.id, mine);
    customers.recordContact({ customerId: c.id, at: now, purpose: o.purpose, channel: o.channel, ticketId: null, offerId: o.id, text: o.text, sent: o.state === 'offered', reason: o.state === 'offered' ? `${o.reason} ${o.channelReason}` : `${o.code}: ${o.channelReason}` });
    if (o.state === 'offered') {
      open.add(o);
      deps.outbox.contact(c.id, now, { ticketId: '', offerId: o.id, deviceId: o.deviceId, channel: o.channel!, text: o.text });
      deps.log.info({ customerId: c.id, offerId: o.id, rule: o.rule, channel: o.channel }, 'offer sent');
    } else deps.log.info({ customerId: c.id, offerId: o.id, rule: o.rule, code: o.code }, 'offer held back');
  }

  return {
    usage,
    rules,
    snapshot: (): OffersSnapshot => ({ offers, open: [...open].map((o) => [o.customerId, o.id]), next: new Map(next), due, usage: usage.snapshot() }),
    /** takes a snapshot's state over (before the first tick) */
    restore(s: OffersSnapshot): void {
      for (const [k, v] of s.offers) offers.set(k, v);
      for (const [c, id] of s.open) {
        const o = offers.get(c)?.find((x) => x.id === id);
        if (o) open.add(o);
      }
      for (const [k, v] of s.next) next.set(k, v);
      due = s.due;
      usage.restore(s.usage);
    },
    /**
     * The watermark moved to w (every message up to it processed): offers not answered in time expire,
     * and every customer whose daily moment passed is decided on, at `now`.
     */
    tick(w: number, now: number): void {
      for (const o of open) {
        if (o.expiresAt !== null && o.expiresAt <= w) {
          o.state = 'expired';
          o.closedAt = o.expiresAt;
          open.delete(o);
        }
      }
      if (w < due) return;
      let earliest = Infinity;
      for (const c of deps.directory.customers) {
        let at = next.get(c.id);
        if (at === undefined) next.set(c.id, (at = nextMoment(w, moment, zone(c))));
        if (at <= w) {
          evaluate(c, now);
          next.set(c.id, (at = nextMoment(at + 60_000, moment, zone(c))));
        }
        earliest = Math.min(earliest, at);
      }
      due = earliest;
    },
    /** the customer answers an offer: accepted or declined, once, before it expires */
    answer(customerId: string, id: string, answer: 'accept' | 'decline', at: number): AnswerResult {
      const o = offers.get(customerId)?.find((x) => x.id === id);
      if (!o || o.state === 'held') return { ok: false, error: { code: OFFER_ERR.UNKNOWN, message: `no offer '${id}' was made to you` } };
      if (o.state === 'expired' || (o.state === 'offered' && o.expiresAt !== null && at >= o.expiresAt)) {
        return { ok: false, error: { code: OFFER_ERR.EXPIRED, message: `offer '${id}' expired before the answer` } };
      }
      if (o.state !== 'offered') return { ok: false, error: { code: OFFER_ERR.ANSWERED, message: `offer '${id}' was already ${o.state}` } };
      o.state = answer === 'accept' ? 'accepted' : 'declined';
      o.closedAt = at;
      open.delete(o);
      return { ok: true, offer: { ...o } };
    },
    /**
     * The app's reply naming an offer: 'accept-fix' or 'call-me' accept it ('call-me': call me about it),
     * 'decline' declines it; 'pick-slot' is for a ticket's booking (EVN_ERR_OFFER_ANSWER). One answer.
     */
    reply(customerId: string, req: ReplyRequestBody, at: number): CustomerAnswerBody {
      const base = { requestId: req.requestId, type: 'reply' as const };
      const id = req.offerId ?? '';
      const r: AnswerResult = req.answer === 'pick-slot'
        ? { ok: false, error: { code: OFFER_ERR.ANSWER, message: `an offer is accepted ('accept-fix', 'call-me') or declined ('decline'); it has no slots` } }
        : this.answer(customerId, id, req.answer === 'decline' ? 'decline' : 'accept', at);
      if (!r.ok) {
        deps.log.info({ customerId, offerId: id, code: r.error.code }, 'offer reply refused');
        return { ...base, ok: false, error: r.error };
      }
      deps.log.info({ customerId, offerId: id, state: r.offer.state }, 'offer answered');
      return { ...base, ok: true, offer: { offerId: id, state: r.offer.state } };
    },
    /** every offer (held ones too), by time then customer */
    list(): OfferRecord[] {
      return [...offers.values()].flat().sort((a, b) => a.at - b.at || (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0)).map((o) => ({ ...o }));
    },
    /** one customer's offers, oldest first */
    of: (customerId: string): OfferRecord[] => (offers.get(customerId) ?? []).map((o) => ({ ...o })),
    /** an erasure: their offers and usage go; how many */
    forget(customerId: string): { offers: number; usageDays: number } {
      const mine = offers.get(customerId) ?? [];
      for (const o of mine) open.delete(o);
      offers.delete(customerId);
      next.delete(customerId);
      return { offers: mine.length, usageDays: usage.forget(customerId) };
    },
  };
}
export type Offers = ReturnType<typeof createOffers>;
