// The ticket queue. The server filters, sorts and pages (GET /tickets: summaries, 200 a page); the
// page shows the first page and more on scroll or "Show more". Live, a ticket event touches only
// that ticket's row: updated, moved, inserted in sorted position or removed; rows are never rebuilt
// wholesale. The SLA badges of the rows on screen tick once a second. Filtered by state, severity and
// proactive; sortable by every column; j/k or ↑/↓ move, Enter opens.
import { api } from './api.js';
import { badge, clear, duration, fill, h, label, slaBadge, timeEl } from './dom.js';
import { on, setNow, state, upsert } from './state.js';
import { compare, sortKey } from './queue-order.js';
import { SEVERITIES, STATES, filterKey, select } from './queue-filters.js';

const COLUMNS = [
  ['severity', 'Severity'], ['device', 'Device · customer'], ['kind', 'Kind'], ['opened', 'Opened', 'hide-narrow'],
  ['state', 'State'], ['contact', 'Time to contact', 'hide-narrow'], ['sla', 'SLA'],
];
const SORTS = new Set(COLUMNS.map(([key]) => key));
const PAGE = 200;
const MAX_PAGE = 1000;

// the queue last shown (filters and rows): drawn at once when coming back to it, then refreshed
let last = null;
let selectedId = null;

export function render(main, params) {
  // '#/queue' alone comes back to the filters used last
  const base = [...params.keys()].length === 0 && last ? last.f : {};
  const pick = (v, ok, dflt) => (ok(v) ? v : dflt);
  const f = {
    state: pick(params.get('state') ?? base.state, (v) => v === 'all' || v === 'open' || STATES.includes(v), 'all'),
    severity: pick(params.get('severity') ?? base.severity, (v) => v === 'all' || SEVERITIES.includes(v), 'all'),
    proactive: params.has('proactive') ? params.get('proactive') === 'true' : base.proactive ?? false,
    sort: pick(params.get('sort') ?? base.sort, (v) => SORTS.has(v), 'opened'),
    order: pick(params.get('order') ?? base.order, (v) => v === 'asc', 'desc'),
  };

  const tbody = h('tbody');
  const count = h('span', { class: 'muted', id: 'queue-count' });
  const empty = h('div', { class: 'empty', hidden: true });
  const moreButton = h('button', { class: 'btn', type: 'button', id: 'queue-more', hidden: true, onclick: () => more() }, 'Show more');
  const head = h('tr', {}, COLUMNS.map(([key, title, cls]) => h('th', { class: cls, scope: 'col', dataset: { key } }, h('button', { type: 'button', onclick: () => sortBy(key) }, title))));
  const filters = h('form', { class: 'bar', onsubmit: (e) => e.preventDefault(), onchange: readFilters },
    h('div', { class: 'grow' }, h('h1', {}, 'Ticket queue'), count),
    select('state', 'State', [['all', 'All'], ['open', 'Open (not resolved)'], ...STATES.map((s) => [s, label(s)])], f.state),
    select('severity', 'Severity', [['all', 'All'], ...SEVERITIES.map((s) => [s, label(s)])], f.severity),
    h('div', {}, h('label', { for: 'filter-proactive' }, 'Proactive only'), h('input', { type: 'checkbox', id: 'filter-proactive', name: 'proactive', checked: f.proactive })));
  main.append(h('section', { class: 'panel', 'aria-labelledby': 'queue-title' }, filters,
    h('div', { class: 'table-wrap' }, h('table', { id: 'queue' }, h('thead', {}, head), tbody)), empty,
    h('p', { class: 'more' }, moreButton),
    h('p', { class: 'hint' }, h('kbd', {}, 'j'), ' / ', h('kbd', {}, 'k'), ' or ', h('kbd', {}, '↓'), ' / ', h('kbd', {}, '↑'), ' move · ', h('kbd', {}, 'Enter'), ' opens · ', h('kbd', {}, 'Esc'), ' comes back here')));

  // --- the rows shown: a window on the server's order, `order` sorted by `key` like tbody's rows ---
  /** id -> { t, key, tr } */
  const entries = new Map();
  let order = [];
  /** the next page's cursor (null: everything that matches is shown) and the key of the last row the server sent */
  let cursor = null;
  let boundary = null;
  let total = 0;
  let totalAll = 0;
  /** event time of the last full load: tickets opened after it were not in its counts */
  let listNow = Infinity;
  let loaded = false;
  let failed = null;

  const dir = () => (f.order === 'asc' ? 1 : -1);
  const cmp = (a, b) => dir() * compare(a, b);
  const keyOf = (t) => sortKey(t, f.sort, state.now);
  const matches = (t) =>
    (f.state === 'all' || (f.state === 'open' ? t.state !== 'resolved' : t.state === f.state)) &&
    (f.severity === 'all' || t.severity === f.severity) && (!f.proactive || t.proactive);
  /** whether a row with this key belongs among the rows shown (rather than to a page not loaded yet) */
  const inWindow = (key) => cursor === null || boundary === null || cmp(key, boundary) <= 0;

  /** index of the first row that sorts after `key` */
  function after(key) {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(order[mid].key, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function place(e) {
    const i = after(e.key);
    tbody.insertBefore(e.tr, order[i]?.tr ?? null);
    order.splice(i, 0, e);
    seen.observe(e.tr);
  }

  function unplace(e) {
    const i = after(e.key) - 1;
    const at = order[i] === e ? i : order.indexOf(e);
    if (at >= 0) order.splice(at, 1);
    e.tr.remove();
    seen.unobserve(e.tr);
    visible.delete(e.tr);
  }

  function slaCell(td, t) {
    const b = slaBadge(t.sla, state.now ?? t.updatedAt);
    if (td.firstChild?.textContent === b.textContent) return;
    fill(td, b, h('span', { class: 'sub' }, `${t.sla.targetMinutes} min target`));
  }

  function row(t) {
    const tr = h('tr', { dataset: { id: t.id, kind: t.kind, state: t.state }, class: t.id === selectedId ? 'selected' : undefined, onanimationend: (e) => e.currentTarget.classList.remove('fresh'), onclick: (e) => { if (!e.target.closest('a')) location.hash = `#/tickets/${t.id}`; } },
      h('td', { class: 'c-sev' }, badge(t.severity, `sev-${t.severity}`)),
      h('td', { class: 'c-dev' }, t.device, h('span', { class: 'sub' }, t.customer)),
      h('td', { class: 'c-kind' }, h('a', { href: `#/tickets/${t.id}` }, label(t.kind)), t.proactive ? badge('proactive', 'proactive') : null, h('span', { class: 'sub mono hide-narrow' }, t.id)),
      h('td', { class: 'hide-narrow' }, timeEl(t.openedAt, true)),
      h('td', { class: 'c-state' }, badge(label(t.state), `st-${t.state}`), t.assignee ? h('span', { class: 'sub' }, `→ ${t.assignee}`) : null),
      h('td', { class: 'hide-narrow num' }, t.timeToContactMs === null ? h('span', { class: 'muted' }, 'waiting') : duration(t.timeToContactMs), t.channel ? h('span', { class: 'sub' }, `via ${t.channel}`) : null),
      h('td', { class: 'c-sla' }));
    slaCell(tr.lastChild, t);
    return tr;
  }

  /** Puts one ticket where it belongs: updated in place, moved, inserted or removed. Returns whether it shows. */
  function put(t, fresh) {
    const e = entries.get(t.id);
    if (e && (t.version < e.t.version || (t.version === e.t.version && t.updatedAt === e.t.updatedAt))) return true;
    const key = keyOf(t);
    if (!matches(t) || !inWindow(key)) {
      if (e) {
        unplace(e);
        entries.delete(t.id);
      }
      return false;
    }
    const hadFocus = e ? e.tr.contains(document.activeElement) : false;
    const tr = row(t);
    if (fresh) tr.classList.add('fresh');
    if (e) unplace(e);
    const next = { t, key, tr };
    entries.set(t.id, next);
    place(next);
    if (hadFocus) tr.querySelector('a')?.focus({ preventScroll: true });
    return true;
  }

  /** Shows exactly these tickets (a fresh first page), reusing the rows of tickets that did not change. */
  function setWindow(tickets) {
    const next = [];
    const ids = new Set();
    for (const t of tickets) {
      if (ids.has(t.id)) continue;
      ids.add(t.id);
      const e = entries.get(t.id);
      const same = e && e.t.version === t.version && e.t.updatedAt === t.updatedAt;
      next.push(same ? { ...e, t, key: keyOf(t) } : { t, key: keyOf(t), tr: row(t) });
    }
    for (const e of entries.values()) if (!ids.has(e.t.id)) { seen.unobserve(e.tr); visible.delete(e.tr); }
    entries.clear();
    for (const e of next) { entries.set(e.t.id, e); seen.observe(e.tr); }
    order = next;
    if (order.length !== tbody.children.length || order.some((e, i) => tbody.children[i] !== e.tr)) {
      const hadFocus = tbody.contains(document.activeElement);
      tbody.replaceChildren(...order.map((e) => e.tr));
      if (hadFocus) focusSelected();
    }
  }

  let emptyKind = null;
  function status() {
    if (!loaded) return;
    for (const th of head.children) th.setAttribute('aria-sort', th.dataset.key === f.sort ? (f.order === 'asc' ? 'ascending' : 'descending') : 'none');
    count.textContent = `${total} of ${totalAll} tickets${order.length < total ? ` · ${order.length} shown` : ''}`;
    moreButton.hidden = cursor === null;
    moreButton.textContent = `Show ${Math.max(1, Math.min(PAGE, total - order.length))} more`;
    const kind = failed ? 'failed' : order.length > 0 ? null : totalAll === 0 ? 'none' : 'filtered';
    empty.hidden = kind === null;
    if (kind === emptyKind && kind !== 'failed') return;
    emptyKind = kind;
    clear(empty);
    if (kind === 'failed') {
      empty.append(h('h2', {}, 'The queue could not be loaded'), h('p', {}, failed.message));
    } else if (kind === 'none') {
      empty.append(h('h2', {}, 'No tickets yet'),
        h('p', {}, 'Tickets open here by themselves, live, when the helpdesk detects a problem in device telemetry.'),
        h('p', {}, 'To see it work, replay a day: ', h('code', {}, 'evernet replay scenarios/day-in-2020.yaml --dashboard --speed 60')),
        h('p', {}, 'Devices connected to the broker show up under ', h('a', { href: '#/devices' }, 'Devices'), '.'));
    } else if (kind === 'filtered') {
      empty.append(h('h2', {}, 'No tickets match these filters'), h('p', {}, h('a', { href: '#/queue?state=all&severity=all' }, 'Show all tickets')));
    }
  }

  // --- from the server ---
  function query(limit, from) {
    const q = new URLSearchParams();
    if (f.state !== 'all') q.set('state', f.state);
    if (f.severity !== 'all') q.set('severity', f.severity);
    if (f.proactive) q.set('proactive', 'true');
    q.set('sort', f.sort);
    q.set('order', f.order);
    q.set('limit', String(limit));
    if (from) q.set('cursor', from);
    return `/tickets?${q}`;
  }

  let token = 0;
  let loading = false;
  /** ticket events that came while a load was on its way: applied on top of its answer */
  let held = [];
  async function load(limit = PAGE) {
    const mine = ++token;
    loading = true;
    const r = await api('GET', query(Math.max(PAGE, Math.min(MAX_PAGE, limit))));
    if (mine !== token) return;
    loading = false;
    failed = r.ok ? null : r.error;
    if (r.ok) {
      setNow(r.data.now);
      state.sla = r.data.sla;
      listNow = r.data.now;
      for (const t of r.data.tickets) upsert(t);
      cursor = r.data.nextCursor;
      setWindow(r.data.tickets);
      boundary = cursor && order.length ? order[order.length - 1].key : null;
      total = r.data.total;
      totalAll = r.data.totalAll;
    }
    loaded = true;
    const missed = held;
    held = [];
    for (const t of missed) put(t, true);
    if (missed.length) countSoon();
    status();
    lookAgain();
  }

  let moreOn = false;
  async function more() {
    if (!cursor || moreOn || loading) return;
    moreOn = true;
    const mine = token;
    const r = await api('GET', query(PAGE, cursor));
    moreOn = false;
    if (mine !== token || !r.ok) return;
    setNow(r.data.now);
    for (const t of r.data.tickets) upsert(t);
    cursor = r.data.nextCursor;
    boundary = cursor && r.data.tickets.length ? keyOf(r.data.tickets[r.data.tickets.length - 1]) : null;
    for (const t of r.data.tickets) put(t, false);
    total = r.data.total;
    totalAll = r.data.totalAll;
    status();
    lookAgain();
  }
  /** the end of the list may still be on screen (a tall window, few rows): let the observer look again */
  function lookAgain() {
    nearEnd.unobserve(moreButton);
    nearEnd.observe(moreButton);
  }

  // the counts, when a live change cannot tell how they moved (a ticket not shown changed)
  let countTimer = null;
  function countSoon() {
    countTimer ??= setTimeout(async () => {
      countTimer = null;
      const mine = token;
      const r = await api('GET', query(0));
      if (mine !== token || !r.ok || loading) return;
      total = r.data.total;
      totalAll = r.data.totalAll;
      status();
    }, 500);
  }

  function onTicket({ ticket: t, how }) {
    if (how === 'same') return;
    if (loading) { held.push(t); return; }
    const e = entries.get(t.id);
    if (e && t.version <= e.t.version) return;
    const was = !!e;
    put(t, true);
    // counts: a ticket shown was counted; one opened after the load was not; otherwise ask the server
    if (was) total += (matches(t) ? 1 : 0) - 1;
    else if (t.version === 1 && t.openedAt > listNow) {
      totalAll++;
      if (matches(t)) total++;
    } else countSoon();
    status();
  }

  // --- SLA badges tick with event time: only the rows on screen, once a second ---
  const visible = new Set();
  const seen = new IntersectionObserver((records) => {
    for (const r of records) {
      if (r.isIntersecting) {
        visible.add(r.target);
        const e = entries.get(r.target.dataset.id);
        if (e) slaCell(r.target.lastChild, e.t);
      } else visible.delete(r.target);
    }
  });
  const nearEnd = new IntersectionObserver((records) => { if (records.some((r) => r.isIntersecting) && !moreButton.hidden) more(); }, { rootMargin: '400px' });
  nearEnd.observe(moreButton);
  let tickNow = null;
  const ticker = setInterval(() => {
    if (state.now === tickNow) return;
    tickNow = state.now;
    for (const tr of visible) {
      const e = entries.get(tr.dataset.id);
      if (e && e.t.sla.respondedAt === null) slaCell(tr.lastChild, e.t);
    }
    // sorted by SLA: a ticket whose target passed moves up among the overdue
    if (f.sort === 'sla' && !loading) {
      for (const e of [...order]) {
        if (e.t.sla.respondedAt !== null) continue;
        const key = keyOf(e.t);
        if (compare(key, e.key) === 0) continue;
        unplace(e);
        e.key = key;
        if (inWindow(key)) place(e);
        else entries.delete(e.t.id);
      }
    }
  }, 1000);

  // --- filters, sorting, keys ---
  function reload() {
    remember();
    load();
  }
  function readFilters() {
    const fd = new FormData(filters);
    Object.assign(f, { state: fd.get('state'), severity: fd.get('severity'), proactive: fd.get('proactive') === 'on' });
    reload();
  }
  function sortBy(key) {
    f.order = f.sort === key && f.order === 'desc' ? 'asc' : 'desc';
    f.sort = key;
    reload();
  }
  function remember() {
    const q = new URLSearchParams();
    for (const k of ['state', 'severity', 'sort', 'order']) q.set(k, f[k]);
    if (f.proactive) q.set('proactive', 'true');
    history.replaceState(null, '', `#/queue?${q}`);
  }

  function focusSelected() {
    const tr = selectedId && entries.get(selectedId)?.tr;
    if (!tr) return;
    tr.scrollIntoView({ block: 'nearest' });
    tr.querySelector('a')?.focus({ preventScroll: true });
  }

  async function move(by) {
    if (!order.length) return;
    let i = order.findIndex((e) => e.t.id === selectedId);
    if (by > 0 && i === order.length - 1 && cursor) await more();
    i = order.findIndex((e) => e.t.id === selectedId);
    const next = order[Math.max(0, Math.min(order.length - 1, i < 0 ? 0 : i + by))];
    entries.get(selectedId)?.tr.classList.remove('selected');
    selectedId = next.t.id;
    next.tr.classList.add('selected');
    focusSelected();
  }

  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target.closest?.('input, select, textarea')) return;
    if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); move(1); }
    else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if ((e.key === 'Enter' || e.key === 'o') && selectedId && !e.target.closest?.('a, button')) location.hash = `#/tickets/${selectedId}`;
  }

  // coming back: the rows of last time at once (with what the stream brought meanwhile), then fresh ones
  if (last && last.key === filterKey(f)) {
    const tickets = last.tickets.map((t) => {
      const now = state.tickets.get(t.id);
      return now && now.version > t.version ? now : t;
    }).filter(matches);
    ({ cursor, total, totalAll, listNow } = last);
    setWindow(tickets.map((t) => ({ t, key: keyOf(t) })).sort((a, b) => cmp(a.key, b.key)).map((x) => x.t));
    boundary = cursor ? last.boundary : null;
    loaded = true;
    status();
  }
  const offs = [on('ticket', onTicket), on('resync', () => load(order.length))];
  document.addEventListener('keydown', onKey);
  load(order.length);
  return () => {
    token++;
    last = { key: filterKey(f), f: { ...f }, tickets: order.map((e) => e.t), cursor, boundary, total, totalAll, listNow };
    offs.forEach((off) => off());
    document.removeEventListener('keydown', onKey);
    clearInterval(ticker);
    clearTimeout(countTimer);
    seen.disconnect();
    nearEnd.disconnect();
  };
}
