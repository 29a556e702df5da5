// Deferrable loads: each washer plan on the tariff curve of its window. Bars are the price of each
// slot (15 or 60 minutes; pale where the fallback tariff priced it); the planned run is highlighted;
// the figures compare the plan's cost with the optimum and with starting at once; a line says what
// the plan rests on (the load's basis), or why there is none.
import { api } from './api.js';
import { duration, eur, fill, h, time, timeEl } from './dom.js';
import { on, setNow } from './state.js';
import { formatTime, zoneLabel } from './time.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** loads shown (newest first) */
const SHOWN = 20;

/** The tariff bars of the plan window (slots of `tariff.slotMs`, gaps left empty), with the run and the deadline. */
function tariffChart(load, tariff) {
  const hours = tariff.slots;
  const SLOT = tariff.slotMs;
  const zone = load.timeZone;
  const hhmm = (t) => formatTime(t, zone, { seconds: false, showZone: false });
  const W = 860, H = 250, L = 46, R = 10, T = 26, B = 30;
  const n = Math.round((hours[hours.length - 1].start + SLOT - hours[0].start) / SLOT);
  const bw = (W - L - R) / n;
  const prices = hours.map((x) => x.eurPerMwh);
  const max = Math.max(1, ...prices);
  const min = Math.min(0, ...prices);
  const y = (v) => T + ((max - v) / (max - min)) * (H - T - B);
  const x = (t) => L + ((t - hours[0].start) / SLOT) * bw;
  const start = load.actualStart ?? load.plannedStart;
  const end = load.runEnd;
  const inRun = (hr) => start !== null && end !== null && hr.start < end && hr.start + SLOT > start;
  const svg = s('svg', { class: 'tariff', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `t-${load.offerId}` },
    s('title', { id: `t-${load.offerId}` }, `Price per ${SLOT < 3_600_000 ? `${SLOT / 60_000} minutes` : 'hour'} from ${time(hours[0].start, zone)} to ${time(hours[hours.length - 1].start + SLOT, zone)}; the planned run from ${time(start, zone)} is highlighted`),
    s('line', { class: 'axis', x1: L, x2: W - R, y1: y(0), y2: y(0) }),
    s('text', { x: L - 6, y: y(max) + 4, 'text-anchor': 'end' }, max.toFixed(0)),
    s('text', { x: L - 6, y: y(0) + 4, 'text-anchor': 'end' }, '0'),
    s('text', { x: 2, y: 11, 'text-anchor': 'start' }, 'price €/MWh'),
    hours.map((hr) => {
      const v = hr.eurPerMwh;
      return s('rect', { class: inRun(hr) ? 'bar-run' : 'bar-price', 'fill-opacity': hr.fallback ? 0.45 : null, x: x(hr.start) + (bw > 3 ? 1 : 0), width: Math.max(1, bw - (bw > 3 ? 2 : 0)), y: Math.min(y(v), y(0)), height: Math.max(1, Math.abs(y(v) - y(0))) },
        s('title', {}, `${time(hr.start, zone)}–${time(hr.start + SLOT, zone)}: ${v.toFixed(2)} €/MWh (${(v / 10).toFixed(2)} ct/kWh)${hr.fallback ? ', fallback tariff' : ''}${hr.gridLoadMw !== null ? `, grid ${Math.round(hr.gridLoadMw)} MW` : ''}`));
    }),
    hours.filter((hr) => (hr.start - hours[0].start) % (SLOT * Math.ceil(n / 12)) === 0).map((hr) => s('text', { x: x(hr.start) + bw / 2, y: H - 10, 'text-anchor': 'middle' }, hhmm(hr.start))),
    s('text', { x: W - R, y: 11, 'text-anchor': 'end' }, `time: ${zoneLabel(hours[0].start, zone)}`),
    start !== null && end !== null ? s('rect', { class: 'run-span', x: x(start), y: T, width: Math.max(2, x(end) - x(start)), height: H - T - B }, s('title', {}, `run ${time(start, zone)}–${time(end, zone)}`)) : null,
    s('line', { class: 'deadline', x1: x(load.deadline), x2: x(load.deadline), y1: T, y2: H - B }),
    s('text', { x: x(load.deadline) - 4, y: T + 10, 'text-anchor': 'end' }, 'deadline'));
  return svg;
}

function figure(name, value, id) {
  return h('div', { dataset: id ? { figure: id } : {} }, h('span', { class: 'muted' }, name), h('b', {}, value));
}

function card(load, tariff) {
  const saving = load.savingEur;
  const pct = saving !== null && load.startNowCostEur ? ` (${Math.round((saving / load.startNowCostEur) * 100)} %)` : '';
  return h('section', { class: 'panel load', dataset: { offer: load.offerId } },
    h('h2', {}, `${load.device ?? load.deviceId}: ${load.programme}`, h('span', { class: 'muted' }, ` · ${load.customer ?? load.customerId}`)),
    h('p', { class: 'meta muted' }, 'Requested ', timeEl(load.requestedAt, load.timeZone, true), ', done by ', timeEl(load.deadline, load.timeZone, true), ` · runs ${duration(load.durationS * 1000)}`,
      load.energyKwh !== null ? ` · ${load.energyKwh.toFixed(2)} kWh` : ''),
    load.planError
      ? h('p', { class: 'form-error', dataset: { basis: load.basis ?? '' } }, `No plan (${load.planError}): ${load.basisNote ?? 'no reason was recorded'}`)
      : load.basisNote
        ? h('p', { class: load.basis === 'prices' ? 'legend-note' : 'form-error', dataset: { basis: load.basis ?? '' } }, `Planned on ${load.basis === 'prices' ? '' : `${load.basis}: `}${load.basisNote}`)
        : null,
    h('div', { class: 'figures' },
      figure('Planned start', load.plannedStart !== null ? time(load.plannedStart, load.timeZone) : '—', 'planned'),
      figure('Cost as planned (optimum)', eur(load.optimalCostEur), 'optimum'),
      figure('Cost if started at once', eur(load.startNowCostEur), 'start-now'),
      figure('Saving', saving !== null ? `${eur(saving)}${pct}` : '—', 'saving'),
      figure('Actual start', load.actualStart !== null ? time(load.actualStart, load.timeZone) : 'not yet', 'actual'),
      figure('Actual cost', eur(load.costEur), 'cost')),
    tariff && tariff.slots.length ? tariffChart(load, tariff) : h('p', { class: 'muted' }, 'No prices for this window.'),
    tariff ? h('p', { class: 'legend-note' }, `Bars: ${tariff.source}, per ${tariff.slotMs < 3_600_000 ? `${tariff.slotMs / 60_000} minutes` : 'hour'}${tariff.fallback ? `; pale bars: ${tariff.fallback} (fallback)` : ''}; dark bars and the dashed box: the run; red line: the deadline.`) : null);
}

export function render(main) {
  const list = h('div', { id: 'loads' });
  main.append(h('div', { class: 'bar' }, h('h1', {}, 'Loads')), list);
  async function load() {
    // the newest few: each card fetches its load's detail (tariff window); the API pages the rest
    const r = await api('GET', `/loads?limit=${SHOWN}`);
    if (!r.ok || !list.isConnected) return;
    setNow(r.data.now);
    if (!r.data.loads.length) {
      fill(list, h('div', { class: 'panel empty' }, h('h2', {}, 'No planned loads yet'),
        h('p', {}, 'When a washing machine announces a flexible run ("done by 07:00"), the helpdesk plans it into the cheapest hours of the tariff and it shows here.')));
      return;
    }
    const details = await Promise.all(r.data.loads.map((l) => api('GET', `/loads/${encodeURIComponent(l.customerId)}/${encodeURIComponent(l.offerId)}`)));
    const more = r.data.total > r.data.loads.length
      ? h('p', { class: 'muted', dataset: { loadsTotal: String(r.data.total) } }, `The newest ${r.data.loads.length} of ${r.data.total} loads.`)
      : null;
    fill(list, ...details.map((d, i) => card(d.ok ? d.data.load : r.data.loads[i], d.ok ? d.data.tariff : null)), more);
  }
  const offs = [on('load', load), on('resync', load)];
  load();
  return () => offs.forEach((off) => off());
}
