// The queue's rows as data: the window of the server's order on screen (entries `{ t, key }`), the
// next page's cursor, the counts, and how each thing that happens changes them: a first page, a next
// page, a live ticket, the clock (sorted by SLA), coming back to the queue. Every step is a pure
// function of the list and a context `{ f, now }` (filters, event time) that returns the new list and
// the row changes for queue-rows.js to draw:
//   { type: 'page', rows: [{ t, reuse }] }  exactly these rows in this order (reuse: the row shown stays)
//   { type: 'draw', t, before, fresh }      a new row for t, replacing its old one, before row `before` (null: last)
//   { type: 'move', id, before }            the row moves
//   { type: 'drop', id }                    the row goes
import { compare, sortKey } from './queue-order.js';
import { filterKey, matches } from './queue-filters.js';
import { diffPage, insert, remove, stale } from './queue-diff.js';

/** tickets a page; a reload asks for as many as are shown, up to MAX_PAGE */
export const PAGE = 200;
export const MAX_PAGE = 1000;

/** Nothing loaded yet. `boundary`: the key of the last row the server sent (null: no page beyond);
 * `listNow`: event time of the last full load (tickets opened after it were not in its counts). */
export function emptyList() {
  return { order: [], byId: new Map(), cursor: null, boundary: null, total: 0, totalAll: 0, listNow: Infinity, loaded: false, failed: null };
}

const cmpOf = (f) => (f.order === 'asc' ? (a, b) => compare(a, b) : (a, b) => -compare(a, b));
const keyOf = ({ f, now }) => (t) => sortKey(t, f.sort, now);
/** whether a row with this key belongs among the rows shown (rather than to a page not loaded yet) */
const inWindow = (list, key, cmp) => list.cursor === null || list.boundary === null || cmp(key, list.boundary) <= 0;
/** a copy to change in place: the steps below never change the list they are given */
const draft = (list) => ({ ...list, order: list.order.slice(), byId: new Map(list.byId) });
const byIdOf = (order) => new Map(order.map((e) => [e.t.id, e]));

/** Puts one ticket where it belongs in the draft: updated, moved, inserted or removed (by the filters,
 * or because it sorts beyond the rows shown). An older or same copy changes nothing. */
function putInto(d, t, ctx, fresh, ops) {
  const e = d.byId.get(t.id);
  if (e && stale(e.t, t)) return;
  const cmp = cmpOf(ctx.f);
  const key = keyOf(ctx)(t);
  if (e) remove(d.order, e, cmp);
  if (!matches(ctx.f, t) || !inWindow(d, key, cmp)) {
    if (e) {
      d.byId.delete(t.id);
      ops.push({ type: 'drop', id: t.id });
    }
    return;
  }
  const next = { t, key };
  d.byId.set(t.id, next);
  ops.push({ type: 'draw', t, before: insert(d.order, next, cmp), fresh });
}

/** One ticket put in its place (`fresh`: it has just changed, and its row says so). */
export function put(list, t, ctx, fresh) {
  const d = draft(list);
  const ops = [];
  putInto(d, t, ctx, fresh, ops);
  return { list: d, ops };
}

/** A ticket event from the live stream. The counts follow when the change tells how: a ticket shown
 * was counted, one opened after the last load was not; otherwise `ask` (the server knows). Null when
 * the event is not newer than the row shown. */
export function live(list, t, ctx) {
  const e = list.byId.get(t.id);
  if (e && t.version <= e.t.version) return null;
  const { list: next, ops } = put(list, t, ctx, true);
  const passes = matches(ctx.f, t) ? 1 : 0;
  if (e) return { list: { ...next, total: next.total + passes - 1 }, ops, ask: false };
  if (t.version === 1 && t.openedAt > list.listNow) return { list: { ...next, total: next.total + passes, totalAll: next.totalAll + 1 }, ops, ask: false };
  return { list: next, ops, ask: true };
}

/** A first page from the server (the answer of GET /tickets): it replaces the rows shown. */
export function firstPage(list, data, ctx) {
  const rows = diffPage(list.byId, data.tickets, keyOf(ctx));
  const order = rows.map(({ t, key }) => ({ t, key }));
  const cursor = data.nextCursor;
  return {
    list: {
      ...list, order, byId: byIdOf(order), cursor, boundary: cursor && order.length ? order[order.length - 1].key : null,
      total: data.total, totalAll: data.totalAll, listNow: data.now, loaded: true, failed: null,
    },
    ops: [{ type: 'page', rows: rows.map(({ t, reuse }) => ({ t, reuse })) }],
  };
}

/** A first page that could not be loaded: the rows shown stay, with the error. */
export const failedPage = (list, error) => ({ ...list, loaded: true, failed: error });

/** The next page from the server: its tickets join the rows shown, each in its place. */
export function nextPage(list, data, ctx) {
  const d = draft(list);
  const last = data.tickets[data.tickets.length - 1];
  d.cursor = data.nextCursor;
  d.boundary = d.cursor && last ? keyOf(ctx)(last) : null;
  const ops = [];
  for (const t of data.tickets) putInto(d, t, ctx, false, ops);
  d.total = data.total;
  d.totalAll = data.totalAll;
  return { list: d, ops };
}

/** New counts from the server (a query with limit 0). */
export const counted = (list, data) => ({ ...list, total: data.total, totalAll: data.totalAll });

/** Event time went on. Sorted by SLA, a waiting ticket whose target passed moves up among the overdue
 * (or out, when it now sorts beyond the rows shown); in any other order nothing moves. */
export function retimed(list, ctx) {
  if (ctx.f.sort !== 'sla') return { list, ops: [] };
  const cmp = cmpOf(ctx.f);
  const d = draft(list);
  const ops = [];
  for (const e of list.order) {
    if (e.t.sla.respondedAt !== null) continue;
    const key = keyOf(ctx)(e.t);
    if (compare(key, e.key) === 0) continue;
    remove(d.order, e, cmp);
    if (inWindow(d, key, cmp)) {
      const moved = { t: e.t, key };
      d.byId.set(e.t.id, moved);
      ops.push({ type: 'move', id: e.t.id, before: insert(d.order, moved, cmp) });
    } else {
      d.byId.delete(e.t.id);
      ops.push({ type: 'drop', id: e.t.id });
    }
  }
  return { list: d, ops };
}

/** What to keep of the queue when leaving it, to draw it at once when coming back. */
export function remembered(list, f) {
  const { cursor, boundary, total, totalAll, listNow } = list;
  return { key: filterKey(f), f: { ...f }, tickets: list.order.map((e) => e.t), cursor, boundary, total, totalAll, listNow };
}

/** Coming back with the same filters: the rows of last time, each in the newest copy `known(id)` has
 * seen since (the stream went on meanwhile), filtered and sorted again. */
export function restored(last, ctx, known) {
  const cmp = cmpOf(ctx.f);
  const tickets = last.tickets.map((t) => {
    const now = known(t.id);
    return now && now.version > t.version ? now : t;
  }).filter((t) => matches(ctx.f, t));
  const rows = diffPage(new Map(), tickets, keyOf(ctx)).sort((a, b) => cmp(a.key, b.key));
  const order = rows.map(({ t, key }) => ({ t, key }));
  const { cursor, total, totalAll, listNow } = last;
  return {
    list: { ...emptyList(), order, byId: byIdOf(order), cursor, boundary: cursor ? last.boundary : null, total, totalAll, listNow, loaded: true },
    ops: [{ type: 'page', rows: rows.map(({ t, reuse }) => ({ t, reuse })) }],
  };
}

/** What the controls show: the counts, "Show n more" (hidden: no page beyond), and which empty state. */
export function summary(list) {
  const shown = list.order.length;
  return {
    count: `${list.total} of ${list.totalAll} tickets${shown < list.total ? ` · ${shown} shown` : ''}`,
    moreHidden: list.cursor === null,
    moreText: `Show ${Math.max(1, Math.min(PAGE, list.total - shown))} more`,
    empty: list.failed ? 'failed' : shown > 0 ? null : list.totalAll === 0 ? 'none' : 'filtered',
    failure: list.failed?.message ?? null,
  };
}

/** The row j/k lands on: `by` rows from the selected one (from the first when none is), within the rows shown. */
export function neighbour(list, selectedId, by) {
  const { order } = list;
  if (!order.length) return null;
  const i = order.findIndex((e) => e.t.id === selectedId);
  return order[Math.max(0, Math.min(order.length - 1, i < 0 ? 0 : i + by))].t.id;
}

/** Whether the selected row is the last one shown. */
export const isLast = (list, selectedId) => list.order.length > 0 && list.order[list.order.length - 1].t.id === selectedId;
