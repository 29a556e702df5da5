/**
 * One page of loads from rows in memory, as the SQLite store pages them (sqlite-store.ts): filtered by
 * customer, device, offer and state, newest first unless asked otherwise, `after` an id (keyset) or
 * from an `offset`, `limit` rows, with the total matched and the id to go on after. Pure: the memory
 * store and the cluster's dashboard view (cluster/view.ts) page this way.
 */
import type { LoadPage, LoadQuery, LoadRecord } from './store.js';

/** `rows` in any order; the page's rows are copies */
export function pageLoads(rows: Iterable<LoadRecord>, q: LoadQuery): LoadPage<LoadRecord> {
  const states = q.states ? new Set<string>(q.states) : null;
  const desc = (q.order ?? 'desc') === 'desc';
  const all = [...rows]
    .filter(
      (l) =>
        (q.customerId === undefined || l.customerId === q.customerId) &&
        (q.deviceId === undefined || l.deviceId === q.deviceId) &&
        (q.offerId === undefined || l.offerId === q.offerId) &&
        (!states || states.has(l.state)),
    )
    .sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
  const total = all.length;
  if (q.limit === 0) return { total, loads: [], next: null };
  const after = q.after;
  const from = after === undefined ? all : all.filter((l) => (desc ? l.id < after : l.id > after));
  const start = q.offset ?? 0;
  const end = q.limit === undefined ? from.length : Math.min(from.length, start + q.limit);
  const loads = from.slice(start, end).map((l) => ({ ...l }));
  return { total, loads, next: end < from.length && loads.length ? loads[loads.length - 1]!.id : null };
}
