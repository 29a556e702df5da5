/**
 * What a worker tells the cluster's dashboard about a partition it serves (docs/scale.md, "Running
 * workers"): the partition's helpdesk events, as they happen, on `evernet._cluster.view.<p>.events`,
 * and answers, on request, for what the dashboard's view (view.ts) reads and does:
 *
 *   evernet._cluster.view.<p>.get    {what: 'devices'} | {what: 'customers', offset?} | {what: 'chart', customerId, deviceId, from, to} | {what: 'tickets', after?} | {what: 'problem-facts', offset?} | {what: 'census'} | {what: 'loads', after?}
 *   evernet._cluster.view.<p>.act    {ticketId, action, by}: a staff action, applied by this partition's helpdesk
 *   evernet._cluster.view.<p>.audit  {customerId, by, action, detail}: a staff view of a customer's data, written to their audit log
 *   evernet._cluster.view.<p>.device {customerId, deviceId, verdict, by}: staff accept or reject a device, decided by this partition's helpdesk
 *   evernet._cluster.view.<p>.customer {op, customerId, by?, action?}: a customer's consent or offers read, their data exported or erased (op)
 *   evernet._cluster.view.<p>.registry {op, …}: a customer or device added to or removed from this partition's registry (`evernet customers|devices add|remove --cluster`)
 *   evernet._cluster.view.<p>.watch  {customerId, deviceId, forMs}: send this device's readings on `….telemetry` for a while (view-watch.ts)
 *
 * Only the worker that serves the partition subscribes, so whoever answers is its owner now. Every
 * answer carries `epoch`, new each time the partition is opened: a view that sees it change reads
 * the partition again whole (a takeover re-decides from a checkpoint). Telemetry events are sent only
 * for the devices a dashboard's live stream shows, while a view renews its lease on them (every reading
 * of every device would cross the cluster for a chart nobody may be looking at).
 *
 * Problems are the cluster's, not a partition's: one mass incident spans partitions. So a partition
 * does not send its own grouping but its share of the cluster's (helpdesk/problems/regroup.ts): what
 * grouping needs of each ticket it opens (a `fact` event) and how many of its devices share each cause
 * (its census, with every fact and every page); the view groups every partition's facts as one
 * helpdesk would.
 */
import { randomBytes } from 'node:crypto';
import { codeTable } from '../contracts/errors.js';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { addCustomer, addDevice, removeCustomer, removeDevice, type CustomerInput, type DeviceInput } from '../helpdesk/registry/index.js';
import type { Helpdesk } from '../helpdesk/service.js';
import type { StaffAction } from '../helpdesk/staff-actions.js';
import type { LoadRecord } from '../helpdesk/loads/store.js';
import type { ProblemFacts } from '../helpdesk/problems/regroup.js';
import type { Ticket } from '../helpdesk/tickets/lifecycle.js';
import { DEFAULT_GROUP } from './nats/subjects.js';
import { createWatched, type ViewReading, type WatchRequest } from './view-watch.js';

export type ViewVerb = 'events' | 'get' | 'act' | 'audit' | 'device' | 'customer' | 'registry' | 'watch' | 'telemetry';
/**
 * A partition's view subject, under its workers' group: two helpdesks on one NATS cluster (a live one
 * and a replay's workers, say) never answer or tell each other's views
 */
export const viewSubject = (p: number | '*', verb: ViewVerb, group: string = DEFAULT_GROUP): string => `evernet._cluster.${group}.view.${p}.${verb}`;
/** the partition of a view subject */
export const partitionOfViewSubject = (subject: string): number => Number(subject.split('.')[4]);

/** an answer stays well below NATS's default max_payload (1 MiB): pages are cut by size */
export const MAX_PAGE_BYTES = 512 * 1024;
/** an answer that cannot be paged (a customer's export) up to this size; larger is refused, coded */
export const MAX_REPLY_BYTES = 1024 * 1024 - 4096;

export const VIEW_ERR = codeTable({
  /** something the cluster's dashboard cannot do for a partition another worker serves (an answer too large to send) */
  UNSUPPORTED: 'EVN_ERR_CLUSTER_VIEW',
  /** no worker answers for the partition now (a takeover in progress, or every worker gone) */
  UNSERVED: 'EVN_ERR_CLUSTER_UNSERVED',
});

/** a ticket with what the dashboard shows beside it */
export interface ViewTicket {
  ticket: Ticket;
  booking: ReturnType<Helpdesk['bookingOf']>;
  satisfaction: ReturnType<Helpdesk['satisfactionOf']>;
}

export type ViewEvent = { epoch: string } & (
  | { type: 'ticket'; at: number; note: string; item: ViewTicket }
  | { type: 'availability'; at: number; customerId: string; deviceId: string; online: boolean }
  | { type: 'load'; at: number; load: LoadRecord }
  /** a ticket was opened: what grouping needs of it, with the partition's census and options (facts: that ticket's, or none) */
  | { type: 'fact'; at: number; share: ProblemFacts }
);

export type ViewQuery = { what: 'devices' } | { what: 'customers'; offset?: number } | { what: 'chart'; customerId: string; deviceId: string; from: number; to: number } | { what: 'tickets'; after?: (string | number)[] } | { what: 'problem-facts'; offset?: number } | { what: 'census' } | { what: 'loads'; after?: number };

export interface Page<T, C> {
  items: T[];
  next: C | null;
}

/** a page of a partition's problem facts: with its census and options on every page */
export type FactsPage = Page<ProblemFacts['facts'][number], number> & Omit<ProblemFacts, 'facts'>;

/** a customer of the partition's registry, with how many devices they have */
export type ViewCustomer = ReturnType<Helpdesk['registry']['customers']>[number] & { devices: number };

/** staff accept or reject a device (`evernet._cluster.view.<p>.device`) */
export interface DeviceDecision {
  customerId: string;
  deviceId: string;
  verdict: 'accept' | 'reject';
  by: string;
}

/** a customer's data asked of their partition's owner (`evernet._cluster.view.<p>.customer`) */
export type CustomerOp = { customerId: string } & ({ op: 'consent' | 'offers' } | { op: 'export' | 'erase'; by: string; action: string });

/** a change of the partition's registry by staff (`evernet._cluster.view.<p>.registry`): the owner checks the input as `--db` does */
export type RegistryOp =
  | { op: 'add-customer'; input: CustomerInput }
  | { op: 'remove-customer'; customerId: string; withDevices: boolean }
  | { op: 'add-device'; input: DeviceInput }
  | { op: 'remove-device'; customerId: string; deviceId: string };

/** the customer a registry change is about (whose partition's owner makes it) */
export const customerOfOp = (r: RegistryOp): string => (r.op === 'add-customer' ? r.input.id : r.op === 'add-device' ? r.input.customerId : r.customerId);

/** an answer: the value, or a coded error; always with the partition's epoch and who answered */
export type ViewReply<T> = { epoch: string; worker: string } & ({ ok: true; value: T } | { ok: false; error: { code: string; message: string } });

/** items while they fit in maxBytes (at least one) */
function bySize<T>(all: readonly T[], maxBytes: number): { items: T[]; cut: boolean } {
  const items: T[] = [];
  let bytes = 0;
  for (const x of all) {
    const n = Buffer.byteLength(JSON.stringify(x));
    if (items.length && bytes + n > maxBytes) return { items, cut: true };
    items.push(x);
    bytes += n;
  }
  return { items, cut: false };
}

/** the page of `all` from `offset` that fits in maxBytes (at least one item), and where the next starts */
export function pageFrom<T>(all: readonly T[], offset: number, maxBytes: number): Page<T, number> {
  const { items, cut } = bySize(all.slice(offset), maxBytes);
  return { items, next: cut ? offset + items.length : null };
}

export function servePartitionView(o: {
  nc: NatsConnection;
  partition: number;
  helpdesk: Helpdesk;
  worker: string;
  log: Logger;
  /** the workers' group (cluster/worker.ts); default the default group */
  group?: string;
  /** an answer's largest page; default MAX_PAGE_BYTES */
  maxPageBytes?: number;
  /** the largest answer sent; default MAX_REPLY_BYTES */
  maxReplyBytes?: number;
}): () => void {
  const { nc, helpdesk: h, partition: p } = o;
  const maxBytes = o.maxPageBytes ?? MAX_PAGE_BYTES;
  const epoch = randomBytes(6).toString('hex');
  const viewTicket = (t: Ticket): ViewTicket => ({ ticket: t, booking: h.bookingOf(t.id), satisfaction: h.satisfactionOf(t.id) });
  const publish = (e: ViewEvent): void => {
    if (!nc.isClosed()) nc.publish(viewSubject(p, 'events', o.group), JSON.stringify(e));
  };
  const watched = createWatched();
  const off = h.on((e) => {
    switch (e.type) {
      case 'ticket':
        publish({ epoch, type: 'ticket', at: e.at, note: e.note, item: viewTicket(e.ticket) });
        if (e.note === 'opened') publish({ epoch, type: 'fact', at: e.at, share: h.problemFacts([e.ticket]) });
        return;
      case 'availability':
        return publish({ epoch, type: 'availability', at: e.at, customerId: e.customerId, deviceId: e.deviceId, online: e.online });
      case 'load':
        return publish({ epoch, type: 'load', at: e.at, load: e.load });
      case 'telemetry':
        // a device a dashboard shows live (view-watch.ts)
        if (watched.wants(e.customerId, e.deviceId, performance.now()) && !nc.isClosed()) {
          nc.publish(viewSubject(p, 'telemetry', o.group), JSON.stringify({ epoch, at: e.at, customerId: e.customerId, deviceId: e.deviceId, readings: e.readings } satisfies ViewReading));
        }
        return;
      case 'problem': // the partition's own grouping: the view groups every partition's facts instead
        return;
    }
  });

  const get = (q: ViewQuery): unknown => {
    switch (q.what) {
      case 'devices':
        return h.devices();
      case 'chart':
        return h.chart(q.customerId, q.deviceId, q.from, q.to);
      case 'customers': {
        const all = h.registry.customers().map((c): ViewCustomer => ({ ...c, devices: h.registry.devicesOf(c.id).length }));
        return pageFrom(all, q.offset ?? 0, maxBytes);
      }
      case 'tickets': {
        const page = h.ticketSummaries({ sort: 'opened', order: 'asc', limit: 200, ...(q.after ? { after: q.after as [number, string] } : {}) });
        const all = page.tickets.flatMap((s) => {
          const t = h.ticket(s.id);
          return t ? [viewTicket(t)] : [];
        });
        const { items, cut } = bySize(all, maxBytes);
        const last = items[items.length - 1]?.ticket;
        return { items, next: (cut || page.next) && last ? [last.openedAt, last.id] : null } satisfies Page<ViewTicket, (string | number)[]>;
      }
      case 'census': {
        const { census, options } = h.problemFacts([]);
        return { census, options } satisfies Omit<ProblemFacts, 'facts'>;
      }
      case 'problem-facts': {
        const { facts, census, options } = h.problemFacts();
        return { ...pageFrom(facts, q.offset ?? 0, maxBytes), census, options } satisfies FactsPage;
      }
      case 'loads': {
        const page = h.loads({ order: 'asc', limit: 200, slots: true, ...(q.after !== undefined ? { after: q.after } : {}) });
        const { items, cut } = bySize(page.loads, maxBytes);
        const last = items[items.length - 1];
        return { items, next: (cut || page.next !== null) && last ? last.id : null } satisfies Page<LoadRecord, number>;
      }
    }
  };

  const answer = (m: Msg, value: () => unknown): void => {
    let reply: ViewReply<unknown>;
    try {
      reply = { epoch, worker: o.worker, ok: true, value: value() };
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'EVN_ERR_INTERNAL';
      o.log.error({ partition: p, code, err: (e as Error).message, subject: m.subject }, 'answering the cluster view failed');
      reply = { epoch, worker: o.worker, ok: false, error: { code, message: (e as Error).message } };
    }
    let json = JSON.stringify(reply);
    // more than a NATS message carries (a large export): said, not lost in a timeout
    if (Buffer.byteLength(json) > (o.maxReplyBytes ?? MAX_REPLY_BYTES)) {
      const message = `the answer is ${(Buffer.byteLength(json) / 1048576).toFixed(1)} MB, more than a message between workers carries: ask the worker that serves partition ${p} (${o.worker}), on its own dashboard`;
      o.log.warn({ partition: p, code: VIEW_ERR.UNSUPPORTED, subject: m.subject }, message);
      json = JSON.stringify({ epoch, worker: o.worker, ok: false, error: { code: VIEW_ERR.UNSUPPORTED, message } } satisfies ViewReply<unknown>);
    }
    m.respond(json);
  };
  const on = (verb: ViewVerb, handle: (body: never) => unknown): Subscription =>
    nc.subscribe(viewSubject(p, verb, o.group), {
      callback: (err, m) => {
        if (err) return;
        answer(m, () => handle(m.json<never>()));
      },
    });
  const subs = [
    on('get', (q: ViewQuery) => get(q)),
    on('act', (b: { ticketId: string; action: StaffAction; by: string }) => h.act(b.ticketId, b.action, b.by)),
    on('device', (b: DeviceDecision) => h.decideDevice(b.customerId, b.deviceId, b.verdict, b.by)),
    on('customer', (b: CustomerOp) => {
      const c = h.customers;
      switch (b.op) {
        case 'consent':
          return c.consent(b.customerId);
        case 'offers':
          return c.offers(b.customerId);
        case 'export':
          return c.export(b.customerId, b.by, b.action);
        case 'erase':
          return c.erase(b.customerId, b.by, b.action);
      }
    }),
    on('registry', (b: RegistryOp) => {
      switch (b.op) {
        case 'add-customer':
          return addCustomer(h.registry, b.input, h.now());
        case 'remove-customer':
          return removeCustomer(h.registry, b.customerId, { withDevices: b.withDevices });
        case 'add-device':
          return addDevice(h.registry, b.input, h.now());
        case 'remove-device':
          return removeDevice(h.registry, b.customerId, b.deviceId);
      }
    }),
    on('watch', (b: WatchRequest) => void watched.watch(b, performance.now())),
    on('audit', (b: { customerId: string; by: string; action: string; detail: Record<string, unknown> }) => {
      h.customers.audit(b.customerId, b.by, b.action, b.detail);
      return null;
    }),
  ];
  return () => {
    off();
    for (const s of subs) s.unsubscribe();
  };
}
