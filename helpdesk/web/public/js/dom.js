// Small DOM and formatting helpers. Text always goes in as text (never as HTML).
import { formatTime, formatWall, wallClock, wallLabel } from './time.js';

/** h('tr', { class: 'x', onclick: fn, dataset: { id } }, child, 'text', [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Replaces the children of `el` (null, false and undefined are skipped, arrays flattened). */
export function fill(el, ...children) {
  return append(clear(el), children);
}

/**
 * 18:41:01 CET: a time in `zone`, the zone of the customer it belongs to (the API gives it with every
 * ticket, device and load); with the date when `withDate`. Never the browser's own zone (time.js).
 */
export function time(ms, zone, withDate = false) {
  return formatTime(ms, zone, { date: withDate });
}

/** <time> with the instant in UTC (datetime) and the zone named in full (title). */
export function timeEl(ms, zone, withDate = false) {
  if (ms === null || ms === undefined) return h('span', { class: 'muted' }, '—');
  const w = wallClock(ms, zone);
  return h('time', { datetime: new Date(ms).toISOString(), title: `${formatWall(w, { date: true })} · ${wallLabel(w)}` }, formatWall(w, { date: withDate }));
}

/** 9 s, 4 min 10 s, 2 h 5 min */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const hr = Math.floor(m / 60);
  return m % 60 ? `${hr} h ${m % 60} min` : `${hr} h`;
}

export function eur(x) {
  if (x === null || x === undefined) return '—';
  return `€${x.toFixed(Math.abs(x) < 1 ? 4 : 2)}`;
}

/** 'battery-discharge' -> 'Battery discharge' */
export function label(s) {
  if (!s) return '';
  const t = String(s).replace(/-/g, ' ');
  return t[0].toUpperCase() + t.slice(1);
}

const UNITS = { C: '°C', V: 'V', A: 'A', W: 'W', Kmh: 'km/h', L: 'L', Rpm: 'rpm', S: 's', Mw: 'MW' };
/** 'cabinetTempC' -> 'Cabinet temp (°C)', 'doorOpen' -> 'Door open' */
export function readingLabel(key) {
  const m = /^(.*[a-z])(Kmh|Rpm|Mw|[CVAWLS])$/.exec(key);
  const words = (m ? m[1] : key).replace(/([A-Z])/g, ' $1').toLowerCase();
  return `${words[0].toUpperCase()}${words.slice(1)}${m ? ` (${UNITS[m[2]]})` : ''}`;
}

export function badge(text, cls) {
  return h('span', { class: `badge ${cls}` }, text);
}

export function slaBadge(sla, now) {
  if (sla.status === 'met') return badge('met', 'sla-met');
  const overdue = sla.respondedAt === null && now > sla.dueAt;
  if (sla.status === 'breached' || overdue) return badge(overdue ? `overdue ${duration(now - sla.dueAt)}` : 'breached', 'sla-breached');
  return badge(`due in ${duration(Math.max(0, sla.dueAt - now))}`, 'sla-due');
}

/** Shows a short message at the bottom right for a few seconds. */
let toastTimer = null;
export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.textContent = ''), 4000);
}
