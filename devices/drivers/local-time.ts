/**
 * Local wall-clock times in an IANA zone, for a board's "done by 07:00": the next instant at or after
 * a given event time when the zone's clock reads HH:MM, daylight saving included. Pure: the time is
 * given, Intl gives the zone's offset at an instant.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when Intl knows the zone ('Europe/Berlin', 'UTC'). */
export function isTimeZone(zone: string): boolean {
  try {
    formatterOf(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone of the computer running the board (the TZ environment variable, else the system's). */
export const systemTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at instant `t`, in ms (3,600,000 for Berlin in winter). */
export function offsetMsAt(zone: string, t: number): number {
  const parts = Object.fromEntries(formatterOf(zone).formatToParts(t).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(t / 1000) * 1000;
}

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
