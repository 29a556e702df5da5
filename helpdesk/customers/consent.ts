/**
 * The customer's consent, pure: what they opted in to per purpose (service contacts, the company's
 * offers, partners' offers) and per channel, the companies their assistant refuses (blacklist), their
 * own quiet hours and a cap of non-urgent contacts a day. Requests from the app change it
 * (applyRequest: a coded error and nothing changed, or the new state and what changed); the contact
 * flow asks which channels a purpose may use (allowedChannels), the offers ask mayOffer().
 *
 * Defaults keep what evernet did before consent existed: service contacts on every channel, offers
 * and partner offers off, no blacklist, the quiet hours staff registered, no cap.
 */
import {
  CHANNELS, MAX_BLACKLIST, PURPOSES,
  type AppRequestBody, type Channel, type ConsentSettings, type EvnErrorCode, type Purpose,
} from '../../contracts/index.js';
import { codeTable } from '../../contracts/errors.js';
import { isQuietTime, type Preferences, type QuietHours } from '../contact/choose-channel.js';

export const CONSENT_ERR = codeTable({
  UNKNOWN_CUSTOMER: 'EVN_ERR_UNKNOWN_CUSTOMER',
  PURPOSE: 'EVN_ERR_CONSENT_PURPOSE',
  CHANNEL: 'EVN_ERR_CONSENT_CHANNEL',
  INPUT: 'EVN_ERR_CONSENT_INPUT',
  NO_CHANNEL: 'EVN_ERR_CONSENT_NO_CHANNEL',
  OFFER_NO_CONSENT: 'EVN_ERR_OFFER_NO_CONSENT',
  OFFER_BLACKLISTED: 'EVN_ERR_OFFER_BLACKLISTED',
  OFFER_QUIET_HOURS: 'EVN_ERR_OFFER_QUIET_HOURS',
  OFFER_CAP: 'EVN_ERR_OFFER_CAP',
});

/** what the customer set; the wire's ConsentSettings */
export type Consent = ConsentSettings;
export type ConsentRequest = Extract<AppRequestBody, { type: 'consent' | 'blacklist' | 'preferences' }>;
export type CodedError = { code: EvnErrorCode; message: string };
export type ConsentResult = { ok: true; consent: Consent; change: Record<string, unknown> } | { ok: false; error: CodedError };

export const DAY_MS = 24 * 3_600_000;

/** Before any change: service contacts on every channel, no offers, nothing blacklisted, staff's quiet hours, no cap. */
export function defaultConsent(): Consent {
  return {
    purposes: { service: { granted: true, channels: {} }, offers: { granted: false, channels: {} }, 'partner-offers': { granted: false, channels: {} } },
    blacklist: [],
    maxContactsPerDay: null,
    updatedAt: null,
  };
}

const isPurpose = (p: string): p is Purpose => (PURPOSES as readonly string[]).includes(p);
const isChannel = (c: string): c is Channel => (CHANNELS as readonly string[]).includes(c);
const fail = (code: EvnErrorCode, message: string): ConsentResult => ({ ok: false, error: { code, message } });

/** Applies one request of the app at event time `at`: the new consent and what changed, or a coded error (nothing changed). */
export function applyRequest(before: Consent, req: ConsentRequest, at: number): ConsentResult {
  const c: Consent = structuredClone(before);
  switch (req.type) {
    case 'consent': {
      if (!isPurpose(req.purpose)) return fail(CONSENT_ERR.PURPOSE, `unknown purpose '${req.purpose}': one of ${PURPOSES.join(', ')}`);
      if (req.channel !== undefined && !isChannel(req.channel)) return fail(CONSENT_ERR.CHANNEL, `unknown channel '${req.channel}': one of ${CHANNELS.join(', ')}`);
      const p = (c.purposes[req.purpose] ??= { granted: false, channels: {} });
      if (req.channel === undefined) p.granted = req.granted;
      else {
        // opting in on one channel of a purpose that was off turns it on there only: the others stay off
        if (req.granted && !p.granted) {
          for (const ch of CHANNELS) p.channels[ch] ??= false;
          p.granted = true;
        }
        p.channels[req.channel] = req.granted;
      }
      c.updatedAt = at;
      return { ok: true, consent: c, change: { type: 'consent', purpose: req.purpose, ...(req.channel !== undefined ? { channel: req.channel } : {}), granted: req.granted } };
    }
    case 'blacklist': {
      const set = new Set(c.blacklist);
      for (const id of req.add) set.add(id);
      for (const id of req.remove) set.delete(id);
      if (set.size > MAX_BLACKLIST) return fail(CONSENT_ERR.INPUT, `a blacklist holds at most ${MAX_BLACKLIST} companies; this change would make it ${set.size}`);
      c.blacklist = [...set].sort();
      c.updatedAt = at;
      return { ok: true, consent: c, change: { type: 'blacklist', add: req.add, remove: req.remove } };
    }
    case 'preferences': {
      if (req.quietHours && req.quietHours.from === req.quietHours.to) return fail(CONSENT_ERR.INPUT, `quiet hours from ${req.quietHours.from} to ${req.quietHours.to} have no length: send null for none`);
      if (req.quietHours !== undefined) c.quietHours = req.quietHours;
      if (req.maxContactsPerDay !== undefined) c.maxContactsPerDay = req.maxContactsPerDay;
      c.updatedAt = at;
      const change: Record<string, unknown> = { type: 'preferences' };
      if (req.quietHours !== undefined) change.quietHours = req.quietHours;
      if (req.maxContactsPerDay !== undefined) change.maxContactsPerDay = req.maxContactsPerDay;
      return { ok: true, consent: c, change };
    }
  }
}

/** whether the purpose may use the channel: opted in to the purpose, and the channel not refused (a channel not named follows the purpose) */
export function consents(c: Consent, purpose: Purpose, channel: Channel): boolean {
  const p = c.purposes[purpose];
  if (!p?.granted) return false;
  return p.channels[channel] ?? true;
}

/** the channels a purpose may use, in the contract's order; all of them for a default service consent */
export function allowedChannels(c: Consent, purpose: Purpose): Channel[] {
  return CHANNELS.filter((ch) => consents(c, purpose, ch));
}

/** the customer's quiet hours in force: their own once they set them (null: none), else those staff registered */
export function quietHoursOf(c: Consent, registered: QuietHours | undefined): QuietHours | undefined {
  if (c.quietHours === undefined) return registered;
  return c.quietHours ?? undefined;
}

/** A customer as mayOffer sees them: their consent, contact preferences (zone, registered quiet hours) and recent contacts. */
export interface OfferAudience {
  consent: Consent;
  preferences: Preferences;
  /** event times of contacts sent to them (any purpose), at least those of the last 24 hours */
  contactsAt: readonly number[];
}

export type OfferVerdict = { ok: true } | { ok: false; error: CodedError };

/**
 * Whether an offer may reach the customer on `channel` at event time `at`: opted in to its purpose
 * there, its company (`from`, when given) not blacklisted, not in quiet hours, and fewer contacts in
 * the 24 hours before `at` than the customer's cap. Service contacts count towards the cap; offers are
 * the non-urgent contacts it holds back.
 */
export function mayOffer(customer: OfferAudience, purpose: Exclude<Purpose, 'service'>, channel: Channel, at: number, from?: string): OfferVerdict {
  const { consent } = customer;
  if (!consents(consent, purpose, channel)) {
    const p = consent.purposes[purpose];
    const why = p?.granted ? `refuses ${purpose} on ${channel}` : `has not opted in to ${purpose}`;
    return { ok: false, error: { code: CONSENT_ERR.OFFER_NO_CONSENT, message: `the customer ${why}` } };
  }
  if (from !== undefined && consent.blacklist.includes(from)) {
    return { ok: false, error: { code: CONSENT_ERR.OFFER_BLACKLISTED, message: `'${from}' is on the customer's blacklist` } };
  }
  const quietHours = quietHoursOf(consent, customer.preferences.quietHours);
  if (isQuietTime({ ...customer.preferences, quietHours }, at)) {
    return { ok: false, error: { code: CONSENT_ERR.OFFER_QUIET_HOURS, message: `${quietHours!.from}-${quietHours!.to} are the customer's quiet hours` } };
  }
  if (consent.maxContactsPerDay !== null) {
    const recent = customer.contactsAt.filter((t) => t > at - DAY_MS && t <= at).length;
    if (recent >= consent.maxContactsPerDay) {
      return { ok: false, error: { code: CONSENT_ERR.OFFER_CAP, message: `${recent} contacts in the last 24 hours reach the customer's cap of ${consent.maxContactsPerDay} a day` } };
    }
  }
  return { ok: true };
}
