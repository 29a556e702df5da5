/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, no external asset), a pure
 * function of the JSON report and the series collected at the end of the replay. No wall-clock time,
 * fixed ordering and number formatting: the same seed gives the same bytes.
 */
import { offsetOf } from '../load.js';
import type { Report } from '../report.js';
import { keepListed, type Listed } from '../report-customers.js';
import { byKindSection } from './by-kind.js';
import type { ReportSeries } from './collect.js';
import { esc, isoClock } from './format.js';
import { problemsSection } from './problems.js';
import { bookingsSection, satisfactionSection } from './dialogue.js';
import { contactsSection, offersSection } from './customer-side.js';
import { devicesSection, loadsSection, messagesSection, shoppingSection, ticketsSection, timelineSection } from './sections.js';
import type { Frame } from './svg.js';

const CSS = `
:root{--ink:#1d2433;--muted:#5f6b7d;--line:#e3e7ee;--bg:#f5f7fa;--card:#fff;--fault:#d6453d;--noticeable:#8a94a6;--detected:#e08a00;--contacted:#3a7bd5;--resolved:#2e9d5b;--planned:#7b4fd1;--accent:#2b5fd9}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{background:linear-gradient(120deg,#1f3b73,#2b5fd9);color:#fff;padding:28px 40px 22px}header h1{margin:0 0 4px;font-size:24px}header p{margin:0;opacity:.85}
.cards{display:flex;gap:12px;margin-top:18px;flex-wrap:wrap}.cards div{background:rgba(255,255,255,.14);border-radius:10px;padding:10px 16px;min-width:120px}.cards b{display:block;font-size:22px}.cards span{font-size:12px;opacity:.85}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:8px 40px;z-index:1}nav a{color:var(--accent);margin-right:18px;text-decoration:none;font-weight:600}
main{padding:8px 40px 40px;max-width:1400px}section{margin-top:26px}h2{font-size:18px;margin:0 0 10px}h3{margin:0 0 6px;font-size:15px}h3 small{color:var(--muted);font-weight:400;margin-left:6px}h4{margin:14px 0 6px;font-size:13px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 18px;box-shadow:0 1px 2px rgba(20,30,50,.05)}
#timeline{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 18px}
svg.chart{width:100%;height:auto;display:block;margin:4px 0 8px}svg .grid{stroke:var(--line);stroke-width:1}svg .tick{fill:var(--muted);font-size:10px}svg .label{fill:var(--ink);font-size:11px;font-weight:600}svg .unit{fill:var(--muted);font-weight:400}
svg .line{fill:none;stroke:var(--accent);stroke-width:1.4}svg .band{fill:var(--accent);opacity:.16}svg .span.run{fill:var(--planned);opacity:.12}
svg .lane{stroke:var(--line)}svg .lane-label{fill:var(--ink);font-size:11px}svg .bar{opacity:.85}svg .bar.ticket{fill:var(--detected)}svg .bar.ticket.resolved{fill:var(--resolved)}svg .bar.load{fill:var(--planned)}
svg .mark line{stroke-width:1.2;stroke-dasharray:3 2}svg .mark circle{stroke:#fff;stroke-width:1}
${['fault', 'noticeable', 'detected', 'contacted', 'resolved', 'planned'].map((k) => `svg .mark.${k} line{stroke:var(--${k})}svg .mark.${k} circle{fill:var(--${k})}`).join('')}
svg .mark.requested line,svg .mark.deadline line{stroke:var(--muted)}svg .mark.requested circle,svg .mark.deadline circle{fill:var(--muted)}svg .mark.request circle{fill:var(--accent)}
.legend{color:var(--muted);font-size:12px;margin:4px 0 8px}.key{display:inline-block;width:10px;height:10px;border-radius:50%;margin:0 4px 0 10px;vertical-align:-1px}
.key.fault{background:var(--fault)}.key.noticeable{background:var(--noticeable)}.key.detected,.key.ticket{background:var(--detected)}.key.contacted{background:var(--contacted)}.key.resolved{background:var(--resolved)}.key.planned,.key.load{background:var(--planned)}.key.run{background:var(--planned);opacity:.35;border-radius:2px}.key.deadline{background:var(--muted)}.key.request{background:var(--accent)}
.note{color:var(--muted);font-size:12px;margin:0 0 4px}table{border-collapse:collapse}.facts th{text-align:left;color:var(--muted);font-weight:500;padding:2px 14px 2px 0}.facts td{padding:2px 0}
.list{width:100%;background:var(--card);border:1px solid var(--line);border-radius:8px;margin-bottom:14px}.list th,.list td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line)}.list th{color:var(--muted);font-weight:500}
.state{font-size:11px;padding:2px 8px;border-radius:10px;background:#fdecc8;color:#8a5a00;margin-left:6px;vertical-align:2px}.state.resolved{background:#d8f1e2;color:#1c6b3d}.state.escalated{background:#fde0de;color:#9c2a23}
.resolution{background:#f0f6ff;border-left:3px solid var(--accent);padding:8px 10px;margin:10px 0}.evidence{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}.evidence dt{color:var(--muted)}.evidence dd{margin:0;word-break:break-word}
.steps{margin:0;padding-left:20px}.steps time{color:var(--muted);font-variant-numeric:tabular-nums}.empty{color:var(--muted)}
.stats{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:12px}.stat{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 16px;min-width:120px}.stat b{display:block;font-size:20px;font-variant-numeric:tabular-nums}.stat span{color:var(--muted);font-size:12px}
.by-kind td,.by-kind-loads td{font-variant-numeric:tabular-nums}.by-kind td:first-child,.by-kind-loads td:first-child{white-space:nowrap}
footer{color:var(--muted);font-size:12px;padding:0 40px 30px}
`;

/** the page's sections on each customer (timeline, devices, tickets, loads, shopping), cut to the listed customers */
function customerSections(r: Report, series: ReportSeries, listing: Listed | undefined, frame: Frame, deviceFrame: Frame, offsetMinutes: number): string {
  if (listing && !listing.all && listing.listed.size === 0) return `<section id="customers"><h2>Customers</h2><p class="empty">${esc(listing.note ?? '')}</p></section>`;
  const cut = listing ? keepListed(r, listing) : r;
  const has = (x: { customerId: string }): boolean => !listing || listing.all || listing.listed.has(x.customerId);
  const s: ReportSeries = listing && !listing.all ? { devices: series.devices.filter(has), incidents: series.incidents, loads: series.loads.filter(has) } : series;
  const note = listing?.note ? `<section id="customers"><h2>Customers</h2><p class="note">${esc(listing.note)}</p></section>` : '';
  return `${note}${timelineSection(cut, frame, s.devices)}${devicesSection(cut, deviceFrame, s)}${ticketsSection(cut, s, offsetMinutes)}${loadsSection(cut, s, offsetMinutes)}${shoppingSection(cut)}${bookingsSection(cut)}${satisfactionSection(cut)}${offersSection(cut)}${contactsSection(cut)}`;
}

/** The page; with a listing (report-customers.ts) its customer sections keep to the listed customers, the header's counts stay the whole replay's. */
export function renderReportHtml(r: Report, series: ReportSeries, listing?: Listed): string {
  const from = Date.parse(r.simulated.start!);
  const to = Date.parse(r.simulated.end!);
  const offsetMinutes = offsetOf(r.simulated.start!);
  const frame: Frame = { width: 1100, height: 160, from, to, offsetMinutes };
  const deviceFrame: Frame = { ...frame, width: 560, height: 170 };
  const resolved = r.tickets.filter((t) => t.state === 'resolved').length;
  const cards = [
    [String(r.tickets.length), `tickets, ${resolved} resolved`],
    [String(r.faults.length), 'faults injected'],
    [String(r.loads.length), 'loads planned'],
    [String(r.messages.published), 'messages published'],
  ]
    .map(([b, s]) => `<div><b>${esc(b!)}</b><span>${esc(s!)}</span></div>`)
    .join('');
  const noneListed = listing !== undefined && !listing.all && listing.listed.size === 0;
  const shown = listing ? keepListed(r, listing) : r;
  const shopping = shown.shopping;
  const nav = noneListed
    ? '<a href="#customers">Customers</a>'
    : `${listing?.note ? '<a href="#customers">Customers</a>' : ''}<a href="#timeline">Timeline</a><a href="#devices">Devices</a><a href="#tickets">Tickets</a><a href="#loads">Loads</a>${shopping.length ? '<a href="#shopping">Shopping</a>' : ''}${shown.bookings.length ? '<a href="#bookings">Bookings</a>' : ''}${shown.satisfaction.length ? '<a href="#satisfaction">Satisfaction</a>' : ''}${shown.offers.length ? '<a href="#offers">Offers</a>' : ''}${shown.contacts.length ? '<a href="#contacts">Contacts</a>' : ''}`;
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(`evernet replay: ${r.scenario}`)}</title><style>${CSS}</style></head><body>` +
    `<header><h1>${esc(r.scenario)}</h1><p>evernet replay · seed ${r.seed} · ${esc(isoClock(r.simulated.start))} → ${esc(isoClock(r.simulated.end))} (UTC${esc(r.simulated.start!.slice(19))})</p><div class="cards">${cards}</div></header>` +
    `<nav>${r.byKind ? '<a href="#by-kind">By kind</a>' : ''}${nav}${r.problems.length ? '<a href="#problems">Problems</a>' : ''}<a href="#messages">Messages</a></nav>` +
    `<main>${r.byKind ? byKindSection(r.byKind) : ''}${customerSections(r, series, listing, frame, deviceFrame, offsetMinutes)}${problemsSection(r)}${messagesSection(r)}</main>` +
    `<footer>Generated by evernet from scenario ${esc(r.scenario)} with seed ${r.seed}; every time is simulated event time in the scenario's offset. The same scenario and seed give this same file.</footer>` +
    `</body></html>\n`
  );
}
