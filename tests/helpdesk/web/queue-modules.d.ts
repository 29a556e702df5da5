/**
 * Types for the queue's pure browser modules (helpdesk/web/public/js/queue-*.js), which are plain
 * JavaScript and not type-checked, so the unit tests that import them are. The tickets are the
 * summaries GET /tickets returns.
 */

declare module '*/public/js/queue-order.js' {
  type Summary = import('../../../helpdesk/web/views.js').TicketSummary;
  export type SortKey = 'severity' | 'device' | 'kind' | 'opened' | 'state' | 'contact' | 'sla';
  export const COLUMNS: Array<[SortKey, string, string?]>;
  export const SORTS: SortKey[];
  export function sortKey(t: Summary, sort: SortKey, now: number | null): Array<string | number>;
  export function compare(a: Array<string | number>, b: Array<string | number>): number;
}

declare module '*/public/js/queue-filters.js' {
  type Summary = import('../../../helpdesk/web/views.js').TicketSummary;
  type SortKey = import('../../../helpdesk/web/public/js/queue-order.js').SortKey;
  export interface Filters { state: string; severity: string; proactive: boolean; sort: SortKey; order: 'asc' | 'desc' }
  export const STATES: string[];
  export const SEVERITIES: string[];
  export function filtersFrom(params: URLSearchParams, base?: Partial<Filters>): Filters;
  export function queueHash(f: Filters): string;
  export function sortedBy(f: Filters, key: SortKey): Filters;
  export function filterKey(f: Filters): string;
  export function matches(f: Filters, t: Summary): boolean;
  export function ticketsQuery(f: Filters, limit: number, cursor?: string | null): string;
}

declare module '*/public/js/queue-diff.js' {
  type Summary = import('../../../helpdesk/web/views.js').TicketSummary;
  type Key = Array<string | number>;
  type Cmp = (a: Key, b: Key) => number;
  export interface Entry { t: Summary; key: Key }
  export function after(order: Entry[], key: Key, cmp: Cmp): number;
  export function indexOf(order: Entry[], e: Entry, cmp: Cmp): number;
  export function remove(order: Entry[], e: Entry, cmp: Cmp): void;
  export function insert(order: Entry[], e: Entry, cmp: Cmp): string | null;
  export function same(a: Summary, b: Summary): boolean;
  export function stale(shown: Summary, t: Summary): boolean;
  export function diffPage(byId: Map<string, Entry>, tickets: Summary[], keyOf: (t: Summary) => Key): Array<Entry & { reuse: boolean }>;
}

declare module '*/public/js/queue-state.js' {
  type Summary = import('../../../helpdesk/web/views.js').TicketSummary;
  type Filters = import('../../../helpdesk/web/public/js/queue-filters.js').Filters;
  type Entry = import('../../../helpdesk/web/public/js/queue-diff.js').Entry;
  export interface List {
    order: Entry[];
    byId: Map<string, Entry>;
    cursor: string | null;
    boundary: Array<string | number> | null;
    total: number;
    totalAll: number;
    listNow: number;
    loaded: boolean;
    failed: { code: string; message: string } | null;
  }
  export interface Ctx { f: Filters; now: number | null }
  export type Op =
    | { type: 'page'; rows: Array<{ t: Summary; reuse: boolean }> }
    | { type: 'draw'; t: Summary; before: string | null; fresh: boolean }
    | { type: 'move'; id: string; before: string | null }
    | { type: 'drop'; id: string };
  export interface Step { list: List; ops: Op[] }
  /** the answer of GET /tickets, as far as the queue reads it */
  export interface Page { tickets: Summary[]; nextCursor: string | null; total: number; totalAll: number; now: number }
  export interface Remembered { key: string; f: Filters; tickets: Summary[]; cursor: string | null; boundary: List['boundary']; total: number; totalAll: number; listNow: number }
  export const PAGE: number;
  export const MAX_PAGE: number;
  export function emptyList(): List;
  export function put(list: List, t: Summary, ctx: Ctx, fresh: boolean): Step;
  export function live(list: List, t: Summary, ctx: Ctx): (Step & { ask: boolean }) | null;
  export function firstPage(list: List, data: Page, ctx: Ctx): Step;
  export function failedPage(list: List, error: { code: string; message: string }): List;
  export function nextPage(list: List, data: Page, ctx: Ctx): Step;
  export function counted(list: List, data: { total: number; totalAll: number }): List;
  export function retimed(list: List, ctx: Ctx): Step;
  export function remembered(list: List, f: Filters): Remembered;
  export function restored(last: Remembered, ctx: Ctx, known: (id: string) => Summary | undefined): Step;
  export function summary(list: List): { count: string; moreHidden: boolean; moreText: string; empty: 'failed' | 'none' | 'filtered' | null; failure: string | null };
  export function neighbour(list: List, selectedId: string | null, by: number): string | null;
  export function isLast(list: List, selectedId: string | null): boolean;
}
