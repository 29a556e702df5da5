/**
 * LoadStore in memory: the same answers as the SQLite store (sqlite-store.ts), for a core or
 * helpdesk given no store (replays, tests). Bounded the same way: `keepPerDevice` loads per device.
 */
import { deviceKey } from '../../contracts/index.js';
import { pageLoads } from './page.js';
import { DEFAULT_KEEP_PER_DEVICE, type LoadPage, type LoadQuery, type LoadRecord, type LoadStore, type LoadSummary } from './store.js';

export function createMemoryLoadStore(options: { keepPerDevice?: number } = {}): LoadStore {
  const keep = options.keepPerDevice ?? DEFAULT_KEEP_PER_DEVICE;
  /** by id, ascending */
  const rows = new Map<number, LoadRecord>();
  const perDevice = new Map<string, number[]>();
  let nextId = 1;
  let evicted = 0;

  const query = (q: LoadQuery): LoadPage<LoadRecord> => pageLoads(rows.values(), q);

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
