import { describe, expect, it } from 'vitest';
import type { Channel, Severity } from '../../../contracts/index.js';
import {
  chooseChannel,
  isQuietTime,
  localMinuteOfDay,
  parseHhmm,
  type Context,
  type Preferences,
} from '../../../helpdesk/contact/choose-channel.js';

/** UTC ms of a Berlin winter local time (UTC+1) on 2020-01-15 */
const local = (h: number, m = 0): number => Date.UTC(2020, 0, 15, h - 1, m);

const PREFS: Preferences = {
  channels: ['app-push', 'sms', 'email'],
  quietHours: { from: '22:00', to: '07:00' },
  phone: '+49 170 0000000',
  email: 'ann@example.org',
};
const ctx = (over: Partial<Context> = {}): Context => ({
  at: local(12),
  driving: false,
  severity: 'medium',
  deviceKind: 'fridge',
  ...over,
});

interface Row {
  name: string;
  prefs?: Partial<Preferences>;
  ctx?: Partial<Context>;
  channel: Channel;
  deviceId?: string;
}

const ROWS: Row[] = [
  { name: 'daytime: first preference', channel: 'app-push' },
  { name: 'driving: car display wins', ctx: { driving: true, drivingDeviceId: 'car-1', deviceKind: 'car-battery' }, channel: 'car-display', deviceId: 'car-1' },
  { name: 'driving wins over quiet hours', ctx: { at: local(23, 30), driving: true, drivingDeviceId: 'car-1' }, channel: 'car-display', deviceId: 'car-1' },
  { name: 'driving wins over a phone-first customer', prefs: { channels: ['phone'] }, ctx: { driving: true, drivingDeviceId: 'car-2', severity: 'critical' }, channel: 'car-display', deviceId: 'car-2' },
  { name: 'driving, car unknown: email, never the phone', prefs: { channels: ['phone', 'app-push'] }, ctx: { driving: true }, channel: 'email' },
  { name: 'quiet hours, medium: push and sms held back', ctx: { at: local(23, 30) }, channel: 'email' },
  { name: 'quiet hours after midnight', ctx: { at: local(6, 59) }, channel: 'email' },
  { name: 'quiet hours end at 07:00', ctx: { at: local(7, 0) }, channel: 'app-push' },
  { name: 'quiet hours start at 22:00', ctx: { at: local(22, 0) }, channel: 'email' },
  { name: 'quiet hours, critical: first preference', ctx: { at: local(23, 30), severity: 'critical' }, channel: 'app-push' },
  { name: 'quiet hours, critical phone customer', prefs: { channels: ['phone', 'email'] }, ctx: { at: local(3), severity: 'critical' }, channel: 'phone' },
  { name: 'quiet hours, high is not critical', prefs: { channels: ['phone', 'sms'] }, ctx: { at: local(3), severity: 'high' }, channel: 'email' },
  { name: 'daytime window (13:00-15:00)', prefs: { quietHours: { from: '13:00', to: '15:00' } }, ctx: { at: local(14) }, channel: 'email' },
  { name: 'daytime window, outside', prefs: { quietHours: { from: '13:00', to: '15:00' } }, ctx: { at: local(15) }, channel: 'app-push' },
  { name: 'from == to: no quiet hours', prefs: { quietHours: { from: '00:00', to: '00:00' } }, ctx: { at: local(3) }, channel: 'app-push' },
  { name: 'no quiet hours set', prefs: { quietHours: undefined }, ctx: { at: local(3) }, channel: 'app-push' },
  { name: 'offset from the scenario (UTC+2): 21:30 UTC is 23:30 local', prefs: { timeZoneOffsetMinutes: 120 }, ctx: { at: Date.UTC(2020, 6, 1, 21, 30) }, channel: 'email' },
  { name: 'offset 0: 21:30 UTC is before quiet hours', prefs: { timeZoneOffsetMinutes: 0 }, ctx: { at: Date.UTC(2020, 6, 1, 21, 30) }, channel: 'app-push' },
  { name: 'sms without a phone number is skipped', prefs: { channels: ['sms', 'app-push'], phone: undefined }, channel: 'app-push' },
  { name: 'phone with a number', prefs: { channels: ['phone', 'email'] }, channel: 'phone' },
  { name: 'parked car display is skipped', prefs: { channels: ['car-display', 'sms'] }, channel: 'sms' },
  { name: 'nothing allowed: email fallback', prefs: { channels: ['phone'], phone: undefined }, channel: 'email' },
  { name: 'no preferences: email fallback', prefs: { channels: [] }, channel: 'email' },
];

describe('chooseChannel', () => {
  it.each(ROWS)('$name', (row) => {
    const choice = chooseChannel({ ...PREFS, ...row.prefs }, ctx(row.ctx));
    expect(choice.channel).toBe(row.channel);
    expect(choice.deviceId).toBe(row.deviceId);
    expect(choice.reason).toMatch(/^[A-Z].{10,200}\.$/);
  });

  it('explains skipped channels and the quiet-hours exception', () => {
    expect(chooseChannel(PREFS, ctx({ at: local(23) })).reason).toContain('quiet hours');
    expect(chooseChannel(PREFS, ctx({ at: local(23), severity: 'critical' })).reason).toContain('critical');
    expect(chooseChannel({ ...PREFS, channels: ['car-display', 'sms'] }, ctx()).reason).toContain('not driving');
  });

  it.each(['low', 'medium', 'high', 'critical'] as Severity[])('driving always uses the car display (%s)', (severity) => {
    expect(chooseChannel(PREFS, ctx({ driving: true, drivingDeviceId: 'car-1', severity, at: local(2) })).channel).toBe('car-display');
  });
});

describe('time helpers', () => {
  it('parses HH:MM and rejects anything else', () => {
    expect(parseHhmm('00:00')).toBe(0);
    expect(parseHhmm('07:30')).toBe(450);
    expect(parseHhmm('23:59')).toBe(1439);
    for (const bad of ['24:00', '7:00', '07:60', '0700', '']) expect(() => parseHhmm(bad)).toThrow(RangeError);
    expect(() => chooseChannel({ ...PREFS, quietHours: { from: '25:00', to: '07:00' } }, ctx())).toThrow(RangeError);
  });

  it('computes the local minute of the day with a fixed offset, also before 1970 and across midnight', () => {
    expect(localMinuteOfDay(Date.UTC(2020, 0, 15, 23, 30), '+01:00')).toBe(30);
    expect(localMinuteOfDay(Date.UTC(2020, 0, 15, 0, 30), '-01:00')).toBe(23 * 60 + 30);
    expect(localMinuteOfDay(-60_000, '+00:00')).toBe(1439);
  });

  it('isQuietTime uses the default offset of 60 minutes', () => {
    expect(isQuietTime(PREFS, Date.UTC(2020, 0, 15, 21, 0))).toBe(true); // 22:00 Berlin
    expect(isQuietTime(PREFS, Date.UTC(2020, 0, 15, 20, 59))).toBe(false);
  });
});
