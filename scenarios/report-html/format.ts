/** Text for the HTML report: escaping, local times from event time, money. Pure and locale-free. */
import { isoWithOffset } from '../../helpdesk/format.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** 'HH:MM' in the scenario's offset, or 'MM-DD HH:MM' with the day */
export function localClock(t: number, offsetMinutes: number, withDay: boolean): string {
  const iso = isoWithOffset(t, offsetMinutes);
  return withDay ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

/** an ISO time of the report as 'MM-DD HH:MM', '—' when absent */
export const isoClock = (iso: string | null): string => (iso ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : '—');

export const eur = (x: number | null): string => (x === null ? '—' : `${x < 0 ? '−' : ''}€${Math.abs(x).toFixed(4)}`);

/** what a plan saved, as the summary says it: € always, % only where the report gives one */
export function saved(eurSaved: number | null, pct: number | null): string {
  if (eurSaved === null) return 'saving unknown';
  const share = pct === null ? '' : ` (${Math.abs(pct)} %)`;
  return eurSaved >= 0 ? `saved ${eur(eurSaved)}${share}` : `${eur(-eurSaved)}${share} more than starting at once`;
}
