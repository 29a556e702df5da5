// Where rows go. The rows shown are entries `{ t, key }` kept in the server's order (`cmp` on their
// sort keys), so a ticket's row is found and put in its place by binary search; a fresh page is
// matched against the entries shown, so the rows of tickets that did not change are reused. Pure.

/** Index of the first entry that sorts after `key`. */
export function after(order, key, cmp) {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(order[mid].key, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where an entry is in `order` (-1: not there): by its key, or by a scan when keys moved meanwhile. */
export function indexOf(order, e, cmp) {
  const i = after(order, e.key, cmp) - 1;
  return order[i] === e ? i : order.indexOf(e);
}

/** Takes the entry out of `order` (in place), if it is there. */
export function remove(order, e, cmp) {
  const at = indexOf(order, e, cmp);
  if (at >= 0) order.splice(at, 1);
}

/** Puts the entry in its sorted place in `order` (in place, after entries with an equal key). Returns
 * the id of the entry it now comes before (null: it is last): its row goes before that one's row. */
export function insert(order, e, cmp) {
  const i = after(order, e.key, cmp);
  order.splice(i, 0, e);
  return order[i + 1]?.t.id ?? null;
}

/** Whether two copies of a ticket are the same (same version, same last update): its row can stay. */
export const same = (a, b) => a.version === b.version && a.updatedAt === b.updatedAt;

/** Whether `t` tells nothing new over `shown`, the copy its row was drawn from (older or the same). */
export const stale = (shown, t) => t.version < shown.version || same(shown, t);

/** A fresh page against the entries shown (`byId`): each ticket once, in the page's order, with its
 * sort key and whether the row shown for it can stay (`reuse`) or is drawn anew. */
export function diffPage(byId, tickets, keyOf) {
  const rows = [];
  const ids = new Set();
  for (const t of tickets) {
    if (ids.has(t.id)) continue;
    ids.add(t.id);
    const e = byId.get(t.id);
    rows.push({ t, key: keyOf(t), reuse: !!e && same(e.t, t) });
  }
  return rows;
}
