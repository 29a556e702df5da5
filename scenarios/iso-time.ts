/**
 * The times of a scenario file: ISO 8601 with an offset, on a real calendar day
 * ("2020-11-02T18:40:00+01:00"). A day that does not exist (2020-02-30, 2020-06-31) is refused, never
 * rolled over into the next month as Date.parse would.
 */
import { z } from 'zod';

export const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export const ISO_EXPECTED = 'an ISO 8601 time with offset, e.g. 2020-11-02T18:40:00+01:00';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** null for a valid time; else what is wrong with it, as an expectation */
export function isoTimeProblem(text: string): string | null {
  const m = ISO_RE.exec(text);
  if (!m) {
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?$/.test(text) ? `${ISO_EXPECTED} ('${text}' has no offset)` : ISO_EXPECTED;
  }
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12) return `${ISO_EXPECTED} (month ${m[2]} does not exist)`;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) return `a real calendar day: ${text.slice(0, 10)} does not exist (${MONTHS[mo - 1]} ${y} has ${days} days)`;
  if (h > 23 || mi > 59 || s > 59) return `${ISO_EXPECTED} (${text.slice(11, 19)} is not a time of day)`;
  const off = /^[+-](\d{2}):(\d{2})$/.exec(m[8]!);
  if (off && (Number(off[1]) > 14 || Number(off[2]) > 59)) return `${ISO_EXPECTED} (offset ${m[8]} does not exist)`;
  return null;
}

export function isIsoTime(v: unknown): v is string {
  return typeof v === 'string' && isoTimeProblem(v) === null;
}

/** the pattern shows in the JSON Schema; the calendar check only in evernet's own validation */
export const IsoTime = z
  .string()
  .regex(ISO_RE, ISO_EXPECTED)
  .superRefine((v, ctx) => {
    const problem = ISO_RE.test(v) ? isoTimeProblem(v) : null;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Turns valid ISO times anywhere inside a value into epoch ms (others stay strings, for the schema to refuse). */
export function timesToMs(v: unknown): unknown {
  if (isIsoTime(v)) return Date.parse(v);
  if (Array.isArray(v)) return v.map(timesToMs);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, timesToMs(x)]));
  return v;
}

/** the offset of an ISO time in minutes east of UTC */
export function offsetOf(iso: string): number {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}
