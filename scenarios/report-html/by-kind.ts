/**
 * The HTML report's figures per device kind (the report's `byKind`): one table of detection (faults
 * caught before the customer would notice, recall, lead times, false tickets), the tickets by kind
 * and one table of the loads' savings. First on the page: for a fleet it is what the page is for.
 */
import type { ByKind } from '../report-by-kind.js';
import { esc, eur } from './format.js';

const cell = (x: number | string | null): string => `<td>${esc(x === null ? '—' : String(x))}</td>`;
const head = (names: readonly string[]): string => `<tr>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>`;

export function byKindSection(b: ByKind): string {
  const kinds = Object.keys(b);
  const detection = kinds
    .map((k) => {
      const x = b[k]!;
      const l = x.leadMinutes;
      const tickets = Object.entries(x.tickets.byKind).map(([t, n]) => `${t} ${n}`).join(', ');
      return (
        `<tr data-device-kind="${esc(k)}"><td>${esc(k)}</td>${cell(x.devices)}${cell(x.faults.injected)}${cell(x.faults.caught)}${cell(x.faults.late)}${cell(x.faults.missed)}${cell(x.faults.recall)}` +
        `${cell(l ? `${l.min} / ${l.median} / ${l.p90} / ${l.max}` : null)}${cell(x.tickets.total)}${cell(x.tickets.false)}${cell(x.tickets.falsePer10kDeviceDays)}${cell(tickets || null)}</tr>`
      );
    })
    .join('');
  const withLoads = kinds.filter((k) => b[k]!.loads);
  const loads = withLoads.length
    ? `<table class="list by-kind-loads">${head(['loads of', 'count', 'planned', 'saved vs starting at once', 'mean saved'])}${withLoads
        .map((k) => {
          const l = b[k]!.loads!;
          return `<tr data-device-kind="${esc(k)}"><td>${esc(k)}</td>${cell(l.count)}${cell(l.planned)}${cell(eur(l.savedEur))}${cell(l.meanSavedPct === null ? null : `${l.meanSavedPct} %`)}</tr>`;
        })
        .join('')}</table>`
    : '';
  const note =
    '<p class="note">caught: a ticket that finds the fault, on its device, before the customer would have noticed; late: only after; ' +
    'lead: minutes from that ticket to when the customer would have noticed; false: a ticket on a device without a fault it finds.</p>';
  return (
    `<section id="by-kind"><h2>By kind</h2>${note}<table class="list by-kind">` +
    head(['kind', 'devices', 'faults', 'caught', 'late', 'missed', 'recall', 'lead min / median / p90 / max (min)', 'tickets', 'false', 'false / 10k device-days', 'tickets by kind']) +
    `${detection}</table>${loads}</section>`
  );
}
