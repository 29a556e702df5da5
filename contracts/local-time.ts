/**
 * Wall-clock time in a zone, the one implementation for everything said in local time: a time-of-use
 * band "22:00 to 06:00", a price feed's daily refresh "at 14:00", the times in a load's basis, a washer
 * board's "done by 07:00". A zone is an IANA name ('Europe/Berlin', 'UTC'; daylight saving follows
 * Intl) or a fixed offset ('+01:00'), as time-zone.ts reads it. Pure: no clock is read.
 */
import { isIanaZone, offsetMinutesAt } from './time-zone.js';

const DAY_MS = 86_400_000;

export interface LocalParts {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** True for an IANA zone name Intl knows (a fixed offset is not a name). */
export const isZone = (zone: string): boolean => isIanaZone(zone);

/** The zone's offset from UTC at instant `t`, in ms (3,600,000 for Berlin in winter). */
export const offsetMsAt = (zone: string, t: number): number => offsetMinutesAt(zone, t) * 60_000;

/** The wall-clock date and time of instant `ms` in `zone` (seconds dropped). */
export function localParts(ms: number, zone: string): LocalParts {
  const d = new Date(Math.floor((ms + offsetMsAt(zone, ms)) / 60_000) * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** Minutes since local midnight of instant `ms` in `zone`. */
export function minuteOfDay(ms: number, zone: string): number {
  const p = localParts(ms, zone);
  return p.hour * 60 + p.minute;
}

/**
 * The instant of a wall-clock time in `zone`. A time skipped by a daylight-saving change gives the instant
 * the clock jumped to the hour after; a repeated one gives its first occurrence.
 */
export function instantOf(p: LocalParts, zone: string): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  let known = instants.get(zone);
  const t = known?.get(wall);
  if (t !== undefined) return t;
  // throws for a zone that is none, before anything is kept of it
  const found = findInstant(wall, zone);
  if (!known) instants.set(zone, (known = new Map()));
  else if (known.size >= INSTANTS_KEPT) known.clear();
  known.set(wall, found);
  return found;
}

/**
 * instantOf's answers by zone and wall time. Each costs a dozen of Intl's offset look-ups, and a fleet asks
 * the same few: every car's local midnight in the customers' one or two zones, every customer's moment
 * for offers (docs/fleet-engine-log.md#the-runner-at-10000-homes-profiled-whole). Bounded: a zone past
 * INSTANTS_KEPT answers starts again.
 */
const instants = new Map<string, Map<number, number>>();
export const INSTANTS_KEPT = 4096;

function findInstant(wall: number, zone: string): number {
  const offsetAt = (t: number): number => {
    const q = localParts(t, zone);
    return Date.UTC(q.year, q.month - 1, q.day, q.hour, q.minute) - Math.floor(t / 60_000) * 60_000;
  };
  // the offsets in force a day either side and at the guess cover any one change near `wall`
  const candidates = [...new Set([wall - offsetAt(wall - 86_400_000), wall - offsetAt(wall), wall - offsetAt(wall + 86_400_000)])];
  const valid = candidates.filter((t) => t + offsetAt(t) === wall);
  return valid.length ? Math.min(...valid) : Math.max(...candidates);
}

/** Local midnight that starts the day of instant `ms` in `zone`, `days` days later (0: the same day). */
export function startOfLocalDay(ms: number, zone: string, days = 0): number {
  const p = localParts(ms, zone);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
  return instantOf({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0 }, zone);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** '2026-11-30 20:30' in `zone`. */
export function formatLocal(ms: number, zone: string): string {
  const p = localParts(ms, zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** The zone of the computer running this process (the TZ environment variable, else the system's). */
export const systemTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "07:00" -> minutes after midnight, or null when it is not a time of day. */
export function parseTimeOfDay(hhmm: string): number | null {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(hhmm.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** The first instant >= `after` at which the zone's clock reads `minute` minutes past midnight. */
export function nextLocalTime(after: number, minute: number, zone: string): number {
  const localDay = Math.floor((after + offsetMsAt(zone, after)) / DAY_MS) * DAY_MS;
  for (let day = 0; day < 3; day++) {
    const local = localDay + day * DAY_MS + minute * 60_000;
    // the offset in force at that local time (tried twice: the guess may sit across a DST change)
    let t = local - offsetMsAt(zone, local);
    t = local - offsetMsAt(zone, t);
    if (t >= after) return t;
  }
  return after;
}
