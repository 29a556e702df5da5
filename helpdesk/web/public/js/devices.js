// Devices: the list (kind, owner, online/offline, last reading, open tickets) and one device with its
// live telemetry chart and tickets.
import { api } from './api.js';
import { SERIES, telemetryChart } from './chart.js';
import { badge, clear, fill, h, label, readingLabel, slaBadge, timeEl } from './dom.js';
import { on, setNow, state } from './state.js';
import { mountPending } from './pending-devices.js';

function status(online) {
  if (online === null || online === undefined) return h('span', {}, h('span', { class: 'dot' }), 'unknown');
  return h('span', { class: 'status-text' }, h('span', { class: `dot ${online ? 'on' : 'off'}` }), online ? 'online' : 'offline');
}

function readingText(kind, last) {
  if (!last) return 'no reading yet';
  return (SERIES[kind] ?? []).slice(0, 2).map(([key, name, unit]) => `${name} ${typeof last[key] === 'number' ? last[key].toFixed(1) : '—'} ${unit}`).join(' · ');
}

export function renderList(main) {
  const tbody = h('tbody');
  const empty = h('div', { class: 'empty', hidden: true }, h('h2', {}, 'No devices'), h('p', {}, 'A device registers when it announces itself (accept it above), or add one with evernet devices add CUSTOMER/DEVICE --kind KIND.'));
  main.append(h('section', { class: 'panel' }, h('div', { class: 'bar' }, h('h1', {}, 'Devices')),
    h('div', { class: 'table-wrap' }, h('table', { id: 'devices' }, h('thead', {}, h('tr', {}, ['Device', 'Kind', 'Owner', 'Status', 'Last reading', 'Open tickets'].map((t, i) => h('th', { scope: 'col', class: i === 4 ? 'hide-narrow' : undefined }, t)))), tbody)), empty));
  let timer = null;
  let last = 0;
  async function load() {
    const r = await api('GET', '/devices');
    if (!r.ok) return;
    last = performance.now();
    setNow(r.data.now);
    // devices waiting for staff are listed above (pending-devices.js)
    const active = r.data.devices.filter((d) => (d.state ?? 'active') === 'active');
    empty.hidden = active.length > 0;
    fill(tbody, ...active.map((d) => h('tr', { dataset: { device: `${d.customerId}/${d.deviceId}` }, onclick: (e) => { if (!e.target.closest('a')) location.hash = `#/devices/${d.customerId}/${d.deviceId}`; } },
      h('td', {}, h('a', { href: `#/devices/${d.customerId}/${d.deviceId}` }, d.name), h('span', { class: 'sub mono' }, d.deviceId)),
      h('td', {}, label(d.kind)), h('td', {}, d.customer), h('td', {}, status(d.online)),
      h('td', { class: 'hide-narrow' }, readingText(d.kind, d.last), h('span', { class: 'sub' }, d.lastTs ? timeEl(d.lastTs, d.timeZone, true) : '')),
      h('td', { class: 'num' }, d.openTickets ? badge(String(d.openTickets), 'st-opened') : '0'))));
  }
  // readings move with event time: refresh at most every 2 s of wall time while it moves
  const soon = () => { if (!timer) timer = setTimeout(() => { timer = null; load(); }, Math.max(0, 2000 - (performance.now() - last))); };
  const offs = [on('now', soon), on('availability', soon), on('ticket', soon), on('resync', load)];
  const unmountPending = mountPending(main, () => load());
  load();
  return () => { offs.forEach((off) => off()); clearTimeout(timer); unmountPending(); };
}

export function renderDetail(main, customerId, deviceId) {
  const key = `${customerId}/${deviceId}`;
  const head = h('div', { class: 'head' });
  const readings = h('div', { class: 'readings', id: 'readings' });
  const chartBox = h('div', { class: 'chart', id: 'device-chart', role: 'img', 'aria-label': 'Live telemetry' });
  const tickets = h('ul', { id: 'device-tickets' });
  main.append(h('p', {}, h('a', { href: '#/devices' }, '← Devices')), head,
    h('div', { class: 'detail' }, h('div', {}, h('section', { class: 'panel' }, h('h2', {}, 'Live telemetry (last 15 min)'), chartBox)),
      h('div', {}, h('section', { class: 'panel' }, h('h2', {}, 'Latest reading'), readings), h('section', { class: 'panel' }, h('h2', {}, 'Tickets'), tickets))));
  let device = null;
  let chart = null;
  let points = [];
  let drawTimer = null;

  function drawReadings(last, ts) {
    fill(readings, ...Object.entries(last ?? {}).map(([k, v]) => h('div', {}, h('span', { class: 'muted' }, readingLabel(k)), h('b', {}, typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v)))));
    if (!last) readings.append(h('p', { class: 'muted' }, 'No reading yet.'));
    else readings.append(h('div', {}, h('span', { class: 'muted' }, 'at'), h('b', {}, timeEl(ts, device?.timeZone))));
  }

  async function load() {
    const [d, t] = await Promise.all([api('GET', `/devices/${key}`), api('GET', `/devices/${key}/telemetry?minutes=15`)]);
    if (!main.contains(head)) return;
    if (!d.ok) { fill(head, h('h1', {}, 'No such device'), h('p', { class: 'meta' }, d.error.message)); return; }
    device = d.data.device;
    setNow(d.data.now);
    fill(head, h('h1', {}, device.name), badge(label(device.kind), ''), h('span', { id: 'device-status' }, status(device.online)), h('p', { class: 'meta' }, `${device.customer} · ${device.deviceId}`));
    drawReadings(device.last, device.lastTs);
    fill(tickets, ...(d.data.tickets.length ? d.data.tickets.map((x) => h('li', {}, h('a', { href: `#/tickets/${x.id}` }, label(x.kind)), ' ', badge(label(x.state), `st-${x.state}`), ' ', slaBadge(x.sla, state.now ?? x.updatedAt), ' opened ', timeEl(x.openedAt, x.timeZone, true))) : [h('li', { class: 'muted' }, 'No tickets for this device.')]));
    points = t.ok ? t.data.points : [];
    chart?.destroy();
    clear(chartBox);
    chart = telemetryChart(chartBox, device.kind, points, {}, device.timeZone);
  }

  const offs = [
    on('telemetry', (p) => {
      if (`${p.customerId}/${p.deviceId}` !== key || !device) return;
      points.push({ ts: p.ts, readings: p.readings });
      const from = p.ts - 15 * 60_000;
      while (points.length && points[0].ts < from) points.shift();
      drawTimer ??= setTimeout(() => { drawTimer = null; const last = points[points.length - 1]; chart?.setData(points); if (last) drawReadings(last.readings, last.ts); }, 250);
    }),
    on('availability', (a) => { if (`${a.customerId}/${a.deviceId}` === key) fill(document.getElementById('device-status'), status(a.online)); }),
    on('resync', load),
  ];
  load();
  return () => { offs.forEach((off) => off()); clearTimeout(drawTimer); chart?.destroy(); };
}
