/**
 * Wall-clock time in a named zone, for what tariffs say in local time: a time-of-use band "22:00 to
 * 06:00", the daily refresh "at 14:00", the times in a load's basis. IANA names only ('Europe/Berlin',
 * 'UTC'); daylight saving follows Intl. Pure: no clock is read.
 */

export interface LocalParts {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formatters.set(zone, f);
  }
  return f;
}

/** True for a zone name Intl knows. */
export function isZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock date and time of instant `ms` in `zone` (seconds dropped). */
export function localParts(ms: number, zone: string): LocalParts {
  const parts = Object.fromEntries(formatter(zone).formatToParts(ms).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute) };
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
