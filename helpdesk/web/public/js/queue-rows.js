// The queue's table body: one row per ticket summary, and the row changes of queue-state.js applied
// one at a time, so a live ticket touches only its own row. The rows on screen are watched so their
// SLA badges can tick with event time; the row selected with j/k carries the class `selected`.
import { badge, duration, fill, h, label, slaBadge, timeEl } from './dom.js';
import { state } from './state.js';

function slaCell(td, t) {
  const b = slaBadge(t.sla, state.now ?? t.updatedAt);
  if (td.firstChild?.textContent === b.textContent) return;
  fill(td, b, h('span', { class: 'sub' }, `${t.sla.targetMinutes} min target`));
}

function row(t, selected) {
  const tr = h('tr', { dataset: { id: t.id, kind: t.kind, state: t.state }, class: selected ? 'selected' : undefined, onanimationend: (e) => e.currentTarget.classList.remove('fresh'), onclick: (e) => { if (!e.target.closest('a')) location.hash = `#/tickets/${t.id}`; } },
    h('td', { class: 'c-sev' }, badge(t.severity, `sev-${t.severity}`)),
    h('td', { class: 'c-dev' }, t.device, h('span', { class: 'sub' }, t.customer)),
    h('td', { class: 'c-kind' }, h('a', { href: `#/tickets/${t.id}` }, label(t.kind)), t.proactive ? badge('proactive', 'proactive') : null, h('span', { class: 'sub mono hide-narrow' }, t.id)),
    h('td', { class: 'hide-narrow' }, timeEl(t.openedAt, t.timeZone, true)),
    h('td', { class: 'c-state' }, badge(label(t.state), `st-${t.state}`), t.assignee ? h('span', { class: 'sub' }, `→ ${t.assignee}`) : null,
      t.customerAnswer === 'call-me' ? badge('call requested', 'sev-high') : t.customerAnswer === 'decline' ? badge('declined', 'sev-medium') : null),
    h('td', { class: 'hide-narrow num' }, t.timeToContactMs === null ? h('span', { class: 'muted' }, 'waiting') : duration(t.timeToContactMs), t.channel ? h('span', { class: 'sub' }, `via ${t.channel}`) : null),
    h('td', { class: 'c-sla' }));
  slaCell(tr.lastChild, t);
  return tr;
}

/**
 * The table body. `ticketOf(id)`: the ticket a row shows now (the list's copy); `selectedId()`: the
 * ticket selected with j/k (or null).
 */
export function createRows({ ticketOf, selectedId }) {
  const tbody = h('tbody');
  /** id -> tr, exactly the rows in tbody */
  let trs = new Map();
  const visible = new Set();
  const seen = new IntersectionObserver((records) => {
    for (const r of records) {
      if (r.isIntersecting) {
        visible.add(r.target);
        const t = ticketOf(r.target.dataset.id);
        if (t) slaCell(r.target.lastChild, t);
      } else visible.delete(r.target);
    }
  });

  function unwatch(tr) {
    seen.unobserve(tr);
    visible.delete(tr);
  }
  function take(id) {
    const tr = trs.get(id);
    if (!tr) return null;
    tr.remove();
    unwatch(tr);
    trs.delete(id);
    return tr;
  }
  function putBefore(id, tr, before) {
    tbody.insertBefore(tr, (before !== null && trs.get(before)) || null);
    trs.set(id, tr);
    seen.observe(tr);
  }

  /** The selected row scrolled into view, its link focused. */
  function focus() {
    const tr = trs.get(selectedId());
    if (!tr) return;
    tr.scrollIntoView({ block: 'nearest' });
    tr.querySelector('a')?.focus({ preventScroll: true });
  }

  /** Exactly these rows, in this order; tbody is rebuilt only when its rows differ from them. */
  function page(rows) {
    const next = new Map(rows.map(({ t, reuse }) => [t.id, (reuse && trs.get(t.id)) || row(t, t.id === selectedId())]));
    for (const [id, tr] of trs) if (next.get(id) !== tr) unwatch(tr);
    trs = next;
    for (const tr of trs.values()) seen.observe(tr);
    const wanted = [...trs.values()];
    if (wanted.length !== tbody.children.length || wanted.some((tr, i) => tbody.children[i] !== tr)) {
      const hadFocus = tbody.contains(document.activeElement);
      tbody.replaceChildren(...wanted);
      if (hadFocus) focus();
    }
  }

  /** A new row for `t` in place of its old one (the focus goes with it). */
  function draw(t, before, fresh) {
    const hadFocus = trs.get(t.id)?.contains(document.activeElement) ?? false;
    const tr = row(t, t.id === selectedId());
    if (fresh) tr.classList.add('fresh');
    take(t.id);
    putBefore(t.id, tr, before);
    if (hadFocus) tr.querySelector('a')?.focus({ preventScroll: true });
  }

  function apply(ops) {
    for (const op of ops) {
      if (op.type === 'page') page(op.rows);
      else if (op.type === 'draw') draw(op.t, op.before, op.fresh);
      else if (op.type === 'move') putBefore(op.id, take(op.id), op.before);
      else if (op.type === 'drop') take(op.id);
    }
  }

  /** The selection moves from one row to another. */
  function select(from, to) {
    trs.get(from)?.classList.remove('selected');
    trs.get(to)?.classList.add('selected');
  }

  /** Event time went on: the SLA badges of the rows on screen that still wait for a contact. */
  function tick() {
    for (const tr of visible) {
      const t = ticketOf(tr.dataset.id);
      if (t && t.sla.respondedAt === null) slaCell(tr.lastChild, t);
    }
  }

  return { tbody, apply, focus, select, tick, dispose: () => seen.disconnect() };
}
