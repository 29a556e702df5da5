// Devices waiting for staff: announced through an open broker, heard from without an announce, or
// rejected. Each can be accepted (its messages are processed from then on) or rejected (they stay
// refused, counted). Shown above the device list while there are any; refreshed every few seconds.
import { api } from './api.js';
import { badge, fill, h, label, timeEl, toast } from './dom.js';
import { on } from './state.js';

const REFRESH_MS = 3000;

function why(d) {
  if (d.state === 'rejected') return `rejected by ${d.decidedBy ?? 'staff'}`;
  return d.origin === 'unannounced' ? 'sent data without announcing itself' : 'announced itself';
}

/** Puts the panel at the top of `main`; `onChange` runs after a decision (to reload the list below). Returns the cleanup. */
export function mountPending(main, onChange = () => {}) {
  const tbody = h('tbody');
  const panel = h('section', { class: 'panel', id: 'pending-devices', hidden: true, 'aria-live': 'polite' },
    h('div', { class: 'bar' }, h('h1', {}, 'Waiting for acceptance')),
    h('p', { class: 'muted' }, 'These devices are not processed yet: their messages are counted and refused until you accept them.'),
    h('div', { class: 'table-wrap' }, h('table', { id: 'pending' },
      h('thead', {}, h('tr', {}, ['Device', 'Kind', 'Owner', 'Why', 'Last heard', 'Problem', ''].map((t) => h('th', { scope: 'col' }, t)))), tbody)));
  main.prepend(panel);

  async function decide(d, verdict, button) {
    button.disabled = true;
    const r = await api('POST', `/devices/${d.customerId}/${d.deviceId}/${verdict}`);
    if (!r.ok) toast(`${r.error.code}: ${r.error.message}`);
    else toast(`${d.name} ${verdict === 'accept' ? 'accepted' : 'rejected'}`);
    await load();
    onChange();
  }

  async function load() {
    const r = await api('GET', '/devices');
    if (!r.ok || !main.contains(panel)) return;
    const waiting = r.data.devices.filter((d) => d.state === 'pending' || d.state === 'rejected');
    panel.hidden = waiting.length === 0;
    fill(tbody, ...waiting.map((d) => {
      const accept = h('button', { class: 'btn primary', type: 'button', onclick: () => decide(d, 'accept', accept) }, 'Accept');
      const reject = h('button', { class: 'btn', type: 'button', onclick: () => decide(d, 'reject', reject) }, 'Reject');
      return h('tr', { dataset: { device: `${d.customerId}/${d.deviceId}`, state: d.state } },
        h('td', {}, d.name, h('span', { class: 'sub mono' }, `${d.customerId}/${d.deviceId}`)),
        h('td', {}, label(d.kind)), h('td', {}, d.customer),
        h('td', {}, badge(d.state, `st-${d.state}`), ' ', why(d)),
        h('td', {}, d.lastSeenAt ? timeEl(d.lastSeenAt, d.timeZone, true) : '—'),
        h('td', {}, d.problem ? h('span', { title: d.problem.detail }, d.problem.code) : '—'),
        h('td', {}, accept, ' ', d.state === 'pending' ? reject : null));
    }));
  }

  const timer = setInterval(load, REFRESH_MS);
  const offs = [on('resync', load)];
  load();
  return () => { clearInterval(timer); offs.forEach((off) => off()); panel.remove(); };
}
