/** The customer's consent, pure: changes from the app, the channels a service contact may use, and mayOffer. */
import { describe, expect, it } from 'vitest';
import { allowedChannels, applyRequest, CONSENT_ERR, defaultConsent, mayOffer, quietHoursOf, type Consent, type ConsentRequest } from '../../../helpdesk/customers/consent.js';
import { chooseAllowedChannel, chooseChannel, type Preferences } from '../../../helpdesk/contact/choose-channel.js';
import { CHANNELS } from '../../../contracts/index.js';

const T = Date.parse('2020-11-02T12:00:00+01:00');
const HOUR = 3_600_000;
const prefs: Preferences = { channels: ['app-push', 'sms', 'email'], phone: '+49 221 5550100', timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' } };

function change(c: Consent, req: Record<string, unknown>): Consent {
  const r = applyRequest(c, { requestId: 'r-1', add: [], remove: [], ...req } as unknown as ConsentRequest, T);
  if (!r.ok) throw new Error(r.error.message);
  return r.consent;
}

describe('consent changes from the app', () => {
  it('start from the defaults that keep what evernet did before: service on every channel, no offers', () => {
    const c = defaultConsent();
    expect(allowedChannels(c, 'service')).toEqual([...CHANNELS]);
    expect(allowedChannels(c, 'offers')).toEqual([]);
    expect(allowedChannels(c, 'partner-offers')).toEqual([]);
    expect(quietHoursOf(c, prefs.quietHours)).toEqual(prefs.quietHours);
  });

  it('refuse an unknown purpose or channel with a code and change nothing', () => {
    const before = defaultConsent();
    const snapshot = structuredClone(before);
    const purpose = applyRequest(before, { type: 'consent', requestId: 'r-1', purpose: 'marketing', granted: true }, T);
    expect(purpose).toMatchObject({ ok: false, error: { code: CONSENT_ERR.PURPOSE } });
    const channel = applyRequest(before, { type: 'consent', requestId: 'r-2', purpose: 'offers', channel: 'fax', granted: true }, T);
    expect(channel).toMatchObject({ ok: false, error: { code: CONSENT_ERR.CHANNEL } });
    const empty = applyRequest(before, { type: 'preferences', requestId: 'r-3', quietHours: { from: '08:00', to: '08:00' } }, T);
    expect(empty).toMatchObject({ ok: false, error: { code: CONSENT_ERR.INPUT } });
    expect(before).toEqual(snapshot);
  });

  it('opt out of one channel of a purpose, opt in to offers on one channel, and keep the time of the change', () => {
    let c = change(defaultConsent(), { type: 'consent', purpose: 'service', channel: 'app-push', granted: false });
    expect(allowedChannels(c, 'service')).toEqual(CHANNELS.filter((x) => x !== 'app-push'));
    expect(c.updatedAt).toBe(T);
    // yes to offers by email is yes to offers by email only
    c = change(c, { type: 'consent', purpose: 'offers', channel: 'email', granted: true });
    expect(allowedChannels(c, 'offers')).toEqual(['email']);
    c = change(c, { type: 'consent', purpose: 'offers', channel: 'app-push', granted: true });
    expect(allowedChannels(c, 'offers')).toEqual(['app-push', 'email']);
    c = change(c, { type: 'consent', purpose: 'offers', granted: false });
    expect(allowedChannels(c, 'offers')).toEqual([]);
    // yes to the purpose as a whole: every channel not refused by name
    c = change(c, { type: 'consent', purpose: 'partner-offers', granted: true });
    c = change(c, { type: 'consent', purpose: 'partner-offers', channel: 'sms', granted: false });
    expect(allowedChannels(c, 'partner-offers')).toEqual(CHANNELS.filter((x) => x !== 'sms'));
  });

  it('keep a sorted blacklist without repeats and refuse one past its bound', () => {
    let c = change(defaultConsent(), { type: 'blacklist', add: ['tyre-world', 'acme-insurance', 'tyre-world'] });
    expect(c.blacklist).toEqual(['acme-insurance', 'tyre-world']);
    c = change(c, { type: 'blacklist', remove: ['tyre-world'] });
    expect(c.blacklist).toEqual(['acme-insurance']);
    const many = Array.from({ length: 101 }, (_, i) => `company-${i}`);
    expect(applyRequest(c, { type: 'blacklist', requestId: 'r-9', add: many, remove: [] }, T)).toMatchObject({ ok: false, error: { code: CONSENT_ERR.INPUT } });
  });

  it("set the customer's own quiet hours over the registered ones, or none", () => {
    const own = change(defaultConsent(), { type: 'preferences', quietHours: { from: '21:00', to: '08:00' }, maxContactsPerDay: 2 });
    expect(quietHoursOf(own, prefs.quietHours)).toEqual({ from: '21:00', to: '08:00' });
    expect(own.maxContactsPerDay).toBe(2);
    const none = change(own, { type: 'preferences', quietHours: null });
    expect(quietHoursOf(none, prefs.quietHours)).toBeUndefined();
    expect(none.maxContactsPerDay).toBe(2);
  });
});

describe('mayOffer', () => {
  const optedIn = change(change(defaultConsent(), { type: 'consent', purpose: 'offers', granted: true }), { type: 'blacklist', add: ['tyre-world'] });
  const audience = (consent: Consent, contactsAt: number[] = []) => ({ consent, preferences: prefs, contactsAt });

  it('refuses an offer the customer has not opted in to, on the purpose or the channel', () => {
    expect(mayOffer(audience(defaultConsent()), 'offers', 'app-push', T)).toMatchObject({ ok: false, error: { code: CONSENT_ERR.OFFER_NO_CONSENT } });
    const noSms = change(optedIn, { type: 'consent', purpose: 'offers', channel: 'sms', granted: false });
    expect(mayOffer(audience(noSms), 'offers', 'sms', T)).toMatchObject({ ok: false, error: { code: CONSENT_ERR.OFFER_NO_CONSENT } });
    expect(mayOffer(audience(noSms), 'offers', 'app-push', T)).toEqual({ ok: true });
    expect(mayOffer(audience(optedIn), 'partner-offers', 'app-push', T)).toMatchObject({ ok: false, error: { code: CONSENT_ERR.OFFER_NO_CONSENT } });
  });

  it('refuses a blacklisted company, and lets another through', () => {
    expect(mayOffer(audience(optedIn), 'offers', 'app-push', T, 'tyre-world')).toMatchObject({ ok: false, error: { code: CONSENT_ERR.OFFER_BLACKLISTED } });
    expect(mayOffer(audience(optedIn), 'offers', 'app-push', T, 'autohaus-becker')).toEqual({ ok: true });
  });

  it("refuses during the customer's quiet hours (local time, their own over the registered ones)", () => {
    const night = Date.parse('2020-11-02T23:30:00+01:00');
    expect(mayOffer(audience(optedIn), 'offers', 'email', night)).toMatchObject({ ok: false, error: { code: CONSENT_ERR.OFFER_QUIET_HOURS } });
    const noQuiet = change(optedIn, { type: 'preferences', quietHours: null });
    expect(mayOffer(audience(noQuiet), 'offers', 'email', night)).toEqual({ ok: true });
  });

  it('refuses past the daily cap, counting the 24 hours before, service contacts included', () => {
    const capped = change(optedIn, { type: 'preferences', maxContactsPerDay: 2 });
    expect(mayOffer(audience(capped, [T - 30 * HOUR, T - HOUR]), 'offers', 'app-push', T)).toEqual({ ok: true });
    expect(mayOffer(audience(capped, [T - 23 * HOUR, T - HOUR]), 'offers', 'app-push', T)).toMatchObject({ ok: false, error: { code: CONSENT_ERR.OFFER_CAP } });
    const none = change(optedIn, { type: 'preferences', maxContactsPerDay: 0 });
    expect(mayOffer(audience(none), 'offers', 'app-push', T)).toMatchObject({ ok: false, error: { code: CONSENT_ERR.OFFER_CAP } });
  });
});

describe('channel choice within consent', () => {
  const ctx = { at: T, driving: false, severity: 'high' as const, deviceKind: 'fridge' };

  it('chooses as before when every channel is allowed', () => {
    for (const c of [ctx, { ...ctx, driving: true, drivingDeviceId: 'car' }, { ...ctx, at: Date.parse('2020-11-02T23:30:00+01:00') }]) {
      expect(chooseAllowedChannel(prefs, c, [...CHANNELS])).toEqual(chooseChannel(prefs, c));
    }
  });

  it('skips a refused channel and says so', () => {
    const r = chooseAllowedChannel(prefs, ctx, CHANNELS.filter((c) => c !== 'app-push'));
    expect(r.channel).toBe('sms');
    expect(r.reason).toContain('app-push (refused by the customer)');
  });

  it('sends nothing when no channel is left, whatever the severity, and says why', () => {
    const r = chooseAllowedChannel(prefs, { ...ctx, severity: 'critical' }, ['phone']);
    expect(r.channel).toBeNull();
    expect(r.reason).toMatch(/^Not sent: .*refuses email/);
    expect(chooseAllowedChannel(prefs, ctx, []).channel).toBeNull();
  });

  it("keeps the phone away from a driver: the car's display or email, else nothing", () => {
    const driving = { ...ctx, driving: true, drivingDeviceId: 'car' };
    expect(chooseAllowedChannel(prefs, driving, ['app-push', 'email']).channel).toBe('email');
    expect(chooseAllowedChannel(prefs, driving, ['car-display', 'app-push']).channel).toBe('car-display');
    expect(chooseAllowedChannel(prefs, driving, ['app-push', 'sms']).channel).toBeNull();
  });
});
