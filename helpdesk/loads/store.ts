/**
 * Where deferrable loads live. The helpdesk keeps only the open offer of each device in memory
 * (loads.ts); every load, open or done, is saved here and listed page by page. openSqliteLoadStore
 * (sqlite-store.ts) is the implementation; ':memory:' serves replays and tests.
 */
import type { PowerSlot } from '../../contracts/index.js';
import { codeTable } from '../../contracts/errors.js';
import type { PlanBasis } from '../schedule/basis.js';

/**
 *   offered     announced; planned (plannedStart, on what: basis) or not (planError, why: basisNote)
 *   running     the appliance reported its start
 *   finished    the appliance reported its end
 *   superseded  the device announced a newer offer before this one finished
 */
export const LOAD_STATES = ['offered', 'running', 'finished', 'superseded'] as const;
export type LoadState = (typeof LOAD_STATES)[number];

/** A load without its power sequence: what lists show. */
export interface LoadSummary {
  /** the store's id: increases with every offer (the list's order and its cursor) */
  id: number;
  deviceId: string;
  customerId: string;
  offerId: string;
  programme: string;
  state: LoadState;
  requestedAt: number;
  deadline: number;
  plannedStart: number | null;
  actualStart: number | null;
  finishedAt: number | null;
  supersededAt: number | null;
  costEur: number | null;
  optimalCostEur: number | null;
  startNowCostEur: number | null;
  energyKwh: number | null;
  meanGridLoadMw: number | null;
  /** why there is no plan: EVN_ERR_PLAN_NO_TARIFF, EVN_ERR_PLAN_INFEASIBLE; null when planned */
  planError: string | null;
  /** what the plan rests on (schedule/basis.ts): prices, known-prices, partial-fallback, fallback, none; null for loads stored before it was kept */
  basis: PlanBasis | null;
  /** one sentence saying so: the prices, the window, the fallback, the feed's last problem */
  basisNote: string | null;
  /** the run's length: the sum of the slots' durations */
  durationS: number;
  slotCount: number;
}

/** A load with its power sequence. */
export interface LoadRecord extends LoadSummary {
  slots: PowerSlot[];
}

export interface LoadQuery {
  customerId?: string;
  deviceId?: string;
  offerId?: string;
  states?: readonly LoadState[];
  /** by id; default 'desc' (newest first) */
  order?: 'asc' | 'desc';
  /** keyset pagination: only loads after this id in the order (a page's `next`) */
  after?: number;
  /** loads to skip (after `after`, if given); default 0 */
  offset?: number;
  /** at most this many loads; default: all. 0 only counts. */
  limit?: number;
}

export interface LoadPage<T extends LoadSummary = LoadSummary> {
  /** how many loads match the filters (regardless of after, offset and limit) */
  total: number;
  loads: T[];
  /** pass as `after` for the next page; null when this page is the last */
  next: number | null;
}

export interface LoadStore {
  /** Stores a new load (its id is ignored) and returns it with its id. May evict the device's oldest loads (see evicted). */
  add(load: LoadRecord): LoadRecord;
  /** Updates a stored load's state and figures (not its offer or slots). */
  update(load: LoadSummary): void;
  /** summaries, filtered, ordered and paged in SQL */
  page(q?: LoadQuery): LoadPage;
  /** the same with power sequences (a detail; or a replay's report) */
  pageWithSlots(q?: LoadQuery): LoadPage<LoadRecord>;
  /** how many loads the per-device retention has deleted since the store was opened */
  evicted(): number;
  /** Deletes every load of one customer (an erasure, helpdesk/customers); returns how many went. */
  forget(customerId: string): number;
  close(): void;
}

export const LOAD_ERR = codeTable({
  /** a device's oldest stored loads were deleted to keep it within the retention */
  EVICTED: 'EVN_ERR_LOADS_EVICTED',
  /** a newer offer from the same device replaced an open one */
  SUPERSEDED: 'EVN_ERR_LOAD_SUPERSEDED',
  /** a device sent an open offer again (same id, window and power sequence): its plan is sent again, or planned in place */
  REPEATED: 'EVN_ERR_LOAD_REPEATED',
  /** planned on the fallback tariff, or only within the prices known (basis other than 'prices') */
  FALLBACK: 'EVN_ERR_PLAN_FALLBACK',
});

/** loads kept per device in the store (newest first); older ones are deleted */
export const DEFAULT_KEEP_PER_DEVICE = 1000;
