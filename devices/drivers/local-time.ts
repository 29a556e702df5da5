/**
 * Local wall-clock times in a zone, for a board's "done by 07:00": the next instant at or after a
 * given event time when the zone's clock reads HH:MM, daylight saving included. The zone is an IANA
 * name or a fixed offset (contracts/time-zone.ts gives its offset at an instant). Pure.
 */
import { offsetMinutesAt } from '../../contracts/time-zone.js';

const DAY_MS = 86_400_000;

/** The zone of the computer running the board (the TZ environment variable, else the system's). */
export const systemTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The zone's offset from UTC at instant `t`, in ms (3,600,000 for Berlin in winter). */
export const offsetMsAt = (zone: string, t: number): number => offsetMinutesAt(zone, t) * 60_000;

/** "07:00" -> minutes after midnight, or null when it is not a time of day. */
export function minuteOfDay(hhmm: string): number | null {
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
