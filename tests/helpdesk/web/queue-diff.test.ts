/** Where the queue's rows go (helpdesk/web/public/js/queue-diff.js): binary search on sort keys, and a fresh page matched against the rows shown. */
import { describe, expect, it } from 'vitest';
import { after, diffPage, indexOf, insert, remove, same, stale, type Entry } from '../../../helpdesk/web/public/js/queue-diff.js';
import { compare, sortKey } from '../../../helpdesk/web/public/js/queue-order.js';
import { noted, opened, summary } from './queue-tickets.js';

const asc = compare;
const entry = (key: string, minutes: number): Entry => {
  const t = summary(opened(key, minutes));
  return { t, key: sortKey(t, 'opened', null) };
};
const ids = (order: Entry[]) => order.map((e) => e.t.id);

describe('placing rows by their sort keys', () => {
  const [a, b, c] = [entry('a', 1), entry('b', 2), entry('c', 3)];

  it('finds the first row that sorts after a key: after equal keys, so a row keeps its place among equals', () => {
    const order = [a, b, c];
    expect(after(order, a.key, asc)).toBe(1);
    expect(after(order, [0], asc)).toBe(0);
    expect(after(order, [Number.MAX_SAFE_INTEGER], asc)).toBe(3);
    expect(after([], a.key, asc)).toBe(0);
  });

  it('inserts in sorted position and names the row it now comes before (null: last)', () => {
    const order = [a, c];
    expect(insert(order, b, asc)).toBe(c.t.id);
    expect(ids(order)).toEqual(ids([a, b, c]));
    const d = entry('d', 4);
    expect(insert(order, d, asc)).toBeNull();
    expect(order.at(-1)).toBe(d);
  });

  it('sorts descending with a reversed comparison', () => {
    const desc = (x: Entry['key'], y: Entry['key']) => -compare(x, y);
    const order: Entry[] = [];
    for (const e of [b, a, c]) insert(order, e, desc);
    expect(ids(order)).toEqual(ids([c, b, a]));
  });

  it('finds and removes an entry by its key, or by a scan when its key changed since it was placed', () => {
    const m = entry('m', 2);
    const order = [a, m, c];
    expect(indexOf(order, m, asc)).toBe(1);
    expect(indexOf(order, { ...m }, asc)).toBe(-1);
    m.key = [0];
    expect(indexOf(order, m, asc)).toBe(1);
    remove(order, m, asc);
    expect(ids(order)).toEqual(ids([a, c]));
    remove(order, m, asc);
    expect(order).toHaveLength(2);
  });
});

describe('telling whether a copy of a ticket is new', () => {
  const t = opened('x', 0);
  it('treats the same version and update time as the same copy, and an older version as stale', () => {
    const now = summary(t);
    const later = summary(noted(t));
    expect(same(now, summary(t, now.updatedAt + 5 * 60_000))).toBe(true);
    expect(same(now, later)).toBe(false);
    expect(stale(later, now)).toBe(true);
    expect(stale(now, now)).toBe(true);
    expect(stale(now, later)).toBe(false);
  });
});

describe('matching a fresh page against the rows shown', () => {
  it('keeps the page order, drops repeated tickets, and reuses only the rows of unchanged tickets', () => {
    const [x, y, z] = [opened('x', 1), opened('y', 2), opened('z', 3)];
    const keyOf = (t: Entry['t']) => sortKey(t, 'opened', null);
    const shown = new Map([x, y].map((t) => [t.id, { t: summary(t), key: keyOf(summary(t)) }]));
    const page = [summary(z), summary(noted(y)), summary(x), summary(z)];
    const rows = diffPage(shown, page, keyOf);
    expect(rows.map((r) => [r.t.id, r.reuse])).toEqual([[z.id, false], [y.id, false], [x.id, true]]);
    expect(rows[1]!.t.version).toBe(2);
    expect(rows[0]!.key).toEqual(keyOf(summary(z)));
  });
});
