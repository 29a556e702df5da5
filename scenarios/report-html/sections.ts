/**
 * The HTML report's sections, each a pure function of the JSON report and the collected series:
 * the timeline of the replay, a card per device with its telemetry charts and marked moments, each
 * ticket with its evidence, timeline and incident chart, each load's plan over the tariff, the
 * shopping answers and the message counts.
 */
import type { Report } from '../report.js';
import type { DeviceSeries, ReportSeries, SeriesPoint } from './collect.js';
import { esc, eur, isoClock, localClock, saved } from './format.js';
import { timeChart, timeline, type Frame, type Lane, type Mark } from './svg.js';

type Ticket = Report['tickets'][number];
type Load = Report['loads'][number];

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));
const key = (c: string, d: string): string => `${c}/${d}`;

const UNITS: Record<string, [string, string]> = {
  voltageV: ['battery voltage', 'V'],
  currentA: ['battery current', 'A'],
  cabinetTempC: ['cabinet temperature', '°C'],
  powerW: ['power', 'W'],
  waterTempC: ['water temperature', '°C'],
};

/** the moments worth marking on a device's charts: faults, when they would be noticed, its tickets' steps, its loads */
export function deviceMarks(r: Report, customerId: string, deviceId: string): Mark[] {
  const out: Mark[] = [];
  const push = (at: number | null, kind: string, label: string) => at !== null && out.push({ at, kind, label });
  for (const f of r.faults.filter((x) => x.customerId === customerId && x.deviceId === deviceId)) {
    push(ms(f.injectedAt), 'fault', `fault ${f.kind} injected`);
    push(ms(f.noticeableAt), 'noticeable', `the customer would notice ${f.kind}`);
  }
  for (const t of r.tickets.filter((x) => x.customerId === customerId && x.deviceId === deviceId)) {
    push(ms(t.openedAt), 'detected', `${t.kind} detected: ticket ${t.id} opened`);
    push(ms(t.contactedAt), 'contacted', `customer contacted via ${t.channel ?? '—'}`);
    push(ms(t.resolvedAt), 'resolved', `ticket ${t.id} resolved`);
  }
  for (const l of r.loads.filter((x) => x.customerId === customerId && x.deviceId === deviceId)) {
    push(ms(l.actualStart), 'planned', `${l.programme} started (planned ${isoClock(l.plannedStart)})`);
  }
  return out.sort((a, b) => a.at - b.at || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

export function timelineSection(r: Report, frame: Frame, devices: readonly DeviceSeries[]): string {
  const lanes: Lane[] = devices.map((d) => ({
    label: `${d.customerId} · ${d.deviceId}`,
    bars: [
      ...r.tickets
        .filter((t) => t.customerId === d.customerId && t.deviceId === d.deviceId)
        .map((t) => ({ from: ms(t.openedAt)!, to: ms(t.resolvedAt) ?? frame.to, kind: `ticket ${t.state}`, label: `${t.id} ${t.kind}: ${t.state}` })),
      ...r.loads
        .filter((l) => l.customerId === d.customerId && l.deviceId === d.deviceId && l.actualStart !== null)
        .map((l) => ({ from: ms(l.actualStart)!, to: ms(l.finishedAt) ?? frame.to, kind: 'load', label: `${l.programme}: ${isoClock(l.actualStart)} – ${isoClock(l.finishedAt)}` })),
    ],
    marks: deviceMarks(r, d.customerId, d.deviceId).filter((m) => m.kind === 'fault' || m.kind === 'noticeable' || m.kind === 'contacted'),
  }));
  const customers = [...new Set(r.shopping.map((s) => s.customerId))].sort();
  for (const c of customers) {
    lanes.push({ label: `${c} · app`, bars: [], marks: r.shopping.filter((s) => s.customerId === c).map((s) => ({ at: ms(s.at)!, kind: 'request', label: `recipe: ${s.recipe}` })) });
  }
  const legend = [
    ['fault', 'fault injected'], ['noticeable', 'customer would notice'], ['contacted', 'customer contacted'],
    ['ticket', 'ticket open'], ['load', 'washer running'], ['request', 'recipe request'],
  ]
    .map(([k, l]) => `<span class="key ${k}"></span>${esc(l!)}`)
    .join(' ');
  return `<section id="timeline"><h2>Timeline</h2>${timeline(frame, lanes)}<p class="legend">${legend}</p></section>`;
}

function charts(readings: Record<string, SeriesPoint[]>, frame: Frame, marks: readonly Mark[]): string {
  return Object.entries(readings)
    .map(([name, points]) => {
      const [title, unit] = UNITS[name] ?? [name, ''];
      return timeChart({ frame, title, unit, points, marks });
    })
    .join('');
}

export function devicesSection(r: Report, frame: Frame, s: ReportSeries): string {
  const legend = `<p class="legend"><span class="key fault"></span>fault injected <span class="key detected"></span>detected <span class="key contacted"></span>contacted <span class="key resolved"></span>resolved <span class="key noticeable"></span>customer would notice <span class="key planned"></span>load started</p>`;
  const cards = s.devices
    .map((d) => {
      const res = d.resolutionMs ? `means of ${d.resolutionMs / 60_000} min with their min–max band` : 'readings as sent';
      return `<article class="card device" data-device="${esc(key(d.customerId, d.deviceId))}"><h3>${esc(d.name)} <small>${esc(d.customerId)} · ${esc(d.deviceId)} · ${esc(d.kind)}</small></h3><p class="note">${esc(res)}</p>${charts(d.readings, frame, deviceMarks(r, d.customerId, d.deviceId))}</article>`;
    })
    .join('');
  return `<section id="devices"><h2>Devices</h2>${legend}<div class="grid">${cards}</div></section>`;
}

/** an evidence value: event times (epoch ms under a time-like key) as local times */
function detail(k: string, v: unknown, offsetMinutes: number): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number' && v > 1e12 && /(At|since|from|to|until)$/i.test(k)) return localClock(v, offsetMinutes, true);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function ticketCard(t: Ticket, r: Report, s: ReportSeries, offsetMinutes: number): string {
  const facts = [
    ['customer', t.customerId], ['device', t.deviceId], ['severity', t.severity], ['state', t.state],
    ['opened', isoClock(t.openedAt)], ['contacted', `${isoClock(t.contactedAt)}${t.channel ? ` via ${t.channel}` : ''}`],
    ['resolved', isoClock(t.resolvedAt)], ['proactive', t.proactive ? 'yes' : 'no'],
  ];
  const evidence = Object.entries(t.evidence)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(detail(k, v, offsetMinutes))}</dd>`)
    .join('');
  const steps = t.timeline.map((e) => `<li data-step="${esc(e.step)}"><time>${esc(isoClock(e.at))}</time> <b>${esc(e.step)}</b> by ${esc(e.by)}</li>`).join('');
  const inc = s.incidents.find((i) => i.ticketId === t.id);
  const chart = inc ? charts(inc.readings, { width: 560, height: 170, from: inc.from, to: inc.to, offsetMinutes }, deviceMarks(r, t.customerId, t.deviceId)) : '';
  return (
    `<article class="card ticket" data-ticket="${esc(t.id)}" data-kind="${esc(t.kind)}"><h3>${esc(t.kind)} <small>${esc(t.id)}</small> <span class="state ${esc(t.state)}">${esc(t.state)}</span></h3>` +
    `<table class="facts">${facts.map(([k, v]) => `<tr><th>${esc(k!)}</th><td>${esc(v!)}</td></tr>`).join('')}</table>` +
    (t.resolution ? `<p class="resolution">${esc(t.resolution)}</p>` : '') +
    `<h4>Evidence</h4><dl class="evidence">${evidence || '<dt>—</dt><dd>none</dd>'}</dl><h4>Steps</h4><ol class="steps">${steps}</ol>${chart ? `<h4>Around the incident</h4>${chart}` : ''}</article>`
  );
}

export function ticketsSection(r: Report, s: ReportSeries, offsetMinutes: number): string {
  const body = r.tickets.length ? `<div class="grid">${r.tickets.map((t) => ticketCard(t, r, s, offsetMinutes)).join('')}</div>` : '<p class="empty">No incident detected: no tickets.</p>';
  const faults = r.faults.length
    ? `<table class="list"><tr><th>fault</th><th>customer · device</th><th>injected</th><th>customer would notice</th></tr>${r.faults.map((f) => `<tr><td>${esc(f.kind)}</td><td>${esc(`${f.customerId} · ${f.deviceId}`)}</td><td>${esc(isoClock(f.injectedAt))}</td><td>${esc(f.noticeableAt ? isoClock(f.noticeableAt) : 'not within the horizon')}</td></tr>`).join('')}</table>`
    : '';
  return `<section id="tickets"><h2>Tickets (${r.tickets.length})</h2>${faults}${body}</section>`;
}

function loadCard(l: Load, i: number, s: ReportSeries, offsetMinutes: number): string {
  const ls = s.loads[i];
  const from = ms(l.requestedAt)!;
  const to = Math.max(ms(l.deadline)!, ms(l.finishedAt) ?? 0);
  const points: SeriesPoint[] = (ls?.prices ?? []).flatMap(([t, p]): SeriesPoint[] => {
    const ct = Math.round(p) / 10;
    return [[t, ct, ct, ct], [t + ls!.slotMs - 1, ct, ct, ct]];
  });
  const runMs = (ls?.slots ?? []).reduce((n, x) => n + x.durationS * 1000, 0);
  const start = ms(l.actualStart) ?? ms(l.plannedStart);
  const spans = start !== null ? [{ from: start, to: ms(l.finishedAt) ?? start + runMs, kind: 'run', label: `${l.programme} runs` }] : [];
  const marks: Mark[] = [
    { at: from, kind: 'requested', label: 'offered' },
    ...(ms(l.plannedStart) !== null ? [{ at: ms(l.plannedStart)!, kind: 'planned', label: 'planned start' }] : []),
    { at: ms(l.deadline)!, kind: 'deadline', label: 'done by' },
  ];
  const chart = timeChart({ frame: { width: 560, height: 190, from, to, offsetMinutes }, title: 'price', unit: 'ct/kWh', points, marks, spans });
  const facts = [
    ['customer · device', `${l.customerId} · ${l.deviceId}`], ['requested', isoClock(l.requestedAt)], ['done by', isoClock(l.deadline)],
    ['planned', isoClock(l.plannedStart)], ['started', isoClock(l.actualStart)], ['finished', isoClock(l.finishedAt)],
    ['cost', `${eur(l.costEur)} (optimum ${eur(l.optimalCostEur)})`], ['starting at once', eur(l.startNowCostEur)],
    ['saving', saved(l.savedEur, l.savedPct)], ['energy', l.energyKwh === null ? '—' : `${l.energyKwh.toFixed(3)} kWh`],
    ['mean grid load', l.meanGridLoadMw === null ? '—' : `${l.meanGridLoadMw} MW`], ...(l.planError ? [['not planned', l.planError]] : []),
  ];
  return `<article class="card load" data-load="${i}"><h3>${esc(l.programme)} <small>${esc(l.customerId)} · ${esc(l.deviceId)}</small></h3>${chart}<table class="facts">${facts.map(([k, v]) => `<tr><th>${esc(k!)}</th><td>${esc(v!)}</td></tr>`).join('')}</table></article>`;
}

export function loadsSection(r: Report, s: ReportSeries, offsetMinutes: number): string {
  const body = r.loads.length ? `<div class="grid">${r.loads.map((l, i) => loadCard(l, i, s, offsetMinutes)).join('')}</div>` : '<p class="empty">No deferrable loads.</p>';
  return `<section id="loads"><h2>Loads (${r.loads.length})</h2><p class="legend"><span class="key run"></span>the run <span class="key planned"></span>planned start <span class="key deadline"></span>done by</p>${body}</section>`;
}

export function shoppingSection(r: Report): string {
  if (!r.shopping.length) return '';
  const rows = r.shopping.map((x) => `<tr><td>${esc(isoClock(x.at))}</td><td>${esc(x.customerId)}</td><td>${esc(x.text)}</td></tr>`).join('');
  return `<section id="shopping"><h2>Shopping (${r.shopping.length})</h2><table class="list"><tr><th>at</th><th>customer</th><th>answer</th></tr>${rows}</table></section>`;
}

export function messagesSection(r: Report): string {
  const m = r.messages;
  const cells = [['published', m.published], ['delivered', m.delivered], ['rejected', m.rejected], ['duplicates', m.duplicates], ['lost', m.gaps]]
    .map(([k, v]) => `<div class="stat"><b>${esc(String(v))}</b><span>${esc(String(k))}</span></div>`)
    .join('');
  const codes = Object.entries(m.rejectedByCode).map(([c, n]) => `<tr><td><code>${esc(c)}</code></td><td>${n}</td></tr>`).join('');
  return `<section id="messages"><h2>Messages</h2><div class="stats">${cells}</div>${codes ? `<table class="list"><tr><th>rejected by code</th><th>count</th></tr>${codes}</table>` : ''}</section>`;
}
