/** Next-best offers, pure: the rules' conditions and reasons, the profile from usage days, and the decision under consent. */
import { describe, expect, it } from 'vitest';
import { applyRequest, CONSENT_ERR, defaultConsent, type Consent, type ConsentRequest } from '../../../helpdesk/customers/consent.js';
import type { Preferences } from '../../../helpdesk/contact/choose-channel.js';
import { decide, type DecideInput } from '../../../helpdesk/offers/decide.js';
import { buildProfile } from '../../../helpdesk/offers/profile.js';
import { DEFAULT_RULES, evaluate, explain, fill, type OfferRule } from '../../../helpdesk/offers/rules.js';
import { createUsage, type UsageDay } from '../../../helpdesk/offers/usage.js';

const ZONE = 'Europe/Berlin';
const AT = Date.parse('2020-11-02T08:30:00+01:00');
const DAY = 86_400_000;
const prefs: Preferences = { channels: ['app-push', 'sms', 'email'], phone: '+49 221 5550100', timeZone: ZONE, quietHours: { from: '22:00', to: '07:00' } };
const maria = { id: 'maria', name: 'Maria', preferences: prefs };
const devices = [{ id: 'car', kind: 'car-battery' as const }, { id: 'washer', kind: 'washer' as const }];
const workshops = [
  { id: 'autohaus-becker', name: 'Autohaus Becker', services: ['car-battery'] },
  { id: 'kfz-meyer', name: 'Kfz Meyer', services: ['car-battery'] },
  { id: 'hausgeraete-schmitz', name: 'Hausgeräte-Service Schmitz', services: ['fridge', 'washer'] },
];

const week = (km: number[], trips: number[]): UsageDay[] =>
  km.map((k, i) => ({ customerId: 'maria', deviceId: 'car', day: `2020-10-${26 + i}`, km: k, trips: trips[i]! }));
const commuter = week([52, 48, 55, 47, 61, 23, 0], [2, 2, 3, 2, 2, 1, 0]);

function consent(...reqs: Array<Record<string, unknown>>): Consent {
  let c = defaultConsent();
  for (const req of reqs) {
    const r = applyRequest(c, { requestId: 'r-1', add: [], remove: [], ...req } as unknown as ConsentRequest, 0);
    if (!r.ok) throw new Error(r.error.message);
    c = r.consent;
  }
  return c;
}
const optIn = (purpose: string) => ({ type: 'consent', purpose, granted: true });

function input(over: Partial<DecideInput> & { usage?: UsageDay[] } = {}): DecideInput {
  const { usage = commuter, ...rest } = over;
  return {
    customer: maria,
    audience: { consent: consent(optIn('offers')), preferences: prefs, contactsAt: [] },
    metrics: buildProfile({ devices, usage, tickets: [], at: over.at ?? AT, zone: ZONE }),
    rules: DEFAULT_RULES, past: [], workshops, kinds: new Set(['car-battery', 'washer']), at: AT,
    ...rest,
  };
}

describe('the rules', () => {
  it('hold on the comparisons they name, and say which values made them hold', () => {
    const rule = DEFAULT_RULES.find((r) => r.id === 'mobility-flatrate-upgrade')!;
    const r = evaluate(rule.when, { 'car.km7d': 286, 'car.commuteDays7d': 5 });
    expect(r.holds).toBe(true);
    expect(r.because.map(explain)).toEqual([
      'km driven in the 7 days before today: 286 km >= 150 km',
      'days with 2 or more trips (there and back) in the 7 days before today: 5 >= 4',
    ]);
    expect(evaluate(rule.when, { 'car.km7d': 149, 'car.commuteDays7d': 5 }).holds).toBe(false);
    expect(evaluate(rule.when, { 'car.km7d': 300, 'car.commuteDays7d': 3 }).holds).toBe(false);
    // no data is no offer
    expect(evaluate(rule.when, { 'car.km7d': 300 }).holds).toBe(false);
  });

  it('take the first comparison that holds in an any', () => {
    const c = { any: [{ metric: 'washer.cycles365d' as const, op: '>=' as const, value: 250 }, { metric: 'washer.heaterTickets30d' as const, op: '>=' as const, value: 1 }] };
    expect(evaluate(c, { 'washer.cycles365d': 10, 'washer.heaterTickets30d': 1 }).because).toEqual([{ metric: 'washer.heaterTickets30d', op: '>=', value: 1, actual: 1 }]);
    expect(evaluate(c, { 'washer.cycles365d': 10, 'washer.heaterTickets30d': 0 }).holds).toBe(false);
  });

  it('fill their texts with the customer, the partner and the values', () => {
    expect(fill('Hello {name}, {car.km7d} km, {car.restVoltageDropV} V, {partner}, {unknown}', { name: 'Maria', partner: 'Autohaus Becker' }, { 'car.km7d': 286, 'car.restVoltageDropV': 0.2 }))
      .toBe('Hello Maria, 286 km, 0.20 V, Autohaus Becker, {unknown}');
  });
});

describe("a customer's profile", () => {
  it('sums the 7 whole days before the moment, not today', () => {
    const today = { customerId: 'maria', deviceId: 'car', day: '2020-11-02', km: 500, trips: 9 };
    const old = { customerId: 'maria', deviceId: 'car', day: '2020-10-25', km: 500, trips: 9 };
    const m = buildProfile({ devices, usage: [old, ...commuter, today], tickets: [], at: AT, zone: ZONE });
    expect(m).toMatchObject({ month: 11, 'car.km7d': 286, 'car.trips7d': 12, 'car.drivingDays7d': 6, 'car.commuteDays7d': 5, 'washer.cycles365d': 0, 'washer.heaterTickets30d': 0 });
  });

  it("reads the battery's trend from its cranks and its tickets of the last 30 days", () => {
    const cranks = [12.64, 12.55, 12.41].map((v, i) => ({ customerId: 'maria', deviceId: 'car', day: `2020-10-${10 + i * 5}`, restVoltageV: v, crankMinV: 10.4 - i * 0.3 }));
    const tickets = [{ deviceId: 'car', kind: 'battery-weak', openedAt: AT - 3 * DAY }, { deviceId: 'car', kind: 'battery-weak', openedAt: AT - 40 * DAY }];
    const m = buildProfile({ devices, usage: cranks, tickets, at: AT, zone: ZONE });
    expect(m).toMatchObject({ 'car.restVoltageV': 12.41, 'car.restVoltageDropV': 0.23, 'car.crankMinDropV': 0.6, 'car.batteryTickets30d': 1 });
  });

  it('comes from the car telemetry and events the helpdesk sees: km from speed over time, a trip per engine start', () => {
    const u = createUsage();
    const zone = () => ZONE;
    const t0 = Date.parse('2020-11-02T18:00:00+01:00');
    // 30 minutes at 40 km/h (and the 10 s to the reading that says the engine is off), again 15 minutes: 30.1 km, 2 trips
    for (let s = 0; s <= 1800; s += 10) u.car('maria', 'car', zone, t0 + s * 1000, true, 40);
    u.car('maria', 'car', zone, t0 + 1810_000, false, 0);
    for (let s = 3600; s <= 4500; s += 10) u.car('maria', 'car', zone, t0 + s * 1000, true, 40);
    u.crank('maria', 'car', zone, t0, 12.6, 10.4);
    u.crank('maria', 'car', zone, t0 + 3600_000, 12.5, 10.2);
    u.cycleFinished('maria', 'washer', zone, t0);
    const [car, washer] = u.of('maria');
    expect(car).toMatchObject({ day: '2020-11-02', trips: 2, restVoltageV: 12.6, crankMinV: 10.2 });
    expect(car!.km).toBe(30.111);
    expect(washer).toMatchObject({ deviceId: 'washer', cycles: 1 });
    // after local midnight (23:00 UTC in winter) a new day begins
    u.car('maria', 'car', zone, Date.parse('2020-11-03T00:10:00+01:00'), true, 10);
    expect(u.of('maria').map((d) => d.day)).toEqual(['2020-11-02', '2020-11-02', '2020-11-03']);
    expect(u.forget('maria')).toBe(3);
    expect(u.of('maria')).toEqual([]);
  });
});

describe('the decision', () => {
  it("offers Maria the upgrade on her first channel, with the rule and the data in its reason", () => {
    const d = decide(input());
    expect(d).toMatchObject({ kind: 'offer', channel: 'app-push', partner: null, rule: { id: 'mobility-flatrate-upgrade' } });
    if (d.kind !== 'offer') throw new Error('no offer');
    expect(d.text).toBe('Good morning Maria, you drove 286 km on 6 of the last 7 days. An upgrade of your mobility flatrate covers that for a fixed price a month. Interested? Answer in the app.');
    expect(d.reason).toContain('Rule mobility-flatrate-upgrade: the customer drives a lot and commutes daily');
    expect(d.reason).toContain('286 km >= 150 km');
    expect(d.reason).toContain("Data: the car's telemetry");
  });

  it('offers nothing to a customer who has not opted in, nor on a channel they refuse', () => {
    expect(decide(input({ audience: { consent: defaultConsent(), preferences: prefs, contactsAt: [] } }))).toEqual({ kind: 'none' });
    const onlySms = consent({ type: 'consent', purpose: 'offers', channel: 'sms', granted: true });
    expect(decide(input({ audience: { consent: onlySms, preferences: prefs, contactsAt: [] } }))).toMatchObject({ kind: 'offer', channel: 'sms' });
    const noChannel = consent(optIn('offers'), ...['app-push', 'sms', 'email'].map((channel) => ({ type: 'consent', purpose: 'offers', channel, granted: false })));
    expect(decide(input({ audience: { consent: noChannel, preferences: prefs, contactsAt: [] } }))).toMatchObject({ kind: 'held', error: { code: CONSENT_ERR.NO_CHANNEL } });
  });

  it('holds an offer back in quiet hours and above the daily cap', () => {
    const night = Date.parse('2020-11-02T23:00:00+01:00');
    expect(decide(input({ at: night }))).toMatchObject({ kind: 'held', error: { code: CONSENT_ERR.OFFER_QUIET_HOURS } });
    const own = consent(optIn('offers'), { type: 'preferences', quietHours: { from: '08:00', to: '09:00' } });
    expect(decide(input({ audience: { consent: own, preferences: prefs, contactsAt: [] } }))).toMatchObject({ kind: 'held', error: { code: CONSENT_ERR.OFFER_QUIET_HOURS } });
    const capped = consent(optIn('offers'), { type: 'preferences', maxContactsPerDay: 1 });
    expect(decide(input({ audience: { consent: capped, preferences: prefs, contactsAt: [AT - 3_600_000] } }))).toMatchObject({ kind: 'held', error: { code: CONSENT_ERR.OFFER_CAP } });
    // a contact more than 24 hours ago does not count
    expect(decide(input({ audience: { consent: capped, preferences: prefs, contactsAt: [AT - DAY - 1] } }))).toMatchObject({ kind: 'offer' });
  });

  it('makes no second offer while one is open, nor the same rule within its cooldown', () => {
    expect(decide(input({ past: [{ rule: 'washer-service', at: AT - DAY, open: true }] }))).toEqual({ kind: 'none' });
    expect(decide(input({ past: [{ rule: 'mobility-flatrate-upgrade', at: AT - 29 * DAY, open: false }] }))).toEqual({ kind: 'none' });
    expect(decide(input({ past: [{ rule: 'mobility-flatrate-upgrade', at: AT - 31 * DAY, open: false }] }))).toMatchObject({ kind: 'offer' });
  });

  it("takes a partner's offer only with partner consent, and never from a blacklisted partner", () => {
    const weak = [...commuter, ...[12.64, 12.55, 12.41].map((v, i) => ({ customerId: 'maria', deviceId: 'car', day: `2020-10-${10 + i * 5}`, restVoltageV: v }))];
    // offers only: the battery check (partner-offers) is not even evaluated; the upgrade is next
    expect(decide(input({ usage: weak }))).toMatchObject({ kind: 'offer', rule: { id: 'mobility-flatrate-upgrade' } });
    const partners = consent(optIn('partner-offers'));
    const d = decide(input({ usage: weak, audience: { consent: partners, preferences: prefs, contactsAt: [] } }));
    expect(d).toMatchObject({ kind: 'offer', rule: { id: 'battery-check-before-winter' }, partner: { id: 'autohaus-becker' } });
    if (d.kind !== 'offer') throw new Error('no offer');
    expect(d.text).toContain('fell by 0.23 V');
    expect(d.text).toContain('Autohaus Becker offers a battery check');
    // the nearest is blacklisted: the next one
    const noBecker = consent(optIn('partner-offers'), { type: 'blacklist', add: ['autohaus-becker'] });
    expect(decide(input({ usage: weak, audience: { consent: noBecker, preferences: prefs, contactsAt: [] } }))).toMatchObject({ partner: { id: 'kfz-meyer' } });
    const noneLeft = consent(optIn('partner-offers'), { type: 'blacklist', add: ['autohaus-becker', 'kfz-meyer'] });
    expect(decide(input({ usage: weak, audience: { consent: noneLeft, preferences: prefs, contactsAt: [] } }))).toEqual({ kind: 'none' });
    // a fixed partner on the blacklist: the rule is skipped
    const fixed: OfferRule = { ...DEFAULT_RULES[1]!, id: 'insurer', purpose: 'partner-offers', partner: 'acme-insurance' };
    const noAcme = consent(optIn('partner-offers'), { type: 'blacklist', add: ['acme-insurance'] });
    expect(decide(input({ rules: [fixed], audience: { consent: noAcme, preferences: prefs, contactsAt: [] } }))).toEqual({ kind: 'none' });
    expect(decide(input({ rules: [fixed], audience: { consent: partners, preferences: prefs, contactsAt: [] } }))).toMatchObject({ kind: 'offer', partner: { id: 'acme-insurance' } });
  });

  it("shows an offer on the car's display while she drives, if she consents to it there", () => {
    expect(decide(input({ drivingDeviceId: 'car' }))).toMatchObject({ kind: 'offer', channel: 'car-display', deviceId: 'car' });
  });
});
