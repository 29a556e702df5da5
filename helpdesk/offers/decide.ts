/**
 * The next-best offer for one customer at one moment, pure: profile + rules + consent + time -> an
 * offer with its reason (which rule, which data), an offer held back (why, with the consent's code), or
 * nothing. In order:
 *
 * 1. A customer with an offer still open gets no other.
 * 2. Rules of a purpose the customer has not opted in to (on any channel) are not evaluated at all:
 *    evernet does not profile for offers a customer who does not want them.
 * 3. Rules of a device kind the customer has none of, or in their cooldown (an offer of the rule in the
 *    last `cooldownDays`), are skipped; so is a rule whose partner is on the blacklist ('nearest-workshop'
 *    takes the nearest one not on it).
 * 4. The first rule whose condition holds is the offer. Its channel is chosen as a contact's is
 *    (helpdesk/contact/choose-channel.ts: preferences, driving, phone number) within the channels the
 *    customer consents to for its purpose; then mayOffer checks consent, blacklist, quiet hours and the
 *    daily cap. Either fails: the offer is held back with the code (no other rule is tried: quiet hours
 *    and the cap hold for every rule alike).
 */
import type { Channel } from '../../contracts/index.js';
import { chooseAllowedChannel, type Preferences } from '../contact/choose-channel.js';
import { allowedChannels, CONSENT_ERR, mayOffer, quietHoursOf, type CodedError, type OfferAudience } from '../customers/consent.js';
import type { Metrics } from './profile.js';
import { evaluate, explain, fill, METRICS, type Because, type OfferRule } from './rules.js';

const DAY_MS = 86_400_000;
export const DEFAULT_COOLDOWN_DAYS = 30;

export interface PastOffer {
  rule: string;
  at: number;
  /** still waiting for the customer's answer */
  open: boolean;
}

export interface DecideInput {
  customer: { id: string; name: string; preferences: Preferences };
  audience: OfferAudience;
  metrics: Metrics;
  rules: readonly OfferRule[];
  /** the customer's offers so far */
  past: readonly PastOffer[];
  /** workshops by distance from the customer's home, nearest first (for 'nearest-workshop') */
  workshops: ReadonlyArray<{ id: string; name: string; services: readonly string[] }>;
  /** which device kinds the customer has */
  kinds: ReadonlySet<string>;
  at: number;
  /** the car being driven now, if any (its display is the channel then) */
  drivingDeviceId?: string;
}

export interface Chosen {
  rule: OfferRule;
  partner: { id: string; name: string } | null;
  because: Because[];
  /** which rule and which data, in words */
  reason: string;
  text: string;
}

export type Decision =
  | { kind: 'none' }
  | (Chosen & { kind: 'offer'; channel: Channel; channelReason: string; deviceId?: string })
  | (Chosen & { kind: 'held'; error: CodedError });

/** the reason an offer carries: the rule's sentence, the comparisons that held, the data they came from */
export function reasonOf(rule: OfferRule, because: Because[], metrics: Metrics, vars: Record<string, string>): string {
  const sources = [...new Set(because.map((b) => METRICS[b.metric].source))].join('; ');
  return `Rule ${rule.id}: ${fill(rule.reason, vars, metrics)} (${because.map(explain).join('; ')}). Data: ${sources}.`;
}

export function decide(x: DecideInput): Decision {
  if (x.past.some((p) => p.open)) return { kind: 'none' };
  const { consent } = x.audience;
  for (const rule of x.rules) {
    if (!consent.purposes[rule.purpose]?.granted) continue;
    if (!x.kinds.has(rule.device)) continue;
    const cooldown = (rule.cooldownDays ?? DEFAULT_COOLDOWN_DAYS) * DAY_MS;
    if (x.past.some((p) => p.rule === rule.id && p.at > x.at - cooldown)) continue;
    let partner: Chosen['partner'] = null;
    if (rule.partner === 'nearest-workshop') {
      const w = x.workshops.find((w) => w.services.includes(rule.device) && !consent.blacklist.includes(w.id));
      if (!w) continue;
      partner = { id: w.id, name: w.name };
    } else if (rule.partner !== undefined) {
      if (consent.blacklist.includes(rule.partner)) continue;
      partner = { id: rule.partner, name: rule.partner };
    }
    const r = evaluate(rule.when, x.metrics);
    if (!r.holds) continue;
    const vars = { name: x.customer.name, partner: partner?.name ?? 'evernet' };
    const chosen: Chosen = { rule, partner, because: r.because, reason: reasonOf(rule, r.because, x.metrics, vars), text: fill(rule.text, vars, x.metrics) };

    const quietHours = quietHoursOf(consent, x.customer.preferences.quietHours);
    const prefs = quietHours === x.customer.preferences.quietHours ? x.customer.preferences : { ...x.customer.preferences, quietHours };
    const choice = chooseAllowedChannel(
      prefs,
      { at: x.at, driving: x.drivingDeviceId !== undefined, ...(x.drivingDeviceId !== undefined ? { drivingDeviceId: x.drivingDeviceId } : {}), severity: 'low', deviceKind: rule.device },
      allowedChannels(consent, rule.purpose),
    );
    if (choice.channel === null) return { ...chosen, kind: 'held', error: { code: CONSENT_ERR.NO_CHANNEL, message: choice.reason } };
    const verdict = mayOffer(x.audience, rule.purpose, choice.channel, x.at, partner?.id);
    if (!verdict.ok) return { ...chosen, kind: 'held', error: verdict.error };
    return { ...chosen, kind: 'offer', channel: choice.channel, channelReason: choice.reason, ...(choice.deviceId !== undefined ? { deviceId: choice.deviceId } : {}) };
  }
  return { kind: 'none' };
}
