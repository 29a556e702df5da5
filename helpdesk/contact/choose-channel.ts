/**
 * Which channel reaches the customer about a ticket. Pure: the time and the driving state are
 * passed in.
 *
 * 1. Driving (a car of the customer's has its engine running): the car's board computer
 *    ('car-display') wins over everything, preferences and quiet hours included: a phone must not
 *    distract a driver. Without a known car to address, only email is used (it is not read at the wheel).
 * 2. Otherwise the first preferred channel that is allowed right now:
 *    - during quiet hours only a 'critical' issue may use phone, app-push or sms;
 *    - phone and sms need a phone number;
 *    - 'car-display' only while driving (nobody looks at a parked car's screen).
 * 3. 'email' is always allowed and is the fallback.
 *
 * chooseAllowedChannel does the same within the channels the customer consents to for the contact's
 * purpose (helpdesk/customers/consent.ts): a channel they refuse is skipped like one that is not
 * allowed now, the car's display and email included; when none is left the contact is not sent
 * (channel null, with the reason), whatever its severity: evernet does not overrule an opt-out.
 */
import { CHANNELS, type Channel, type Severity } from '../../contracts/index.js';
import { canonicalZone, offsetMinutesAt, offsetZone } from '../../contracts/time-zone.js';

export interface QuietHours {
  /** local time 'HH:MM'; the window is [from, to) and may wrap past midnight (22:00 -> 07:00) */
  from: string;
  to: string;
}

export interface Preferences {
  /** in order of preference */
  channels: Channel[];
  quietHours?: QuietHours;
  /**
   * The customer's IANA time zone, e.g. 'Europe/Berlin': local times (quiet hours, texts, the
   * dashboard) follow it, daylight saving included. When absent, `timeZoneOffsetMinutes` holds.
   */
  timeZone?: string;
  /**
   * The customer's fixed offset from UTC in minutes, the fallback when no `timeZone` is known (a
   * scenario gives the offset of its start); the default 60 is Europe/Berlin in winter (CET).
   */
  timeZoneOffsetMinutes?: number;
  phone?: string;
  email?: string;
}

export interface Context {
  /** event time, ms */
  at: number;
  /** a car of the customer's has its engine running */
  driving: boolean;
  /** the car being driven: its board computer shows the message */
  drivingDeviceId?: string;
  severity: Severity;
  deviceKind: string;
}

export interface ChannelChoice {
  channel: Channel;
  /** the device to address, for 'car-display' */
  deviceId?: string;
  /** a short human sentence */
  reason: string;
}

export const DEFAULT_TZ_OFFSET_MINUTES = 60;
const MINUTES_PER_DAY = 24 * 60;
/** channels that interrupt the customer right away */
const INTRUSIVE: ReadonlySet<Channel> = new Set<Channel>(['phone', 'app-push', 'sms']);

/** 'HH:MM' (00:00..23:59) -> minutes after midnight. Throws a RangeError on anything else. */
export function parseHhmm(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day 'HH:MM': '${hhmm}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * The customer's zone: `timeZone` when it is an IANA name Intl knows (made canonical), otherwise the
 * fixed offset as '+01:00' (`timeZoneOffsetMinutes`, default 60). Files and the registry check the
 * name where it comes in (contracts/time-zone.ts TimeZone); here an unknown one falls back to the offset.
 */
export function zoneOf(prefs: Pick<Preferences, 'timeZone' | 'timeZoneOffsetMinutes'>): string {
  const name = prefs.timeZone === undefined ? null : canonicalZone(prefs.timeZone);
  return name ?? offsetZone(prefs.timeZoneOffsetMinutes ?? DEFAULT_TZ_OFFSET_MINUTES);
}

/**
 * Minutes after local midnight at event time `at` in `zone` (an IANA name or '+01:00'), with the
 * offset in force at that instant: on a daylight-saving switch day the clock jumps, and so does this.
 */
export function localMinuteOfDay(at: number, zone: string): number {
  const minutes = Math.floor(at / 60_000) + offsetMinutesAt(zone, at);
  return ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

/** True when `at` falls inside the customer's quiet hours (local time in their zone). from === to means no quiet hours. */
export function isQuietTime(prefs: Preferences, at: number): boolean {
  if (!prefs.quietHours) return false;
  const from = parseHhmm(prefs.quietHours.from);
  const to = parseHhmm(prefs.quietHours.to);
  if (from === to) return false;
  const now = localMinuteOfDay(at, zoneOf(prefs));
  return from < to ? now >= from && now < to : now >= from || now < to;
}

/** No channel may carry the contact now: why. */
export interface NoChannel {
  channel: null;
  reason: string;
}

export function chooseChannel(prefs: Preferences, ctx: Context): ChannelChoice {
  return chooseAllowedChannel(prefs, ctx, null) as ChannelChoice;
}

/** chooseChannel within `allowed` (the channels the customer consents to; null: all of them). */
export function chooseAllowedChannel(prefs: Preferences, ctx: Context, allowed: readonly Channel[] | null): ChannelChoice | NoChannel {
  if (allowed && CHANNELS.some((c) => !allowed.includes(c))) return withinConsent(prefs, ctx, allowed);
  if (ctx.driving) {
    if (ctx.drivingDeviceId !== undefined) {
      return {
        channel: 'car-display',
        deviceId: ctx.drivingDeviceId,
        reason: "The customer is driving, so the car's board computer shows it instead of the phone.",
      };
    }
    return {
      channel: 'email',
      reason: 'The customer is driving and the car cannot be addressed, so email avoids distracting the driver.',
    };
  }

  const quiet = isQuietTime(prefs, ctx.at);
  const skipped: string[] = [];
  for (const channel of prefs.channels) {
    if (channel === 'car-display') {
      skipped.push('car-display (not driving)');
      continue;
    }
    if (quiet && INTRUSIVE.has(channel) && ctx.severity !== 'critical') {
      skipped.push(`${channel} (quiet hours)`);
      continue;
    }
    if ((channel === 'phone' || channel === 'sms') && !prefs.phone) {
      skipped.push(`${channel} (no phone number)`);
      continue;
    }
    const why =
      skipped.length === 0
        ? `${channel} is the customer's first preferred channel`
        : `${channel} is the first preferred channel allowed now; skipped ${skipped.join(', ')}`;
    const critical = quiet && INTRUSIVE.has(channel) ? ' (critical, so quiet hours do not hold it back)' : '';
    return { channel, reason: `${capitalise(why)}${critical}.` };
  }

  const note = skipped.length === 0 ? 'no preferred channel is set' : `skipped ${skipped.join(', ')}`;
  return { channel: 'email', reason: `Email is the fallback: ${note}.` };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** the rules above, skipping the channels the customer refuses */
function withinConsent(prefs: Preferences, ctx: Context, allowed: readonly Channel[]): ChannelChoice | NoChannel {
  const ok = (c: Channel): boolean => allowed.includes(c);
  const refused = CHANNELS.filter((c) => !ok(c));
  const consent = `the customer refuses ${refused.join(', ')}`;
  if (ctx.driving) {
    if (ctx.drivingDeviceId !== undefined && ok('car-display')) {
      return { channel: 'car-display', deviceId: ctx.drivingDeviceId, reason: `The customer is driving, so the car's board computer shows it instead of the phone (${consent}).` };
    }
    if (ok('email')) return { channel: 'email', reason: `The customer is driving and the car's display cannot be used, so email avoids distracting the driver (${consent}).` };
    return { channel: null, reason: `Not sent: the customer is driving, and ${consent}, so no channel that does not distract a driver is left.` };
  }
  const quiet = isQuietTime(prefs, ctx.at);
  const skipped: string[] = [];
  for (const channel of prefs.channels) {
    if (!ok(channel)) skipped.push(`${channel} (refused by the customer)`);
    else if (channel === 'car-display') skipped.push('car-display (not driving)');
    else if (quiet && INTRUSIVE.has(channel) && ctx.severity !== 'critical') skipped.push(`${channel} (quiet hours)`);
    else if ((channel === 'phone' || channel === 'sms') && !prefs.phone) skipped.push(`${channel} (no phone number)`);
    else {
      const critical = quiet && INTRUSIVE.has(channel) ? ' (critical, so quiet hours do not hold it back)' : '';
      const why = skipped.length === 0 ? `${channel} is the customer's first preferred channel` : `${channel} is the first preferred channel allowed now; skipped ${skipped.join(', ')}`;
      return { channel, reason: `${capitalise(why)}${critical}.` };
    }
  }
  const note = skipped.length === 0 ? 'no preferred channel is set' : `skipped ${skipped.join(', ')}`;
  if (ok('email')) return { channel: 'email', reason: `Email is the fallback: ${note}.` };
  return { channel: null, reason: `Not sent: ${note}, and the customer refuses email, the fallback.` };
}
