/**
 * The queue's rows as data (helpdesk/web/public/js/queue-state.js): each step returns the new list and
 * the row changes to draw, and never changes the list it is given.
 */
import { describe, expect, it } from 'vitest';
import type { TicketSummary } from '../../../helpdesk/web/views.js';
import type { Filters } from '../../../helpdesk/web/public/js/queue-filters.js';
import {
  counted, emptyList, failedPage, firstPage, isLast, live, neighbour, nextPage, put, remembered, restored, retimed, summary as summarize,
  type List, type Page,
} from '../../../helpdesk/web/public/js/queue-state.js';
import { MIN, T0, contacted, filters, noted, opened, resolved, summary } from './queue-tickets.js';

const NOW = T0 + 60 * MIN;
const ids = (list: List) => list.order.map((e) => e.t.id);
const page = (tickets: TicketSummary[], more: Partial<Page> = {}): Page =>
  ({ tickets, nextCursor: null, total: tickets.length, totalAll: tickets.length, now: NOW, ...more });
/** a list loaded with these tickets (the server's order) */
const loaded = (f: Filters, tickets: TicketSummary[], more: Partial<Page> = {}) => firstPage(emptyList(), page(tickets, more), { f, now: NOW }).list;

// six tickets, one a minute: newest first is the default order
const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => opened(k, i, (['critical', 'high', 'medium', 'low'] as const)[i % 4]));
const newestFirst = six.map((t) => summary(t)).reverse();

describe('a first page', () => {
  it('shows the server\'s order, keeps the cursor, the counts and the event time, and draws every row', () => {
    const { list, ops } = firstPage(emptyList(), page(newestFirst.slice(0, 4), { nextCursor: 'next', total: 6, totalAll: 9 }), { f: filters(), now: NOW });
    expect(ids(list)).toEqual(newestFirst.slice(0, 4).map((t) => t.id));
    expect(list.byId.get(six[5]!.id)?.t).toBe(newestFirst[0]);
    expect(list).toMatchObject({ cursor: 'next', total: 6, totalAll: 9, listNow: NOW, loaded: true, failed: null });
    expect(list.boundary).toEqual(list.order[3]!.key);
    expect(ops).toEqual([{ type: 'page', rows: newestFirst.slice(0, 4).map((t) => ({ t, reuse: false })) }]);
  });

  it('has no boundary when it is the only page', () => {
    expect(loaded(filters(), newestFirst).boundary).toBeNull();
  });

  it('reloaded, reuses the rows of the tickets that did not change', () => {
    const before = loaded(filters(), newestFirst);
    const changed = summary(noted(six[2]!));
    const again = newestFirst.map((t) => (t.id === changed.id ? changed : t));
    const { ops } = firstPage(before, page(again), { f: filters(), now: NOW });
    const rows = ops[0]!.type === 'page' ? ops[0]!.rows : [];
    expect(rows.filter((r) => !r.reuse).map((r) => r.t.id)).toEqual([changed.id]);
  });

  it('that failed keeps the rows shown and says why', () => {
    const list = failedPage(loaded(filters(), newestFirst), { code: 'EVN_ERR_NETWORK', message: 'unreachable' });
    expect(list.order).toHaveLength(6);
    expect(summarize(list)).toMatchObject({ empty: 'failed', failure: 'unreachable' });
  });
});

describe('the next page', () => {
  it('joins the rows shown, each in its place, not marked fresh, with the new cursor and counts', () => {
    const first = loaded(filters(), newestFirst.slice(0, 3), { nextCursor: 'p2', total: 6 });
    const { list, ops } = nextPage(first, page(newestFirst.slice(3), { total: 6 }), { f: filters(), now: NOW });
    expect(ids(list)).toEqual(newestFirst.map((t) => t.id));
    expect(list).toMatchObject({ cursor: null, boundary: null, total: 6 });
    expect(ops).toEqual(newestFirst.slice(3).map((t) => ({ type: 'draw', t, before: null, fresh: false })));
    expect(ids(first)).toHaveLength(3);
  });
});

describe('a live ticket', () => {
  const f = filters('sort=severity&order=asc');
  const ctx = { f, now: NOW };
  const bySeverity = (tickets: TicketSummary[]) => loaded(f, tickets, { now: T0 + 10 * MIN });
  // critical a, e; high b, f; medium c; low d (ascending: most severe first, then oldest first)
  const shown = bySeverity(['a', 'e', 'b', 'f', 'c', 'd'].map((k) => summary(six['abcdef'.indexOf(k)]!)));

  it('opened after the load goes in its sorted place as one fresh row, and is counted', () => {
    const t = summary(opened('g', 20, 'high'));
    const step = live(shown, t, ctx)!;
    expect(ids(step.list)).toEqual([six[0]!.id, six[4]!.id, six[1]!.id, six[5]!.id, t.id, six[2]!.id, six[3]!.id]);
    expect(step.ops).toEqual([{ type: 'draw', t, before: six[2]!.id, fresh: true }]);
    expect(step.list).toMatchObject({ total: 7, totalAll: 7 });
    expect(step.ask).toBe(false);
    expect(ids(shown)).toHaveLength(6);
  });

  it('that sorts beyond the rows shown waits for its page, but is counted', () => {
    const partial = loaded(f, [six[0], six[4], six[1]].map((t) => summary(t!)), { nextCursor: 'p2', total: 6, totalAll: 6, now: T0 + 10 * MIN });
    const step = live(partial, summary(opened('g', 20, 'low')), ctx)!;
    expect(step.ops).toEqual([]);
    expect(ids(step.list)).toEqual(ids(partial));
    expect(step.list).toMatchObject({ total: 7, totalAll: 7 });
  });

  it('already shown is drawn anew where it now sorts: in place, or moved', () => {
    const same = summary(noted(six[1]!));
    const inPlace = live(shown, same, ctx)!;
    expect(inPlace.ops).toEqual([{ type: 'draw', t: same, before: six[5]!.id, fresh: true }]);
    expect(ids(inPlace.list)).toEqual(ids(shown));
    expect(inPlace.list.total).toBe(6);
    const byState = loaded(filters('sort=state&order=asc'), [six[0], six[1], six[2]].map((t) => summary(t!)));
    const moved = summary(contacted(six[0]!));
    const step = live(byState, moved, { f: filters('sort=state&order=asc'), now: NOW })!;
    expect(ids(step.list)).toEqual([six[1]!.id, six[2]!.id, six[0]!.id]);
    expect(step.ops).toEqual([{ type: 'draw', t: moved, before: null, fresh: true }]);
  });

  it('that leaves the filter loses its row and its count', () => {
    const open = filters('state=open');
    const list = loaded(open, newestFirst, { now: T0 + 10 * MIN });
    const step = live(list, summary(resolved(six[5]!)), { f: open, now: NOW })!;
    expect(step.ops).toEqual([{ type: 'drop', id: six[5]!.id }]);
    expect(ids(step.list)).toEqual(newestFirst.slice(1).map((t) => t.id));
    expect(step.list.total).toBe(5);
    expect(step.list.totalAll).toBe(6);
  });

  it('not shown and not new since the load asks the server for the counts', () => {
    const list = loaded(filters('state=resolved'), [], { total: 0, totalAll: 6, now: T0 + 10 * MIN });
    const step = live(list, summary(noted(six[0]!)), { f: filters('state=resolved'), now: NOW })!;
    expect(step.ops).toEqual([]);
    expect(step.ask).toBe(true);
    expect(step.list).toMatchObject({ total: 0, totalAll: 6 });
  });

  it('no newer than its row changes nothing', () => {
    expect(live(shown, summary(six[0]!), ctx)).toBeNull();
  });

  it('older than its row is ignored also when put directly (a held event after a load)', () => {
    const newer = live(shown, summary(noted(six[0]!)), ctx)!.list;
    expect(put(newer, summary(six[0]!), ctx, true)).toEqual({ list: newer, ops: [] });
  });
});

describe('event time going on, sorted by SLA', () => {
  // z: critical, overdue since before T0; x: low, due a minute after T0; w: medium, due later
  const z = summary(opened('z', -6, 'critical'), T0);
  const x = summary(opened('x', -239, 'low'), T0);
  const w = summary(opened('w', 0, 'medium'), T0);

  it('moves a waiting ticket whose target passed up among the overdue (oldest first)', () => {
    const f = filters('sort=sla&order=asc');
    const list = firstPage(emptyList(), page([z, x, w], { now: T0 }), { f, now: T0 }).list;
    expect(ids(list)).toEqual([z.id, x.id, w.id]);
    expect(retimed(list, { f, now: T0 + 30_000 }).ops).toEqual([]);
    const { list: later, ops } = retimed(list, { f, now: T0 + 2 * MIN });
    expect(ops).toEqual([{ type: 'move', id: x.id, before: z.id }]);
    expect(ids(later)).toEqual([x.id, z.id, w.id]);
    expect(ids(list)).toEqual([z.id, x.id, w.id]);
  });

  it('drops a row that now sorts beyond the rows shown (overdue last, descending)', () => {
    const f = filters('sort=sla&order=desc');
    const list = firstPage(emptyList(), page([w, x, z], { now: T0, nextCursor: 'p2', total: 9 }), { f, now: T0 }).list;
    const { list: later, ops } = retimed(list, { f, now: T0 + 2 * MIN });
    expect(ops).toEqual([{ type: 'drop', id: x.id }]);
    expect(ids(later)).toEqual([w.id, z.id]);
  });

  it('moves nothing in any other order', () => {
    const list = loaded(filters(), [w, x, z]);
    expect(retimed(list, { f: filters(), now: T0 + 99 * MIN })).toEqual({ list, ops: [] });
  });
});

describe('leaving the queue and coming back', () => {
  it('draws the rows of last time, in the newest copies seen meanwhile, still filtered and sorted', () => {
    const f = filters('state=open&sort=opened&order=asc');
    const list = loaded(f, newestFirst.slice().reverse().slice(0, 4), { nextCursor: 'p2', total: 5, totalAll: 6 });
    const last = remembered(list, f);
    expect(last).toMatchObject({ f, cursor: 'p2', total: 5, totalAll: 6, listNow: NOW, boundary: list.boundary });
    const known = new Map([[six[0]!.id, summary(resolved(six[0]!))], [six[1]!.id, summary(noted(six[1]!))]]);
    const { list: back, ops } = restored(last, { f, now: NOW }, (id) => known.get(id));
    expect(ids(back)).toEqual([six[1]!.id, six[2]!.id, six[3]!.id]);
    expect(back.byId.get(six[1]!.id)?.t.version).toBe(2);
    expect(back).toMatchObject({ cursor: 'p2', boundary: list.boundary, total: 5, totalAll: 6, loaded: true });
    expect(ops).toEqual([{ type: 'page', rows: back.order.map((e) => ({ t: e.t, reuse: false })) }]);
  });
});

describe('what the controls show', () => {
  it('counts the tickets that match, of all, and how many are shown when not all are', () => {
    const list = loaded(filters(), newestFirst.slice(0, 2), { nextCursor: 'p2', total: 450, totalAll: 900 });
    expect(summarize(list)).toEqual({ count: '450 of 900 tickets · 2 shown', moreHidden: false, moreText: 'Show 200 more', empty: null, failure: null });
    expect(summarize(counted(list, { total: 3, totalAll: 4 }))).toMatchObject({ count: '3 of 4 tickets · 2 shown', moreText: 'Show 1 more' });
    expect(summarize(loaded(filters(), newestFirst))).toMatchObject({ count: '6 of 6 tickets', moreHidden: true });
  });

  it('tells no tickets at all from none matching the filters', () => {
    expect(summarize(loaded(filters(), [], { totalAll: 0 })).empty).toBe('none');
    expect(summarize(loaded(filters('severity=low'), [], { totalAll: 5 })).empty).toBe('filtered');
  });
});

describe('moving with j and k', () => {
  const list = loaded(filters(), newestFirst.slice(0, 3));
  const [first, second, third] = ids(list);

  it('starts at the first row, moves by one and stays within the rows shown', () => {
    expect(neighbour(list, null, 1)).toBe(first);
    expect(neighbour(list, 'gone', -1)).toBe(first);
    expect(neighbour(list, first!, 1)).toBe(second);
    expect(neighbour(list, first!, -1)).toBe(first);
    expect(neighbour(list, third!, 1)).toBe(third);
    expect(neighbour(emptyList(), null, 1)).toBeNull();
  });

  it('knows when the selected row is the last one shown', () => {
    expect(isLast(list, third!)).toBe(true);
    expect(isLast(list, second!)).toBe(false);
    expect(isLast(emptyList(), null)).toBe(false);
  });
});
