// The ticket queue. The server filters, sorts and pages (GET /tickets: summaries, 200 a page); the
// page shows the first page and more on scroll or "Show more". Live, a ticket event touches only
// that ticket's row: updated, moved, inserted in sorted position or removed; rows are never rebuilt
// wholesale. The SLA badges of the rows on screen tick once a second. Filtered by state, severity and
// proactive; sortable by every column; j/k or ↑/↓ move, Enter opens.
// This file wires the parts to the server, the live stream and the clock: the filters
// (queue-filters.js), the rows as data (queue-state.js, placing them with queue-diff.js), the table
// body (queue-rows.js) and the controls around it (queue-controls.js).
import { api } from './api.js';
import { on, setNow, state, upsert } from './state.js';
import { filterKey, filtersFrom, queueHash, sortedBy, ticketsQuery } from './queue-filters.js';
import { MAX_PAGE, PAGE, counted, emptyList, failedPage, firstPage, isLast, live, neighbour, nextPage, put, remembered, restored, retimed, summary } from './queue-state.js';
import { createRows } from './queue-rows.js';
import { queueKeys, queuePanel } from './queue-controls.js';
import { createProblemRows } from './problems.js';

// the queue last shown (filters and rows): drawn at once when coming back to it, then refreshed
let last = null;
let selectedId = null;

export function render(main, params) {
  // '#/queue' alone comes back to the filters used last
  let f = filtersFrom(params, [...params.keys()].length === 0 && last ? last.f : {});
  let list = emptyList();
  const ctx = () => ({ f, now: state.now });
  const rows = createRows({ ticketOf: (id) => list.byId.get(id)?.t, selectedId: () => selectedId });
  const reload = () => {
    history.replaceState(null, '', queueHash(f));
    load();
    problems.reload(f);
  };
  const panel = queuePanel(f, rows.tbody, {
    filters: (picked) => { f = { ...f, ...picked }; reload(); },
    sort: (key) => { f = sortedBy(f, key); reload(); },
    more: () => more(),
  });
  main.append(panel.section);
  // mass incidents: one row each, right above the tickets (problems.js)
  const problems = createProblemRows(f, rows.tbody);
  panel.section.querySelector('#queue').before(problems.table);

  /** a step of queue-state.js: the new list, its row changes drawn */
  function apply(step) {
    list = step.list;
    rows.apply(step.ops);
  }
  function status() {
    if (list.loaded) panel.show(f, summary(list));
  }

  // --- from the server ---
  let token = 0;
  let loading = false;
  /** ticket events that came while a load was on its way: applied on top of its answer */
  let held = [];
  async function load(limit = PAGE) {
    const mine = ++token;
    loading = true;
    const r = await api('GET', ticketsQuery(f, Math.max(PAGE, Math.min(MAX_PAGE, limit))));
    if (mine !== token) return;
    loading = false;
    if (r.ok) {
      setNow(r.data.now);
      state.sla = r.data.sla;
      for (const t of r.data.tickets) upsert(t);
      apply(firstPage(list, r.data, ctx()));
    } else list = failedPage(list, r.error);
    const missed = held;
    held = [];
    for (const t of missed) apply(put(list, t, ctx(), true));
    if (missed.length) countSoon();
    status();
    lookAgain();
  }

  /** the next page on its way (null: none): a j at the last row waits for the load scrolling started, not lost */
  let moreOn = null;
  function more() {
    if (!list.cursor || loading) return Promise.resolve();
    moreOn ??= nextPageIn().finally(() => (moreOn = null));
    return moreOn;
  }
  async function nextPageIn() {
    const mine = token;
    const r = await api('GET', ticketsQuery(f, PAGE, list.cursor));
    if (mine !== token || !r.ok) return;
    setNow(r.data.now);
    for (const t of r.data.tickets) upsert(t);
    apply(nextPage(list, r.data, ctx()));
    status();
    lookAgain();
  }
  // the end of the list in view (or within 400px of it) asks for the next page
  const nearEnd = new IntersectionObserver((records) => { if (records.some((r) => r.isIntersecting) && !panel.moreButton.hidden) more(); }, { rootMargin: '400px' });
  nearEnd.observe(panel.moreButton);
  /** the end of the list may still be on screen (a tall window, few rows): let the observer look again */
  function lookAgain() {
    nearEnd.unobserve(panel.moreButton);
    nearEnd.observe(panel.moreButton);
  }

  // the counts, when a live change cannot tell how they moved (a ticket not shown changed)
  let countTimer = null;
  function countSoon() {
    countTimer ??= setTimeout(async () => {
      countTimer = null;
      const mine = token;
      const r = await api('GET', ticketsQuery(f, 0));
      if (mine !== token || !r.ok || loading) return;
      list = counted(list, r.data);
      status();
    }, 500);
  }

  function onTicket({ ticket: t, how }) {
    if (how === 'same') return;
    if (loading) { held.push(t); return; }
    const step = live(list, t, ctx());
    if (!step) return;
    apply(step);
    if (step.ask) countSoon();
    status();
  }

  // --- SLA badges tick with event time: only the rows on screen, once a second ---
  let tickNow = null;
  const ticker = setInterval(() => {
    if (state.now === tickNow) return;
    tickNow = state.now;
    rows.tick();
    if (!loading) apply(retimed(list, ctx()));
  }, 1000);

  // --- keys ---
  async function move(by) {
    if (!list.order.length) return;
    if (by > 0 && isLast(list, selectedId) && list.cursor) await more();
    let next = neighbour(list, selectedId, by);
    // rows folded into a problem are skipped; at the end of the list the selection stays where it was
    while (next && problems.folds(next)) {
      const further = neighbour(list, next, by);
      if (further === next) {
        next = selectedId;
        break;
      }
      next = further;
    }
    rows.select(selectedId, next);
    selectedId = next;
    rows.focus();
  }
  const onKey = queueKeys({ move, open: () => { if (selectedId) location.hash = `#/tickets/${selectedId}`; } });

  // coming back: the rows of last time at once (with what the stream brought meanwhile), then fresh ones
  if (last && last.key === filterKey(f)) {
    apply(restored(last, ctx(), (id) => state.tickets.get(id)));
    status();
  }
  const offs = [on('ticket', onTicket), on('resync', () => load(list.order.length))];
  document.addEventListener('keydown', onKey);
  load(list.order.length);
  return () => {
    token++;
    last = remembered(list, f);
    offs.forEach((off) => off());
    document.removeEventListener('keydown', onKey);
    clearInterval(ticker);
    clearTimeout(countTimer);
    rows.dispose();
    problems.dispose();
    nearEnd.disconnect();
  };
}
