/**
 * Where tickets live. The helpdesk depends on this interface only; openSqliteStore (sqlite-store.ts)
 * is the durable implementation.
 */
import type { Severity, TicketState } from '../../contracts/index.js';
import type { Ticket } from './lifecycle.js';
import { codeTable } from '../../contracts/errors.js';

export interface TicketListFilter {
  state?: TicketState;
  deviceId?: string;
}

/**
 * A ticket without its timeline and evidence (what a queue shows), with what the timeline says in
 * short: `version` (its length: grows with every change), who it is assigned to and who acknowledged
 * it (the last staff notes of those kinds).
 */
export type TicketSummaryRecord = Omit<Ticket, 'timeline' | 'evidence'> & {
  version: number;
  assignee: string | null;
  acknowledgedBy: string | null;
  /** the answer of the customer's last reply through the app (helpdesk/dialogue): 'call-me' flags a call for staff */
  customerAnswer: string | null;
};

/**
 * Orders of the summary query. Every order ends with openedAt, then id, so it is total and stable:
 *   opened    openedAt
 *   severity  critical, high, medium, low
 *   state     opened, escalated, contacted, action-sent, resolved
 *   contact   time to first response (contact, else resolution); still waiting comes last
 *   sla       breached and still waiting first, then due (soonest due first), then answered ones
 *   kind      kind (alphabetically)
 *   device    customer id, then device id: a device's tickets together
 * 'desc' reverses the whole order (ties too).
 */
export const TICKET_SORT_KEYS = ['opened', 'severity', 'state', 'contact', 'sla', 'kind', 'device'] as const;
export type TicketSortKey = (typeof TICKET_SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';
/** The values a row sorts by (see sortKeyOf); the last two are openedAt and id. */
export type TicketSortValues = ReadonlyArray<string | number>;

export interface TicketSummaryQuery {
  /** any of these states (all when absent) */
  states?: readonly TicketState[];
  /** any of these severities (all when absent) */
  severities?: readonly Severity[];
  proactive?: boolean;
  customerId?: string;
  deviceId?: string;
  /** default 'opened' */
  sort?: TicketSortKey;
  /** default 'desc' */
  order?: SortOrder;
  /** needed to sort by 'sla': the event time and the contact target in minutes per severity */
  sla?: { now: number; minutes: Readonly<Record<Severity, number>> };
  /** keyset pagination: only rows that sort after these values (a page's `next`), in this sort and order */
  after?: TicketSortValues;
  /** rows to skip (after `after`, if given); default 0 */
  offset?: number;
  /** at most this many rows; default: all. 0 only counts. */
  limit?: number;
}

export interface TicketSummaryPage {
  /** how many tickets match the filters (regardless of after, offset and limit) */
  total: number;
  tickets: TicketSummaryRecord[];
  /** pass as `after` for the next page; null when this page is the last */
  next: TicketSortValues | null;
}

export interface TicketStore {
  /**
   * Stores a freshly opened ticket unless a ticket for the same incident key exists already; then
   * that existing ticket (whatever its state) comes back with created=false.
   */
  openIdempotent(t: Ticket): { ticket: Ticket; created: boolean };
  get(id: string): Ticket | null;
  /** the most recently opened unresolved ticket of this device (device ids are unique per customer) and kind */
  findOpen(customerId: string, deviceId: string, kind: string): Ticket | null;
  /**
   * Upserts the ticket row and appends the timeline entries not stored yet, in one transaction.
   * Throws a TicketStoreError (EVN_ERR_TICKET_STALE) when the stored timeline is not a prefix of
   * t.timeline: the caller transitioned an outdated copy and would overwrite a newer update.
   */
  save(t: Ticket): void;
  /** ordered by openedAt, then id; with timelines */
  list(filter?: TicketListFilter): Ticket[];
  /**
   * Summaries (no timeline, no evidence) filtered, ordered and paged by the store, and how many match.
   * The same result as summarizeTickets(list(), q), without loading every timeline.
   */
  summaries(q?: TicketSummaryQuery): TicketSummaryPage;
  /**
   * Replaces ticket `oldId` (row and timeline) with `t` whole, in one transaction: an erasure's
   * pseudonymised copy (helpdesk/customers/erase.ts), which has another id. Not for ticket changes (save).
   */
  replace(oldId: string, t: Ticket): void;
  close(): void;
}

export const STORE_ERR = codeTable({
  STALE: 'EVN_ERR_TICKET_STALE',
});
export type StoreErrorCode = (typeof STORE_ERR)[keyof typeof STORE_ERR];

export class TicketStoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'TicketStoreError';
    this.code = code;
  }
}

/** the ranks the 'severity' and 'state' sorts order by (the SQL store builds its CASE expressions from them) */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };
export const STATE_RANK: Readonly<Record<TicketState, number>> = { opened: 0, escalated: 1, contacted: 2, 'action-sent': 3, resolved: 4 };

/** A ticket as a summary: the timeline reduced to its length, the assignee and who acknowledged it. */
export function summaryOf(t: Ticket): TicketSummaryRecord {
  let assignee: string | null = null;
  let acknowledgedBy: string | null = null;
  let customerAnswer: string | null = null;
  for (const e of t.timeline) {
    if (e.step !== 'note') continue;
    if (e.detail.kind === 'reply' && typeof e.detail.answer === 'string') customerAnswer = e.detail.answer;
    if (e.detail.kind === 'assigned' && typeof e.detail.to === 'string') assignee = e.detail.to;
    if (e.detail.kind === 'acknowledged') acknowledgedBy = e.by;
  }
  const { timeline, evidence: _evidence, ...rest } = t;
  return { ...rest, version: timeline.length, assignee, acknowledgedBy, customerAnswer };
}

type Sortable = Pick<Ticket, 'id' | 'kind' | 'customerId' | 'deviceId' | 'severity' | 'state' | 'openedAt' | 'contactedAt' | 'resolvedAt'>;

/** What a ticket sorts by in `sort` (ascending); the SQL of sqlite-store.ts computes the same values. */
export function sortKeyOf(t: Sortable, sort: TicketSortKey, sla?: TicketSummaryQuery['sla']): (string | number)[] {
  const tail = [t.openedAt, t.id];
  const responded = t.contactedAt ?? t.resolvedAt;
  switch (sort) {
    case 'opened':
      return tail;
    case 'severity':
      return [SEVERITY_RANK[t.severity], ...tail];
    case 'state':
      return [STATE_RANK[t.state], ...tail];
    case 'contact':
      return responded === null ? [1, 0, ...tail] : [0, responded - t.openedAt, ...tail];
    case 'sla': {
      if (!sla) throw new TypeError("sorting by 'sla' needs the event time and the SLA minutes");
      if (responded !== null) return [2, 0, ...tail];
      const dueAt = t.openedAt + sla.minutes[t.severity] * 60_000;
      return dueAt < sla.now ? [0, 0, ...tail] : [1, dueAt, ...tail];
    }
    case 'kind':
      return [t.kind, ...tail];
    case 'device':
      return [t.customerId, t.deviceId, ...tail];
  }
}

/** -1, 0 or 1: sort values compared element by element (numbers as numbers, strings by code unit). */
export function compareSortValues(a: TicketSortValues, b: TicketSortValues): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    // SQLite orders numbers before text; so does this
    if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** The summary query over tickets in memory: the reference for TicketStore.summaries. */
export function summarizeTickets(tickets: Iterable<Ticket>, q: TicketSummaryQuery = {}): TicketSummaryPage {
  const sort = q.sort ?? 'opened';
  const dir = (q.order ?? 'desc') === 'asc' ? 1 : -1;
  const states = q.states ? new Set(q.states) : null;
  const severities = q.severities ? new Set(q.severities) : null;
  const rows: Array<{ key: (string | number)[]; t: Ticket }> = [];
  for (const t of tickets) {
    if (states && !states.has(t.state)) continue;
    if (severities && !severities.has(t.severity)) continue;
    if (q.proactive !== undefined && t.proactive !== q.proactive) continue;
    if (q.customerId !== undefined && t.customerId !== q.customerId) continue;
    if (q.deviceId !== undefined && t.deviceId !== q.deviceId) continue;
    rows.push({ key: sortKeyOf(t, sort, q.sla), t });
  }
  const total = rows.length;
  rows.sort((a, b) => dir * compareSortValues(a.key, b.key));
  let from = 0;
  if (q.after) {
    const after = q.after;
    from = rows.findIndex((r) => dir * compareSortValues(r.key, after) > 0);
    if (from < 0) from = rows.length;
  }
  from += q.offset ?? 0;
  const end = q.limit === undefined ? rows.length : Math.min(rows.length, from + q.limit);
  const page = rows.slice(from, end);
  const next = end < rows.length && page.length > 0 ? page[page.length - 1]!.key : null;
  return { total, tickets: page.map((r) => summaryOf(r.t)), next };
}
