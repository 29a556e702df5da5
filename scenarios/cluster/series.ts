/**
 * The HTML report's series of a replay over the cluster (docs/scale.md, "A replay over the cluster"):
 * each partition's owner collects them for its own customers from its helpdesk, as the embedded
 * replay does from its one helpdesk (report-html/collect.ts), and answers them in pages (a partition's
 * charts are more than a NATS message carries); the runner puts them in the order one helpdesk would
 * have listed them: devices in the scenario's order, incidents and loads in the report's order of
 * tickets and loads.
 */
import { pageFrom, type Page } from '../../cluster/view-serve.js';
import type { ReportSeries } from '../report-html/collect.js';

export const SERIES_PARTS = ['devices', 'incidents', 'loads'] as const;
export type SeriesPart = (typeof SERIES_PARTS)[number];

/** what the runner asks a partition's owner for: one page of one part (customers: only theirs) */
export interface SeriesQuery {
  part: SeriesPart;
  offset: number;
  customers?: string[];
}

/** a page of a part; `next` the next page's offset, null on the last */
export type SeriesPage = Page<unknown, number>;

/** a page of one part, cut at maxBytes of JSON (at least one item) */
export function seriesPage(all: ReportSeries, q: Pick<SeriesQuery, 'part' | 'offset'>, maxBytes: number): SeriesPage {
  return pageFrom(all[q.part] as unknown[], q.offset, maxBytes);
}

export interface SeriesOrder {
  /** the scenario's devices, in its order */
  devices: ReadonlyArray<{ customerId: string; id: string }>;
  /** the report's tickets and loads, in its order */
  tickets: ReadonlyArray<{ id: string }>;
  loads: ReadonlyArray<{ customerId: string; offerId: string }>;
}

/** every partition's series in one, in the order of one helpdesk's */
export function mergeSeries(parts: readonly ReportSeries[], order: SeriesOrder): ReportSeries {
  const rank = <T>(keys: string[], key: (x: T) => string) => {
    const at = new Map(keys.map((k, i) => [k, i]));
    return (a: T, b: T): number => (at.get(key(a)) ?? Infinity) - (at.get(key(b)) ?? Infinity);
  };
  const devices = parts.flatMap((p) => p.devices).sort(rank(order.devices.map((d) => `${d.customerId}/${d.id}`), (d) => `${d.customerId}/${d.deviceId}`));
  const incidents = parts.flatMap((p) => p.incidents).sort(rank(order.tickets.map((t) => t.id), (i) => i.ticketId));
  const loads = parts.flatMap((p) => p.loads).sort(rank(order.loads.map((l) => `${l.customerId}/${l.offerId}`), (l) => `${l.customerId}/${l.offerId}`));
  return { devices, incidents, loads };
}
