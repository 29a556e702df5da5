/** Local clock times and ISO strings with offset, for texts and reports (fixed UTC offset, no tz database). */
const pad = (n: number): string => String(n).padStart(2, '0');

export function localHhmm(at: number, offsetMinutes: number): string {
  const d = new Date(at + offsetMinutes * 60_000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** ISO 8601 with the given offset, e.g. 2020-11-02T18:42:10+01:00 (whole seconds). */
export function isoWithOffset(at: number, offsetMinutes: number): string {
  const d = new Date(at + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
