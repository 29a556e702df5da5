// Every time the dashboard shows is written here, in the zone the API gives with the ticket, device
// or load: its customer's (an IANA name such as 'Europe/Berlin', or a fixed offset '+01:00'), with the
// zone named ('18:41:01 CET'). The browser's own zone is never used. No DOM: tests run it in Node.

const OFFSET_RE = /^([+-])(\d{2}):(\d{2})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const FALLBACK_ZONE = 'UTC';

const pad = (n) => String(n).padStart(2, '0');

/** zone -> { fields, abbr, alt } formatters, or null for a zone this browser does not know */
const formatters = new Map();
function formattersOf(zone) {
  if (formatters.has(zone)) return formatters.get(zone);
  let f;
  try {
    f = {
      // en-GB names European zones (CET, CEST, BST), en-US American ones (EST, PDT); elsewhere 'GMT+5:30'
      fields: new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short' }),
      alt: new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }),
      name: new Intl.DateTimeFormat('en-GB', { timeZone: zone }).resolvedOptions().timeZone,
    };
  } catch {
    f = null;
  }
  formatters.set(zone, f);
  return f;
}

const partOf = (parts, type) => parts.find((p) => p.type === type)?.value;

/**
 * The wall clock of instant `ms` in `zone`: { year, month (1-12), day, hour, minute, second, abbr,
 * zone }. `abbr` is the short name at that instant ('CET', 'CEST', 'EST', 'UTC+01:00'); `zone` the
 * zone's full name. An unknown or missing zone is shown as UTC, and says so.
 */
export function wallClock(ms, zone) {
  const fixed = typeof zone === 'string' ? OFFSET_RE.exec(zone) : null;
  if (fixed) {
    const minutes = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
    const d = new Date(ms + minutes * 60_000);
    const abbr = minutes === 0 ? 'UTC' : `UTC${zone}`;
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), abbr, zone: abbr };
  }
  const f = (typeof zone === 'string' && zone !== '' && formattersOf(zone)) || formattersOf(FALLBACK_ZONE);
  const parts = f.fields.formatToParts(ms);
  let abbr = partOf(parts, 'timeZoneName') ?? '';
  if (/^(GMT|UTC)[+-]/.test(abbr)) {
    const us = partOf(f.alt.formatToParts(ms), 'timeZoneName') ?? '';
    if (/^[A-Z]{2,5}$/.test(us)) abbr = us;
  }
  const n = (type) => Number(partOf(parts, type));
  return { year: n('year'), month: n('month'), day: n('day'), hour: n('hour') % 24, minute: n('minute'), second: n('second'), abbr, zone: f.name };
}

/**
 * '18:41:01 CET'; with `date`: '2 Nov 2020 18:41:01 CET'; `seconds: false` drops the seconds,
 * `zone: false` the zone's name (for axis ticks, where the axis names it once). '—' for no time.
 */
export function formatTime(ms, zone, options = {}) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return formatWall(wallClock(ms, zone), options);
}

/** formatTime of a wallClock already read (one Intl call for several renderings of one time). */
export function formatWall(w, { date = false, seconds = true, showZone = true } = {}) {
  const t = `${pad(w.hour)}:${pad(w.minute)}${seconds ? `:${pad(w.second)}` : ''}`;
  const d = date ? `${w.day} ${MONTHS[w.month - 1]} ${w.year} ` : '';
  return `${d}${t}${showZone ? ` ${w.abbr}` : ''}`;
}

/** The zone as a reader wants it named in full: 'CET (Europe/Berlin)', 'UTC+05:30'. */
export function zoneLabel(ms, zone) {
  return wallLabel(wallClock(ms, zone));
}

export function wallLabel(w) {
  return w.abbr === w.zone ? w.abbr : `${w.abbr} (${w.zone})`;
}

/**
 * A Date whose browser-local fields read the zone's wall clock at `ms` (for chart libraries that lay
 * out their ticks in local time, such as uPlot's tzDate): only for layout, never shown as it is.
 */
export function zonedDate(ms, zone) {
  const w = wallClock(ms, zone);
  return new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, ((ms % 1000) + 1000) % 1000);
}
