// The queue's filters and order (state, severity, proactive, sort, order): their vocabulary, how
// they are read from the address and written back to it, which tickets they let through, and the
// server query for a page of them. Pure: no DOM.
import { SORTS } from './queue-order.js';

export const STATES = ['opened', 'contacted', 'action-sent', 'escalated', 'resolved'];
export const SEVERITIES = ['critical', 'high', 'medium', 'low'];

const pick = (v, ok, dflt) => (ok(v) ? v : dflt);

/** The filters in the address (`#/queue?state=open&sort=sla`): a missing one from `base`, a bad one its default. */
export function filtersFrom(params, base = {}) {
  return {
    state: pick(params.get('state') ?? base.state, (v) => v === 'all' || v === 'open' || STATES.includes(v), 'all'),
    severity: pick(params.get('severity') ?? base.severity, (v) => v === 'all' || SEVERITIES.includes(v), 'all'),
    proactive: params.has('proactive') ? params.get('proactive') === 'true' : base.proactive ?? false,
    sort: pick(params.get('sort') ?? base.sort, (v) => SORTS.includes(v), 'opened'),
    order: pick(params.get('order') ?? base.order, (v) => v === 'asc', 'desc'),
  };
}

/** The address that shows the queue with these filters. */
export function queueHash(f) {
  const q = new URLSearchParams();
  for (const k of ['state', 'severity', 'sort', 'order']) q.set(k, f[k]);
  if (f.proactive) q.set('proactive', 'true');
  return `#/queue?${q}`;
}

/** Sorted by a column: descending first, ascending on a second click. */
export function sortedBy(f, key) {
  return { ...f, order: f.sort === key && f.order === 'desc' ? 'asc' : 'desc', sort: key };
}

/** One key per combination of filters and order: the remembered queue is reused only for the same one. */
export const filterKey = (f) => [f.state, f.severity, f.proactive, f.sort, f.order].join('|');

/** Whether a ticket passes the filters ('open': anything not resolved). */
export const matches = (f, t) =>
  (f.state === 'all' || (f.state === 'open' ? t.state !== 'resolved' : t.state === f.state)) &&
  (f.severity === 'all' || t.severity === f.severity) && (!f.proactive || t.proactive);

/** GET /tickets for these filters: `limit` tickets (0: the counts only) from `cursor` (none: the first page). */
export function ticketsQuery(f, limit, cursor) {
  const q = new URLSearchParams();
  if (f.state !== 'all') q.set('state', f.state);
  if (f.severity !== 'all') q.set('severity', f.severity);
  if (f.proactive) q.set('proactive', 'true');
  q.set('sort', f.sort);
  q.set('order', f.order);
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  return `/tickets?${q}`;
}
