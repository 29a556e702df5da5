// The ticket queue: live (tickets appear and change without reload), filtered by state and severity,
// sortable by every column, 'proactive' tickets marked; j/k or ↑/↓ move, Enter opens.
import { api } from './api.js';
import { badge, clear, fill, duration, h, label, slaBadge, timeEl } from './dom.js';
import { on, setNow, state, upsert } from './state.js';

const STATES = ['opened', 'contacted', 'action-sent', 'escalated', 'resolved'];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3 };
const STATE_RANK = { opened: 0, escalated: 1, contacted: 2, 'action-sent': 3, resolved: 4 };
const COLUMNS = [
  ['severity', 'Severity'], ['device', 'Device · customer'], ['kind', 'Kind'], ['opened', 'Opened', 'hide-narrow'],
  ['state', 'State'], ['contact', 'Time to contact', 'hide-narrow'], ['sla', 'SLA'],
];
const SORT_VALUE = {
  severity: (t) => SEV_RANK[t.severity],
  device: (t) => `${t.device} ${t.customer}`,
  kind: (t) => t.kind,
  opened: (t) => t.openedAt,
  state: (t) => STATE_RANK[t.state],
  contact: (t) => t.timeToContactMs ?? Infinity,
  sla: (t) => (t.sla.status === 'due' ? t.sla.dueAt : t.sla.status === 'breached' && t.sla.respondedAt === null ? -Infinity : Infinity),
};
let selectedId = null;

function select(name, text, options, value) {
  const id = `filter-${name}`;
  return h('div', {}, h('label', { for: id }, text),
    h('select', { id, name }, options.map(([v, t]) => h('option', { value: v, selected: v === value }, t))));
}

export function render(main, params) {
  const f = { state: params.get('state') ?? 'all', severity: params.get('severity') ?? 'all', proactive: params.get('proactive') === 'true', sort: params.get('sort') ?? 'opened', order: params.get('order') ?? 'desc' };
  const tbody = h('tbody');
  const count = h('span', { class: 'muted', id: 'queue-count' });
  const empty = h('div', { class: 'empty', hidden: true });
  const head = h('tr', {}, COLUMNS.map(([key, title, cls]) => h('th', { class: cls, scope: 'col', dataset: { key } }, h('button', { type: 'button', onclick: () => sortBy(key) }, title))));
  const filters = h('form', { class: 'bar', onsubmit: (e) => e.preventDefault(), onchange: readFilters },
    h('div', { class: 'grow' }, h('h1', {}, 'Ticket queue'), count),
    select('state', 'State', [['all', 'All'], ['open', 'Open (not resolved)'], ...STATES.map((s) => [s, label(s)])], f.state),
    select('severity', 'Severity', [['all', 'All'], ...SEVERITIES.map((s) => [s, label(s)])], f.severity),
    h('div', {}, h('label', { for: 'filter-proactive' }, 'Proactive only'), h('input', { type: 'checkbox', id: 'filter-proactive', name: 'proactive', checked: f.proactive })));
  main.append(h('section', { class: 'panel', 'aria-labelledby': 'queue-title' }, filters,
    h('div', { class: 'table-wrap' }, h('table', { id: 'queue' }, h('thead', {}, head), tbody)), empty,
    h('p', { class: 'hint' }, h('kbd', {}, 'j'), ' / ', h('kbd', {}, 'k'), ' or ', h('kbd', {}, '↓'), ' / ', h('kbd', {}, '↑'), ' move · ', h('kbd', {}, 'Enter'), ' opens · ', h('kbd', {}, 'Esc'), ' comes back here')));

  function readFilters() {
    const fd = new FormData(filters);
    Object.assign(f, { state: fd.get('state'), severity: fd.get('severity'), proactive: fd.get('proactive') === 'on' });
    remember();
    draw();
  }
  function sortBy(key) {
    f.order = f.sort === key && f.order === 'desc' ? 'asc' : 'desc';
    f.sort = key;
    remember();
    draw();
  }
  function remember() {
    const q = new URLSearchParams();
    for (const k of ['state', 'severity', 'sort', 'order']) q.set(k, f[k]);
    if (f.proactive) q.set('proactive', 'true');
    history.replaceState(null, '', `#/queue?${q}`);
  }
  const visible = () => {
    const rows = [...state.tickets.values()].filter((t) =>
      (f.state === 'all' || (f.state === 'open' ? t.state !== 'resolved' : t.state === f.state)) &&
      (f.severity === 'all' || t.severity === f.severity) && (!f.proactive || t.proactive));
    const val = SORT_VALUE[f.sort] ?? SORT_VALUE.opened;
    const dir = f.order === 'asc' ? 1 : -1;
    return rows.sort((a, b) => { const x = val(a); const y = val(b); return dir * (x < y ? -1 : x > y ? 1 : 0) || b.openedAt - a.openedAt; });
  };

  function slaCell(td, t) {
    const b = slaBadge(t.sla, state.now ?? t.updatedAt);
    if (td.firstChild?.textContent === b.textContent) return;
    fill(td, b, h('span', { class: 'sub' }, `${t.sla.targetMinutes} min target`));
  }

  function row(t) {
    return h('tr', { dataset: { id: t.id, kind: t.kind, state: t.state }, onanimationend: (e) => e.currentTarget.classList.remove('fresh'), onclick: (e) => { if (!e.target.closest('a')) location.hash = `#/tickets/${t.id}`; } },
      h('td', { class: 'c-sev' }, badge(t.severity, `sev-${t.severity}`)),
      h('td', { class: 'c-dev' }, t.device, h('span', { class: 'sub' }, t.customer)),
      h('td', { class: 'c-kind' }, h('a', { href: `#/tickets/${t.id}` }, label(t.kind)), t.proactive ? badge('proactive', 'proactive') : null, h('span', { class: 'sub mono hide-narrow' }, t.id)),
      h('td', { class: 'hide-narrow' }, timeEl(t.openedAt, true)),
      h('td', { class: 'c-state' }, badge(label(t.state), `st-${t.state}`), t.assignee ? h('span', { class: 'sub' }, `→ ${t.assignee}`) : null),
      h('td', { class: 'hide-narrow num' }, t.timeToContactMs === null ? h('span', { class: 'muted' }, 'waiting') : duration(t.timeToContactMs), t.channel ? h('span', { class: 'sub' }, `via ${t.channel}`) : null),
      h('td', { class: 'c-sla' }));
  }

  // rows are kept per ticket and rebuilt only when the ticket changes, so a click never lands on a vanished row
  const built = new Map();
  function draw(fresh = new Set()) {
    const rows = visible();
    for (const th of head.children) th.setAttribute('aria-sort', th.dataset.key === f.sort ? (f.order === 'asc' ? 'ascending' : 'descending') : 'none');
    const hadFocus = tbody.contains(document.activeElement);
    const wanted = rows.map((t) => {
      let b = built.get(t.id);
      if (!b || b.version !== t.version || b.updatedAt !== t.updatedAt) {
        b = { tr: row(t), version: t.version, updatedAt: t.updatedAt };
        built.set(t.id, b);
      }
      if (fresh.has(t.id)) b.tr.classList.add('fresh');
      b.tr.classList.toggle('selected', t.id === selectedId);
      slaCell(b.tr.querySelector('td.c-sla'), t);
      return b.tr;
    });
    if (wanted.length !== tbody.children.length || wanted.some((tr, i) => tbody.children[i] !== tr)) tbody.replaceChildren(...wanted);
    count.textContent = `${rows.length} of ${state.tickets.size} tickets`;
    empty.hidden = rows.length > 0 || !state.loaded;
    clear(empty);
    if (state.tickets.size === 0) {
      empty.append(h('h2', {}, 'No tickets yet'),
        h('p', {}, 'Tickets open here by themselves, live, when the helpdesk detects a problem in device telemetry.'),
        h('p', {}, 'To see it work, replay a day: ', h('code', {}, 'evernet replay scenarios/day-in-2020.yaml --dashboard --speed 60')),
        h('p', {}, 'Devices connected to the broker show up under ', h('a', { href: '#/devices' }, 'Devices'), '.'));
    } else {
      empty.append(h('h2', {}, 'No tickets match these filters'), h('p', {}, h('a', { href: '#/queue?state=all&severity=all' }, 'Show all tickets')));
    }
    if (hadFocus) focusSelected();
  }

  function focusSelected() {
    const tr = selectedId && tbody.querySelector(`tr[data-id="${CSS.escape(selectedId)}"]`);
    if (!tr) return;
    tr.scrollIntoView({ block: 'nearest' });
    tr.querySelector('a')?.focus({ preventScroll: true });
  }

  function move(by) {
    const ids = [...tbody.children].map((tr) => tr.dataset.id);
    if (!ids.length) return;
    const i = ids.indexOf(selectedId);
    selectedId = ids[Math.max(0, Math.min(ids.length - 1, i < 0 ? 0 : i + by))];
    for (const tr of tbody.children) tr.classList.toggle('selected', tr.dataset.id === selectedId);
    focusSelected();
  }

  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target.closest?.('input, select, textarea')) return;
    if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); move(1); }
    else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if ((e.key === 'Enter' || e.key === 'o') && selectedId && !e.target.closest?.('a, button')) location.hash = `#/tickets/${selectedId}`;
  }

  let pending = null;
  let fresh = new Set();
  const later = (id) => {
    if (id) fresh.add(id);
    pending ??= setTimeout(() => { pending = null; const f2 = fresh; fresh = new Set(); draw(f2); }, 150);
  };

  async function load() {
    const r = await api('GET', '/tickets');
    if (!r.ok) return;
    setNow(r.data.now);
    state.sla = r.data.sla;
    for (const t of r.data.tickets) upsert(t);
    state.loaded = true;
    draw();
  }

  const offs = [on('ticket', ({ ticket, how }) => later(how === 'same' ? null : ticket.id)), on('now', () => later(null)), on('resync', load)];
  document.addEventListener('keydown', onKey);
  if (state.loaded) draw();
  load();
  return () => { offs.forEach((off) => off()); document.removeEventListener('keydown', onKey); clearTimeout(pending); };
}
