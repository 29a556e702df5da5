// How the queue orders tickets, the same way the server does (sortKeyOf in helpdesk/tickets/store.ts),
// and the columns it can be sorted by.
const SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3 };
const STATE_RANK = { opened: 0, escalated: 1, contacted: 2, 'action-sent': 3, resolved: 4 };

/** The queue's columns in the order shown, [sort key, title, class]: each column sorts by its key. */
export const COLUMNS = [
  ['severity', 'Severity'], ['device', 'Device · customer'], ['kind', 'Kind'], ['opened', 'Opened', 'hide-narrow'],
  ['state', 'State'], ['contact', 'Time to contact', 'hide-narrow'], ['sla', 'SLA'],
];
export const SORTS = COLUMNS.map(([key]) => key);

/** What a ticket sorts by, ascending: the server's order (sortKeyOf in helpdesk/tickets/store.ts). */
export function sortKey(t, sort, now) {
  const tail = [t.openedAt, t.id];
  const responded = t.contactedAt ?? t.resolvedAt;
  switch (sort) {
    case 'severity': return [SEV_RANK[t.severity], ...tail];
    case 'state': return [STATE_RANK[t.state], ...tail];
    case 'contact': return responded === null ? [1, 0, ...tail] : [0, responded - t.openedAt, ...tail];
    case 'sla': return responded !== null ? [2, 0, ...tail] : now !== null && t.sla.dueAt < now ? [0, 0, ...tail] : [1, t.sla.dueAt, ...tail];
    case 'kind': return [t.kind, ...tail];
    case 'device': return [t.customerId, t.deviceId, ...tail];
    default: return tail;
  }
}

export function compare(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (typeof a[i] !== typeof b[i]) return typeof a[i] === 'number' ? -1 : 1;
    return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}
