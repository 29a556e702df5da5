/**
 * LoadStore in memory: the same answers as the SQLite store (sqlite-store.ts), for a core or
 * helpdesk given no store (replays, tests). Bounded the same way: `keepPerDevice` loads per device.
 */
import { deviceKey } from '../../contracts/index.js';
import { DEFAULT_KEEP_PER_DEVICE, type LoadPage, type LoadQuery, type LoadRecord, type LoadStore, type LoadSummary } from './store.js';

export function createMemoryLoadStore(options: { keepPerDevice?: number } = {}): LoadStore {
  const keep = options.keepPerDevice ?? DEFAULT_KEEP_PER_DEVICE;
  /** by id, ascending */
  const rows = new Map<number, LoadRecord>();
  const perDevice = new Map<string, number[]>();
  let nextId = 1;
  let evicted = 0;

  function query(q: LoadQuery): LoadPage<LoadRecord> {
    const states = q.states ? new Set<string>(q.states) : null;
    const desc = (q.order ?? 'desc') === 'desc';
    const all = [...rows.values()].filter(
      (l) =>
        (q.customerId === undefined || l.customerId === q.customerId) &&
        (q.deviceId === undefined || l.deviceId === q.deviceId) &&
        (q.offerId === undefined || l.offerId === q.offerId) &&
        (!states || states.has(l.state)),
    );
    if (desc) all.reverse();
    const total = all.length;
    if (q.limit === 0) return { total, loads: [], next: null };
    const after = q.after;
    const from = after === undefined ? all : all.filter((l) => (desc ? l.id < after : l.id > after));
    const start = q.offset ?? 0;
    const end = q.limit === undefined ? from.length : Math.min(from.length, start + q.limit);
    const loads = from.slice(start, end).map((l) => ({ ...l }));
    return { total, loads, next: end < from.length && loads.length ? loads[loads.length - 1]!.id : null };
  }

  return {
    add(l) {
      const stored = { ...l, id: nextId++ };
      rows.set(stored.id, stored);
      const key = deviceKey(l.customerId, l.deviceId);
      const ids = perDevice.get(key) ?? [];
      perDevice.set(key, ids);
      ids.push(stored.id);
      while (ids.length > keep) {
        rows.delete(ids.shift()!);
        evicted++;
      }
      return { ...stored };
    },
    update(l) {
      const row = rows.get(l.id);
      if (!row) return;
      const { state, plannedStart, actualStart, finishedAt, supersededAt, costEur, optimalCostEur, startNowCostEur, energyKwh, meanGridLoadMw, planError, basis, basisNote } = l;
      Object.assign(row, { state, plannedStart, actualStart, finishedAt, supersededAt, costEur, optimalCostEur, startNowCostEur, energyKwh, meanGridLoadMw, planError, basis, basisNote });
    },
    page(q = {}): LoadPage {
      const p = query(q);
      return { ...p, loads: p.loads.map(({ slots: _slots, ...summary }): LoadSummary => summary) };
    },
    pageWithSlots: (q = {}) => query(q),
    evicted: () => evicted,
    forget(customerId) {
      let n = 0;
      for (const [id, l] of rows) if (l.customerId === customerId && rows.delete(id)) n++;
      for (const key of [...perDevice.keys()]) if (key.startsWith(`${customerId}/`)) perDevice.delete(key);
      return n;
    },
    close: () => undefined,
  };
}
