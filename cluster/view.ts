/**
 * The dashboard's view of the whole cluster (docs/scale.md, "Running workers"): what the dashboard
 * reads of a helpdesk (helpdesk/web/deps.ts DashboardHelpdesk), over every partition, whichever
 * worker serves it.
 *
 * The dashboard reads synchronously (its stores answer at once), and another worker can only answer
 * over the network. So the view keeps a replica, as the PostgreSQL mirror keeps a working copy: every
 * partition's tickets (with timelines, bookings and satisfaction), problems, loads and devices, read
 * whole from the partition's owner at start and whenever the partition changes hands (view-serve.ts:
 * its epoch changed), and kept current by the partition's events as they happen, which the view then
 * hands to the dashboard's live stream. Devices (their last reading and time) are read again every
 * `syncEveryMs`. Reads answer from the replica: the queue is summarizeTickets (helpdesk/tickets/store.ts),
 * the same ordering and paging as the store's SQL.
 *
 * What changes a partition goes to its owner and waits for its answer: a staff action (act), a device
 * accepted or rejected, a customer's export or erasure, and the audit entry of a staff view; a telemetry
 * chart and a customer's consent and offers are read from the owner when asked for. On a partition this
 * process serves they run here, synchronously. What the view cannot do: a customer's export larger
 * than a NATS message carries (EVN_ERR_CLUSTER_VIEW, from the owner); a partition nobody serves right
 * now (a takeover in progress) is EVN_ERR_CLUSTER_UNSERVED.
 *
 * Problems are the cluster's: every partition's facts (what grouping needs of each ticket it opened)
 * and census (its devices per cause) are grouped as one helpdesk holding every ticket would group them
 * (helpdesk/problems/regroup.ts, view-problems.ts), again shortly after facts come, and a problem that
 * changed is told live. So one mass incident across partitions is one problem, with the ids of the
 * embedded run.
 *
 * Ids: tickets are unique across partitions (their incident key names the customer), and so are
 * problems (grouped here); loads are numbered per partition, so the view names them `id × P + p`.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { partitionOf, type Clock } from '../contracts/index.js';
import type { HelpdeskEvent, Listener } from '../helpdesk/events.js';
import type { LoadPage, LoadQuery, LoadRecord, LoadSummary } from '../helpdesk/loads/store.js';
import { pageLoads } from '../helpdesk/loads/page.js';
import type { TicketFact } from '../helpdesk/problems/group.js';
import type { ProblemFacts } from '../helpdesk/problems/regroup.js';
import type { ProblemQuery } from '../helpdesk/problems/store.js';
import type { Helpdesk } from '../helpdesk/service.js';
import type { StaffAction, StaffResult } from '../helpdesk/staff-actions.js';
import type { Ticket } from '../helpdesk/tickets/lifecycle.js';
import { summarizeTickets, type TicketListFilter, type TicketSummaryQuery } from '../helpdesk/tickets/store.js';
import type { DashboardHelpdesk } from '../helpdesk/web/deps.js';
import { HttpError } from '../helpdesk/web/errors.js';
import { createViewProblems } from './view-problems.js';
import { createViewWatch } from './view-watch.js';
import { partitionOfViewSubject, VIEW_ERR, viewSubject, type CustomerOp, type DeviceDecision, type FactsPage, type Page, type ViewEvent, type ViewQuery, type ViewReply, type ViewTicket, type ViewVerb } from './view-serve.js';

export { VIEW_ERR };

export interface ClusterViewOptions {
  partitions: number;
  /** the workers' group whose partitions it shows (cluster/worker.ts); default the default group */
  group?: string;
  clock: Clock;
  log: Logger;
  /** ms between reads of every partition's devices (and checks of its epoch); default 5000 */
  syncEveryMs?: number;
  /** ms an owner has to answer; default 3000 */
  requestTimeoutMs?: number;
}

export interface ClusterConnection {
  nc: NatsConnection;
  /** the helpdesk of a partition this process serves now */
  local(p: number): Helpdesk | undefined;
}

type Devices = ReturnType<Helpdesk['devices']>;
type Customers = NonNullable<DashboardHelpdesk['customers']>;

export type ClusterView = DashboardHelpdesk & {
  /** connects the view to the cluster and reads every partition once (those without an owner later) */
  start(connection: ClusterConnection): Promise<void>;
  stop(): void;
  /** reads every partition now (devices; whole when its epoch changed); resolves when done */
  sync(): Promise<void>;
  /** the partitions read at least once and served at the last look */
  served(): number[];
  /** a telemetry event of a partition this process serves, handed to the live stream (a device's live chart, the page's clock) */
  relay(e: Extract<HelpdeskEvent, { type: 'telemetry' }>): void;
  /** a live stream shows this device: its readings are asked of its partition's owner until the function returned is called (view-watch.ts) */
  watch(customerId: string, deviceId: string): () => void;
};

export function createClusterView(o: ClusterViewOptions): ClusterView {
  const P = o.partitions;
  const log = o.log.child({ component: 'cluster-view' });
  const timeout = o.requestTimeoutMs ?? 3000;
  let conn: ClusterConnection | null = null;
  const tickets = new Map<string, ViewTicket & { p: number }>();
  const grouping = createViewProblems({ stateOf: (id) => tickets.get(id)?.ticket.state, emit: (e) => emit(e), touched: (p) => touched.get(p) });
  const loads = new Map<number, LoadRecord>();
  const devices = new Map<number, Devices>();
  const epochs = new Map<number, string>();
  const unserved = new Set<number>();
  const listeners = new Set<Listener>();
  /** ids an event changed while a partition was read whole: kept even if the snapshot missed them */
  const touched = new Map<number, Set<string>>();
  let sub: Subscription | null = null;
  let readings: Subscription | null = null;
  const watching = createViewWatch({ partitionOf: (c) => partitionOf(c, P), emit: (e) => emit(e), send: (p, r) => void (conn && !conn.nc.isClosed() && conn.nc.publish(viewSubject(p, 'watch', o.group), JSON.stringify(r))) });
  let timer: NodeJS.Timeout | null = null;
  let syncing: Promise<void> | null = null;

  const loadId = (id: number, p: number): number => id * P + p;
  const version = (t: Ticket): number => t.timeline.length;

  const putTicket = (p: number, item: ViewTicket): void => {
    const had = tickets.get(item.ticket.id);
    if (had && version(had.ticket) > version(item.ticket)) return;
    tickets.set(item.ticket.id, { ...item, p });
    touched.get(p)?.add(`t:${item.ticket.id}`);
  };
  const putLoad = (p: number, l: LoadRecord): LoadRecord => {
    const named = { ...l, id: loadId(l.id, p) };
    loads.set(named.id, named);
    touched.get(p)?.add(`l:${named.id}`);
    return named;
  };

  async function ask<T>(p: number, verb: Exclude<ViewVerb, 'events'>, body: unknown): Promise<ViewReply<T> | null> {
    if (!conn) return null;
    try {
      const m = await conn.nc.request(viewSubject(p, verb, o.group), JSON.stringify(body), { timeout });
      return m.json<ViewReply<T>>();
    } catch (e) {
      // no responders (nobody serves it now) or no answer in time: the caller says so
      log.debug({ partition: p, verb, err: (e as Error).message }, 'no answer for the partition');
      return null;
    }
  }

  const emit = (e: HelpdeskEvent): void => {
    for (const l of listeners) {
      try {
        l(e);
      } catch (err) {
        log.error({ err, event: e.type }, 'cluster view listener failed');
      }
    }
  };

  function onEvent(p: number, e: ViewEvent): void {
    switch (e.type) {
      case 'ticket':
        putTicket(p, e.item);
        emit({ type: 'ticket', at: e.at, note: e.note, ticket: tickets.get(e.item.ticket.id)!.ticket });
        // a linked ticket's state is its problem's
        grouping.ticketChanged(e.item.ticket.id, e.at);
        return;
      case 'availability': {
        const row = devices.get(p)?.find((d) => d.customerId === e.customerId && d.deviceId === e.deviceId);
        if (row) row.online = e.online;
        return emit({ type: 'availability', at: e.at, customerId: e.customerId, deviceId: e.deviceId, online: e.online });
      }
      case 'load':
        return emit({ type: 'load', at: e.at, load: putLoad(p, e.load) });
      case 'fact':
        return grouping.put(p, e.share, e.at);
    }
  }

  /** every page of one kind from the partition's owner; null when it stopped answering (or another owner answered) */
  async function pages<T, C>(p: number, epoch: string, query: (next: C | undefined) => ViewQuery): Promise<T[] | null> {
    const out: T[] = [];
    let next: C | undefined;
    for (;;) {
      const r = await ask<Page<T, C>>(p, 'get', query(next));
      if (!r || !r.ok || r.epoch !== epoch) return null;
      out.push(...r.value.items);
      if (r.value.next === null) return out;
      next = r.value.next;
    }
  }

  /** every page of a partition's problem facts, with its census and options (the last page's) */
  async function factPages(p: number, epoch: string): Promise<ProblemFacts | null> {
    const facts: TicketFact[] = [];
    let offset: number | undefined;
    for (;;) {
      const r = await ask<FactsPage>(p, 'get', { what: 'problem-facts', ...(offset !== undefined ? { offset } : {}) });
      if (!r || !r.ok || r.epoch !== epoch) return null;
      facts.push(...r.value.items);
      if (r.value.next === null) return { facts, census: r.value.census, options: r.value.options };
      offset = r.value.next;
    }
  }

  /** the partition whole: what it holds replaces what the view held of it, but for what events brought meanwhile */
  async function readWhole(p: number, epoch: string): Promise<boolean> {
    const fresh = new Set<string>();
    touched.set(p, fresh);
    try {
      const ts = await pages<ViewTicket, (string | number)[]>(p, epoch, (after) => ({ what: 'tickets', ...(after ? { after } : {}) }));
      const ps = ts && (await factPages(p, epoch));
      const ls = ps && (await pages<LoadRecord, number>(p, epoch, (after) => ({ what: 'loads', ...(after !== undefined ? { after } : {}) })));
      if (!ts || !ps || !ls) return false;
      const keepT = new Set(ts.map((x) => x.ticket.id));
      for (const [id, x] of tickets) if (x.p === p && !keepT.has(id) && !fresh.has(`t:${id}`)) tickets.delete(id);
      for (const x of ts) putTicket(p, x);
      grouping.replace(p, ps, fresh, o.clock.now());
      const keepL = new Set(ls.map((x) => loadId(x.id, p)));
      for (const id of loads.keys()) if (id % P === p && !keepL.has(id) && !fresh.has(`l:${id}`)) loads.delete(id);
      for (const x of ls) putLoad(p, x);
      return true;
    } finally {
      touched.delete(p);
    }
  }

  async function syncPartition(p: number): Promise<void> {
    const r = await ask<Devices>(p, 'get', { what: 'devices' });
    if (!r || !r.ok) {
      if (!unserved.has(p)) log.warn({ partition: p, code: VIEW_ERR.UNSERVED }, 'no worker answers for the partition: the dashboard shows what it last read');
      unserved.add(p);
      return;
    }
    devices.set(p, r.value);
    if (epochs.get(p) !== r.epoch) {
      if (!(await readWhole(p, r.epoch))) return void unserved.add(p);
      epochs.set(p, r.epoch);
      log.info({ partition: p, worker: r.worker }, 'partition read whole');
    } else {
      // devices added or removed since the partition's last fact change what a cause's share of them is
      const c = await ask<Omit<ProblemFacts, 'facts'>>(p, 'get', { what: 'census' });
      if (c?.ok && c.epoch === r.epoch) grouping.census(p, c.value, o.clock.now());
    }
    unserved.delete(p);
  }

  const sync = (): Promise<void> =>
    (syncing ??= Promise.all(Array.from({ length: P }, (_, p) => syncPartition(p)))
      .then(() => undefined)
      .finally(() => (syncing = null)));

  /** the partition of a customer, and its helpdesk if this process serves it */
  const where = (customerId: string): { p: number; local: Helpdesk | undefined } => {
    const p = partitionOf(customerId, P);
    return { p, local: conn?.local(p) };
  };
  const unservedReason = (p: number): string => `no worker answers for partition ${p} now (a takeover takes a few seconds): try again`;
  const unservedError = (p: number): StaffResult => ({ ok: false, error: { code: VIEW_ERR.UNSERVED, reason: unservedReason(p) } });
  /**
   * The owner's answer, for what the dashboard awaits: nobody answering is EVN_ERR_CLUSTER_UNSERVED
   * (409), what the owner cannot send EVN_ERR_CLUSTER_VIEW (409), any other failure thrown with its code.
   */
  const fromOwner = <T>(p: number, verb: Exclude<ViewVerb, 'events'>, body: unknown): Promise<T> =>
    ask<T>(p, verb, body).then((r) => {
      if (!r) throw new HttpError(409, VIEW_ERR.UNSERVED, unservedReason(p));
      if (!r.ok) throw r.error.code === VIEW_ERR.UNSUPPORTED ? new HttpError(409, r.error.code, r.error.message) : Object.assign(new Error(r.error.message), { code: r.error.code });
      return r.value;
    });

  function loadsPage(q: LoadQuery & { slots: true }): LoadPage<LoadRecord>;
  function loadsPage(q?: LoadQuery & { slots?: false }): LoadPage<LoadSummary>;
  function loadsPage(q: LoadQuery & { slots?: boolean } = {}): LoadPage<LoadSummary> {
    const page = pageLoads(loads.values(), q);
    return q.slots ? page : { ...page, loads: page.loads.map(({ slots: _slots, ...s }): LoadSummary => s) };
  }

  /** an erased customer's tickets are replaced by pseudonymised copies without an event: the partition is read whole again */
  const forgetCustomer = (customerId: string, p: number): void => {
    for (const [id, x] of tickets) if (x.ticket.customerId === customerId) tickets.delete(id);
    for (const [id, l] of loads) if (l.customerId === customerId) loads.delete(id);
    epochs.delete(p);
    void sync();
  };
  /** a customer's data asked of their partition's owner */
  const remote = <T>(p: number, body: CustomerOp): Promise<T> => fromOwner<T>(p, 'customer', body);

  const customers: Customers = {
    consent: (customerId) => {
      const { p, local } = where(customerId);
      return local ? local.customers.consent(customerId) : remote(p, { op: 'consent', customerId });
    },
    offers: (customerId) => {
      const { p, local } = where(customerId);
      return local ? local.customers.offers(customerId) : remote(p, { op: 'offers', customerId });
    },
    export: (customerId, by, action) => {
      const { p, local } = where(customerId);
      return local ? local.customers.export(customerId, by, action) : remote(p, { op: 'export', customerId, by, action });
    },
    erase: (customerId, by, action) => {
      const { p, local } = where(customerId);
      const done = <R extends { ok: boolean }>(r: R): R => (r.ok && forgetCustomer(customerId, p), r);
      return local ? done(local.customers.erase(customerId, by, action)) : remote<ReturnType<Helpdesk['customers']['erase']>>(p, { op: 'erase', customerId, by, action }).then(done);
    },
    // a staff view of a customer's data is in their audit log before it is answered: the owner writes it
    audit: (customerId, by, action, detail) => {
      const { p, local } = where(customerId);
      if (local) return local.customers.audit(customerId, by, action, detail);
      return ask<null>(p, 'audit', { customerId, by, action, detail: detail ?? {} }).then((r) => {
        if (!r || !r.ok) throw Object.assign(new Error(`the audit entry for customer '${customerId}' was not written: ${r && !r.ok ? r.error.message : `no worker answers for partition ${p}`}`), { code: r && !r.ok ? r.error.code : VIEW_ERR.UNSERVED });
      });
    },
  };

  return {
    async start(connection) {
      conn = connection;
      // events first, then the partitions whole: an event that lands in between is kept by the version rule
      sub = connection.nc.subscribe(viewSubject('*', 'events', o.group), {
        callback: (err, m) => {
          if (err) return;
          const p = partitionOfViewSubject(m.subject);
          try {
            onEvent(p, m.json<ViewEvent>());
          } catch (e) {
            log.error({ partition: p, err: (e as Error).message }, 'a partition event the view could not read');
          }
        },
      });
      // the readings of devices a live stream shows; a partition served here hands its own on (relay)
      readings = connection.nc.subscribe(viewSubject('*', 'telemetry', o.group), {
        callback: (err, m) => void (!err && !conn?.local(partitionOfViewSubject(m.subject)) && watching.take(m.string())),
      });
      await sync();
      timer = setInterval(() => void sync(), o.syncEveryMs ?? 5000);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      grouping.stop();
      watching.stop();
      sub?.unsubscribe();
      readings?.unsubscribe();
      sub = readings = null;
      listeners.clear();
    },
    sync,
    relay: (e) => emit(e),
    watch: (customerId, deviceId) => watching.watch(customerId, deviceId),
    served: () => [...epochs.keys()].filter((p) => !unserved.has(p)).sort((a, b) => a - b),

    tickets: (filter?: TicketListFilter) =>
      [...tickets.values()]
        .map((x) => x.ticket)
        .filter((t) => (filter?.state === undefined || t.state === filter.state) && (filter?.deviceId === undefined || t.deviceId === filter.deviceId))
        .sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    ticketSummaries: (q?: TicketSummaryQuery) => summarizeTickets((function* () {
      for (const x of tickets.values()) yield x.ticket;
    })(), q),
    ticket: (id: string) => tickets.get(id)?.ticket ?? null,
    bookingOf: (id: string) => tickets.get(id)?.booking ?? null,
    satisfactionOf: (id: string) => tickets.get(id)?.satisfaction ?? null,
    devices: () => [...devices.keys()].sort((a, b) => a - b).flatMap((p) => devices.get(p)!),
    chart: (customerId, deviceId, from, to) => {
      const { p, local } = where(customerId);
      if (local) return local.chart(customerId, deviceId, from, to);
      // read from the partition's owner: its telemetry stays there (charts are asked for, readings are not sent around)
      return fromOwner<ReturnType<Helpdesk['chart']>>(p, 'get', { what: 'chart', customerId, deviceId, from, to } satisfies ViewQuery);
    },
    loads: loadsPage,
    problems: (q?: ProblemQuery) => grouping.list(q),
    problem: (id: string) => grouping.get(id),
    on: (l: Listener) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    now: () => o.clock.now(),
    decideDevice: (customerId, deviceId, verdict, by) => {
      const { p, local } = where(customerId);
      if (local) return local.decideDevice(customerId, deviceId, verdict, by);
      // decided by the partition's owner; its devices read again, so the answer's next read shows the decision
      return fromOwner<ReturnType<Helpdesk['decideDevice']>>(p, 'device', { customerId, deviceId, verdict, by } satisfies DeviceDecision).then(async (r) => {
        if (r.ok) {
          const rows = await ask<Devices>(p, 'get', { what: 'devices' });
          if (rows?.ok) devices.set(p, rows.value);
        }
        return r;
      });
    },
    act(ticketId: string, action: StaffAction, by: string): StaffResult | Promise<StaffResult> {
      const known = tickets.get(ticketId);
      if (!known) return { ok: false, error: { code: 'EVN_ERR_TICKET_NOT_FOUND', reason: `no ticket '${ticketId}'` } };
      const { p, local } = where(known.ticket.customerId);
      const applied = (r: StaffResult): StaffResult => {
        // read your own writes: the owner's answer is in the view before the event that says the same
        if (r.ok) putTicket(p, { ticket: r.ticket, booking: known.booking, satisfaction: known.satisfaction });
        return r;
      };
      if (local) return applied(local.act(ticketId, action, by));
      return ask<StaffResult>(p, 'act', { ticketId, action, by }).then((r) => {
        if (!r) return unservedError(p);
        if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
        return applied(r.value);
      });
    },
    customers,
  };
}
