// Mass incidents in the ticket queue: each problem is one row (count, cause, opened, state) right above
// the tickets (a table of its own, so the queue's table holds tickets only), that expands to its tickets on a click; the rows of tickets a
// problem holds are folded away from the flat list, so 500 tickets of one cause read as one row.
// Live: a `problem` event redraws that problem's row (and its tickets, when expanded).
import { api } from './api.js';
import { badge, clear, h, label, timeEl } from './dom.js';
import { on } from './state.js';

/** the problems the queue's state filter asks for: open ones for 'open', resolved for 'resolved', else all */
export function problemsQuery(f) {
  const q = new URLSearchParams({ limit: '100' });
  if (f.state === 'open' || f.state === 'resolved') q.set('state', f.state);
  return `/problems?${q}`;
}
const wanted = (f, p) => !(f.state === 'open' && p.state !== 'open') && !(f.state === 'resolved' && p.state !== 'resolved');


function ticketRow(p, t) {
  return h('tr', { class: 'problem-ticket', dataset: { problemOf: p.id, ticket: t.id } },
    h('td', { class: 'c-sev' }, badge(t.severity, `sev-${t.severity}`)),
    h('td', { class: 'c-dev' }, t.device, h('span', { class: 'sub' }, t.customer)),
    h('td', { class: 'c-kind' }, h('a', { href: `#/tickets/${t.id}` }, label(t.kind)), h('span', { class: 'sub mono hide-narrow' }, t.id)),
    h('td', { class: 'hide-narrow' }, timeEl(t.openedAt, t.timeZone, true)),
    h('td', { class: 'c-state' }, badge(label(t.state), `st-${t.state}`)),
    h('td', { class: 'hide-narrow' }, t.channel ? `via ${t.channel}` : h('span', { class: 'muted' }, 'waiting')),
    h('td', { class: 'c-sla' }));
}

/**
 * The problems' table, to go right above the queue's; it folds the rows of linked tickets in
 * `ticketRows` (the queue's tbody: class `in-problem`, also on rows the queue draws later); hidden
 * while there is no problem. `reload(f)` when the filters change.
 */
export function createProblemRows(f, ticketRows) {
  const tbody = h('tbody', { id: 'problems' });
  const table = h('table', { id: 'problems-table', 'aria-label': 'Problems: many tickets with one likely cause', hidden: true }, tbody);
  /** the ids of the tickets the shown problems hold */
  let folded = new Set();
  /** a row's class changes only when its fold does: the queue's rows are otherwise left untouched */
  const foldRow = (tr) => {
    const fold = folded.has(tr.dataset.id);
    if (fold !== tr.classList.contains('in-problem')) tr.classList.toggle('in-problem', fold);
  };
  const foldRows = () => {
    for (const tr of ticketRows.children) foldRow(tr);
  };
  // rows the queue draws later: only those added are looked at
  const watch = new MutationObserver((records) => {
    if (!folded.size) return;
    for (const r of records) for (const n of r.addedNodes) if (n.nodeName === 'TR') foldRow(n);
  });
  watch.observe(ticketRows, { childList: true });
  /** id -> problem summary, newest first as the server sent them */
  let problems = new Map();
  const expanded = new Set();
  let token = 0;

  function row(p) {
    const open = expanded.has(p.id);
    const toggle = h('button', { type: 'button', class: 'btn problem-toggle', 'aria-expanded': String(open), onclick: () => flip(p.id) },
      `${open ? '▾' : '▸'} ${p.count} ticket${p.count === 1 ? '' : 's'}`);
    return h('tr', { class: 'problem', dataset: { problem: p.id, state: p.state } },
      h('td', { class: 'c-sev' }, badge('Problem', 'problem-badge')),
      h('td', { class: 'c-cause', colSpan: 2 }, p.explanation, h('span', { class: 'sub mono hide-narrow' }, p.id)),
      h('td', { class: 'hide-narrow' }, timeEl(p.openedAt, p.timeZone, true)),
      h('td', { class: 'c-state' }, badge(label(p.state), p.state === 'open' ? 'st-opened' : 'st-resolved'), h('span', { class: 'sub' }, `${p.openTickets} of ${p.count} open`)),
      h('td', { class: 'c-count', colSpan: 2 }, toggle));
  }

  async function drawTickets(p, tr) {
    for (const x of [...tbody.querySelectorAll(`tr[data-problem-of="${CSS.escape(p.id)}"]`)]) x.remove();
    if (!expanded.has(p.id)) return;
    const r = await api('GET', `/problems/${encodeURIComponent(p.id)}`);
    if (!r.ok || !expanded.has(p.id) || !tr.isConnected) return;
    for (const x of [...tbody.querySelectorAll(`tr[data-problem-of="${CSS.escape(p.id)}"]`)]) x.remove();
    tr.after(...r.data.problem.tickets.map((t) => ticketRow(p, t)));
  }

  function draw(p) {
    const old = tbody.querySelector(`tr.problem[data-problem="${CSS.escape(p.id)}"]`);
    const tr = row(p);
    if (old) old.replaceWith(tr);
    else tbody.prepend(tr);
    drawTickets(p, tr);
  }

  function flip(id) {
    if (expanded.has(id)) expanded.delete(id);
    else expanded.add(id);
    const p = problems.get(id);
    if (p) draw(p);
  }

  function fold() {
    folded = new Set([...problems.values()].flatMap((p) => p.ticketIds));
    foldRows();
    table.hidden = problems.size === 0;
  }

  async function reload(next) {
    f = next;
    const mine = ++token;
    const r = await api('GET', problemsQuery(f));
    if (mine !== token || !r.ok) return;
    problems = new Map(r.data.problems.map((p) => [p.id, p]));
    clear(tbody);
    for (const p of [...problems.values()].reverse()) draw(p);
    fold();
  }

  const off = on('problem', (p) => {
    if (!wanted(f, p)) {
      problems.delete(p.id);
      tbody.querySelector(`tr.problem[data-problem="${CSS.escape(p.id)}"]`)?.remove();
      for (const x of [...tbody.querySelectorAll(`tr[data-problem-of="${CSS.escape(p.id)}"]`)]) x.remove();
    } else {
      problems.set(p.id, p);
      draw(p);
    }
    fold();
  });
  const offResync = on('resync', () => reload(f));
  reload(f);

  return {
    table,
    reload,
    /** whether a ticket's row is folded into a problem (the queue's keys skip it) */
    folds: (ticketId) => folded.has(ticketId),
    dispose() {
      token++;
      off();
      offResync();
      watch.disconnect();
    },
  };
}
