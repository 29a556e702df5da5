/**
 * Time zones. A customer's zone is an IANA name ('Europe/Berlin'), or, where none is known, a fixed
 * offset from UTC written '+01:00'. The offset of an IANA zone comes from Intl for the instant, so
 * local times follow daylight saving. Pure: no clock is read.
 */
import { z } from 'zod';

const OFFSET_RE = /^([+-])(\d{2}):(\d{2})$/;
const MAX_OFFSET_MINUTES = 18 * 60;

/** one formatter per zone (building one costs far more than using it); only zones Intl knows get one */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat | null {
  const known = formatters.get(zone);
  if (known) return known;
  if (zone.length === 0 || zone.length > 64) return null;
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  } catch {
    return null;
  }
  formatters.set(zone, f);
  return f;
}

/** A fixed offset '+01:00' in minutes, or null when `zone` is not one. */
export function parseOffsetZone(zone: string): number | null {
  const m = OFFSET_RE.exec(zone);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) >= 60 || minutes > MAX_OFFSET_MINUTES) return null;
  return m[1] === '-' ? -minutes : minutes;
}

/** Minutes east of UTC -> '+01:00', '-05:30', '+00:00'. */
export function offsetZone(minutes: number): string {
  const abs = Math.abs(Math.trunc(minutes));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** True for an IANA time zone name Intl knows ('Europe/Berlin', 'UTC'); case as Intl accepts it. */
export function isIanaZone(name: string): boolean {
  return parseOffsetZone(name) === null && formatter(name) !== null;
}

const canonical = new Map<string, string>();
/** The canonical spelling of an IANA name ('europe/berlin' -> 'Europe/Berlin'), or null if unknown. */
export function canonicalZone(name: string): string | null {
  const known = canonical.get(name);
  if (known !== undefined) return known;
  if (!isIanaZone(name)) return null;
  const c = formatter(name)!.resolvedOptions().timeZone;
  canonical.set(name, c);
  return c;
}

/** A zone as files and APIs give it: an IANA name (made canonical) or a fixed offset '+HH:MM'. */
export const TimeZone = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    if (parseOffsetZone(s) !== null) return s;
    const name = canonicalZone(s);
    if (name !== null) return name;
    ctx.addIssue({ code: 'custom', message: `an IANA time zone such as 'Europe/Berlin', or a fixed offset such as '+01:00'; '${s}' is neither` });
    return z.NEVER;
  });

/**
 * The zone's offset from UTC in minutes at event time `at` (ms): for an IANA zone the one in force at
 * that instant (60 for Berlin in winter, 120 in summer). Throws a RangeError for a zone that is neither.
 */
export function offsetMinutesAt(zone: string, at: number): number {
  const fixed = parseOffsetZone(zone);
  if (fixed !== null) return fixed;
  const f = formatter(zone);
  if (!f) throw new RangeError(`not a time zone: '${zone}'`);
  // 'GMT', 'GMT+01:00', 'GMT-05:30', or with seconds for local mean time before 1900 ('GMT+00:53:28')
  const name = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}
