/**
 * The helpdesk service: a transport (MQTT by default, helpdesk/transport/: ingest receives, the
 * outbox publishes; one connection a broker shard when a fleet's traffic is split by customer), the
 * core in between, and an event-time watermark. In a replay the runner moves the watermark (`advance`);
 * live, `start({ live })` moves it every second from the injected clock.
 *
 * The connection is a persistent session by default (clean: false, a fixed client id): while the
 * helpdesk is away (restart, network, crash) the broker queues its QoS 1 messages and delivers them
 * when it is back; sequence numbers drop the copies it had already seen. If the broker lost the
 * session (no persistence, or a new broker), the helpdesk subscribes again on reconnect. On start it
 * carries on with tickets a previous process opened but did not get to follow up (incidents.resume).
 */
import { encode, ERR, type Decoded } from '../contracts/index.js';
import { isFatalStorageError } from '../storage/sqlite.js';
import { createDeferral } from './telemetry/deferred.js';
import { fromCheckpoint, toCheckpoint, type HelpdeskCheckpoint } from './checkpoint.js';
import { createCore } from './core.js';
import { createEvents } from './events.js';
import type { StaffAction, StaffResult } from './staff-actions.js';
import { createIngest } from './ingest/ingest.js';
import { createOutbox, type OutMessage } from './outbox.js';
import { createMqttTransport } from './transport/mqtt.js';
import type { HelpdeskTransport } from './transport/transport.js';
import { createNotifier } from './notify/notifier.js';
import type { TicketStore, TicketSummaryQuery } from './tickets/store.js';
import type { Ticket } from './tickets/lifecycle.js';
import { TELEMETRY_ERR } from './telemetry/store.js';
import type { ProblemQuery } from './problems/store.js';
import type { HelpdeskOptions } from './service-options.js';

export type { HelpdeskOptions } from './service-options.js';

/** how far (ms) a message's event time may run ahead of the helpdesk's clock, unless told otherwise */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;

export function createHelpdesk(options: HelpdeskOptions) {
  const { log, clock } = options;
  const restored = options.restore ? fromCheckpoint(options.restore) : null;
  // event time at start names this session's commands (deterministic in a replay, new after a restart); a restored helpdesk goes on with its checkpoint's
  const outbox = createOutbox({ session: restored ? (restored.outbox.session ?? undefined) : `${Math.max(0, Math.floor(clock.now())).toString(36)}${options.commandIdSuffix ?? ''}` });
  const events = createEvents(log);
  const deferral = createDeferral({ fatal: (e) => fatal(e), onError: (e) => log.error({ err: e }, 'a deferred telemetry write failed') });
  const core = createCore({ registry: options.registry, directory: options.directory, tariff: options.tariff, store: options.store, loads: options.loads, outbox, log, events, limits: options.limits, telemetry: options.telemetry, telemetryPolicy: options.telemetryPolicy, ...(options.deferTelemetryWrites ? { deferTelemetry: (f: () => void) => deferral.defer(f) } : {}), ...(options.recordTelemetryOf ? { recordTelemetryOf: options.recordTelemetryOf } : {}), detection: options.detection, problems: options.problems, problemGrouping: options.problemGrouping, groupProblems: options.groupProblems, customers: options.customers, bookings: options.bookings, satisfaction: options.satisfaction, offers: options.offers, consent: options.consent });
  const maxSkewMs = options.maxClockSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const notifier = options.notify
    ? createNotifier({ config: options.notify, clock, store: options.store, log, addressOf: (c) => core.registry.directory.customer(c)?.preferences.email })
    : null;
  // a message from the future would wait for the watermark forever (and pin its sender's sequence)
  const admit = (d: Decoded) => {
    if (d.payload.ts > clock.now() + maxSkewMs) {
      return { code: ERR.CLOCK_SKEW, reason: `event time ${new Date(d.payload.ts).toISOString()} is more than ${maxSkewMs / 1000} s ahead of the helpdesk's clock` };
    }
    try {
      return core.admit(d);
    } catch (e) {
      // the registry writes on arrival (an announce, a new unknown device): a broken database stops the helpdesk
      if (isFatalStorageError(e)) {
        fatalQuietly(e); // not thrown into the MQTT client's message handler
      } else log.error({ err: e }, 'admitting a message failed');
      return { code: ERR.INTERNAL, reason: `internal error: ${(e as Error).message}` };
    }
  };
  const ingest = createIngest({ log, admit, ...(options.countReceivedThrough ? { countThrough: true } : {}) });
  const brokerUrls = options.brokerUrls?.length ? options.brokerUrls : options.brokerUrl ? [options.brokerUrl] : [];
  if (!options.transport && !brokerUrls.length) throw new Error('createHelpdesk: a brokerUrl or a transport is needed');
  const transport: HelpdeskTransport =
    options.transport ??
    createMqttTransport({ brokerUrls, log, clientId: options.clientId, cleanSession: options.cleanSession, subscribeQos: options.subscribeQos, reconnectPeriodMs: options.reconnectPeriodMs, credentials: options.credentials });
  /** connected: between start and stop, before a fatal error */
  let connected = false;
  /** start() has run (in this process, or in the one whose checkpoint this helpdesk was restored from) */
  let started = false;
  let timer: NodeJS.Timeout | null = null;
  let published = 0;
  let watermark = -Infinity;
  let failed: Error | null = null;
  /** with options.durable: the publishes waiting for the database, in order, and their batches (a checkpoint carries them) */
  let publishing: Promise<void> = Promise.resolve();
  const waiting: OutMessage[][] = [];
  /** restored: what the checkpointed helpdesk had decided but not yet published (its database had them already) */
  let unsent: OutMessage[] = [];
  if (restored) {
    ({ watermark, published } = restored.service);
    started = restored.service.started;
    unsent = restored.service.unsent;
    ingest.restore(restored.ingest);
    outbox.restore(restored.outbox);
    core.restore(restored.core);
  }

  /** stops taking messages at once (no more acknowledgements), then tells the owner */
  function fatal(err: Error): void {
    if (failed) return;
    failed = err;
    if (timer) clearInterval(timer);
    timer = null;
    connected = false;
    transport.abort();
    log.fatal({ code: (err as { code?: string }).code, err: err.message }, 'the helpdesk cannot go on: disconnected from the broker');
    if (options.onFatal) options.onFatal(err);
    else throw err;
  }

  /** fatal() where it must not throw (without onFatal it does): the caller reports the error */
  function fatalQuietly(e: unknown): void {
    try {
      fatal(e as Error);
    } catch { /* the caller's */ }
  }

  /** a read that flushes telemetry first: a broken database found there stops the helpdesk too (then the error is thrown) */
  function guarded<T>(read: () => T): T {
    try {
      return read();
    } catch (e) {
      if (isFatalStorageError(e) && !failed) fatal(e as Error);
      throw e;
    }
  }

  /** publishes what the core said; each message is checked against the contract on the way out (few, and a miss is a bug) */
  function flush(): void {
    const batch = outbox.take();
    if (!batch.length) return;
    published += batch.length;
    if (!options.durable) return send(batch);
    const durable = options.durable;
    waiting.push(batch);
    // a database that fails has stopped the helpdesk already (its owner is told): these are not sent
    publishing = publishing.then(durable).then(
      () => void (waiting.shift(), failed || send(batch)),
      () => void waiting.shift(),
    );
  }
  function send(batch: readonly OutMessage[]): void {
    for (const m of batch) {
      if (connected) transport.publish(m.topic, encode(m.topic, m.payload), m.retain);
      notifier?.published(m.topic, m.payload);
    }
  }

  return {
    async start(opts: { live?: boolean } = {}): Promise<void> {
      notifier?.start();
      // the store is read before the broker sees us: a store that fails here fails before anything is acknowledged;
      // a restored helpdesk's state is its checkpoint's, on the database as it was then: nothing to resume
      const resumed = restored?.service.started ? [] : core.resume(clock.now());
      if (restored) log.info({ watermark: options.restore!.watermark }, 'restored from a checkpoint');
      started = true;
      await transport.start((topic, payload) => ingest.accept(topic, payload));
      connected = true;
      // decided before the checkpoint, waiting for the database then: sent now, first (a copy may have left before: at least once)
      send(unsent.splice(0));
      if (resumed.length) log.info({ tickets: resumed.map((t) => t.id) }, 'tickets resumed after a restart');
      flush();
      if (opts.live) {
        const lateness = options.allowedLatenessMs ?? 2000;
        timer = setInterval(() => this.advance(clock.now() - lateness), 1000);
      }
    },
    /** Processes every buffered message with event time <= w, in event-time order, and publishes the outcome. */
    advance(w: number): void {
      deferral.rethrow();
      if (w <= watermark || failed) return;
      watermark = w;
      const now = clock.now();
      for (const m of ingest.drain(w)) {
        try {
          core.handle(m, now);
        } catch (e) {
          // a broken database is not a bug in one message: stop before more messages are acknowledged
          if (isFatalStorageError(e)) return fatal(e as Error);
          // a bug must not take the helpdesk down: count it and go on
          ingest.reject(ERR.INTERNAL, m.topic.scope === 'device' ? m.topic.deviceId : m.topic.customerId, `internal error: ${(e as Error).message}`);
          log.error({ err: e }, 'message handling failed');
        }
        options.onProcessed?.(m);
      }
      // telemetry is written in batches: due by size or event time; a broken database stops the helpdesk
      try {
        core.tick(now);
      } catch (e) {
        if (isFatalStorageError(e)) return fatal(e as Error);
        throw e;
      }
      // silence is judged at the watermark: every message up to it has been processed
      try {
        core.watchSilence(w, now);
      } catch (e) {
        if (isFatalStorageError(e)) return fatal(e as Error);
        log.error({ code: ERR.INTERNAL, err: e }, 'the silence watch failed');
      }
      // next-best offers at their moment, in event time: every message up to w is in the customer's profile
      try {
        core.decideOffers(w, now);
      } catch (e) {
        if (isFatalStorageError(e)) return fatal(e as Error);
        log.error({ code: ERR.INTERNAL, err: e }, 'deciding offers failed');
      }
      flush();
    },
    /**
     * Everything in memory later decisions depend on, as plain JSON (helpdesk/checkpoint.ts); between advance() calls it
     * changes nothing (buffered telemetry is carried, not written). On the database as it is, createHelpdesk({ restore }) goes on.
     */
    checkpoint(): HelpdeskCheckpoint {
      if (failed) throw failed;
      return toCheckpoint({ service: { watermark, published, started, unsent: waiting.flat() }, ingest: ingest.snapshot(), outbox: outbox.snapshot(), core: core.snapshot() });
    },
    /** resolves once n messages have reached the helpdesk */
    received: (n: number, through?: number): Promise<void> => ingest.received(n, through),
    commandCount: (): number => outbox.commandCount(),
    commandCountFor: (customerId: string, deviceId: string): number => outbox.commandCountFor(customerId, deviceId),
    /** the devices commanded since the last call, with their counts so far (device key, count) */
    takeCommanded: (): Array<[string, number]> => outbox.takeCommanded(),
    stats: () => ({ ...ingest.stats(), published }),
    loads: core.loads,
    held: core.held,
    devices: core.devices,
    /** staff accept or reject a device now (event time from the clock); see helpdesk/registry */
    decideDevice: (customerId: string, deviceId: string, verdict: 'accept' | 'reject', by: string) => core.decideDevice(customerId, deviceId, verdict, by, clock.now()),
    registry: core.registry,
    /** the customer side (helpdesk/customers) in event time: consent (read-only), export, erasure, staff views' audit, the offers' check */
    customers: {
      consent: (customerId: string) => guarded(() => core.customers.consent(customerId)),
      export: (customerId: string, by: string, action: string) => guarded(() => core.customers.export(customerId, by, action, clock.now())),
      erase: (customerId: string, by: string, action: string) => guarded(() => core.customers.erase(customerId, by, action, clock.now())),
      audit: (customerId: string, by: string, action: string, detail: Record<string, unknown> = {}) => guarded(() => core.customers.audit({ customerId, at: clock.now(), by, action, detail })),
      auditOf: (customerId: string) => core.customers.auditOf(customerId),
      mayOffer: (...a: Parameters<typeof core.customers.mayOffer>) => core.customers.mayOffer(...a),
      /** one customer's next-best offers with their reasons and outcomes, oldest first (helpdesk/offers) */
      offers: (customerId: string) => core.offers.of(customerId),
    },
    /** mass incidents, newest first: each problem with its linked tickets and their states */
    problems: (q?: ProblemQuery) => core.problems.list(q),
    /** bookings of the product-service chain, by offer time; a ticket's booking (helpdesk/bookings) */
    bookings: core.bookings,
    bookingOf: core.bookingOf,
    /** satisfaction questions asked and scores given, by the time asked; a ticket's (helpdesk/dialogue) */
    satisfaction: core.satisfaction,
    satisfactionOf: core.satisfactionOf,
    /** every next-best offer made or held back, by time then customer (helpdesk/offers) */
    offers: () => core.offers.list(),
    /** a problem; the problem a ticket is linked to (null: none) */
    problem: (id: string) => core.problems.get(id),
    /** this helpdesk's share of grouping its tickets with other places' (a cluster's partitions: helpdesk/problems/regroup.ts) */
    problemFacts: (tickets?: Iterable<Ticket>) => core.problems.facts(tickets ?? options.store.list()),
    problemOf: (ticketId: string) => core.problems.problemOf(ticketId),
    /** one device's readings as sent (what retention kept) between two event times, oldest first */
    history: (...a: Parameters<typeof core.history>) => guarded(() => core.history(...a)),
    /** one device's telemetry for a chart: readings or aggregates, bounded (helpdesk/telemetry/chart.ts) */
    chart: (...a: Parameters<typeof core.chart>) => guarded(() => core.chart(...a)),
    telemetryStats: core.telemetryStats,
    tickets: (filter?: Parameters<TicketStore['list']>[0]) => options.store.list(filter),
    /** one page of ticket summaries (no timelines), filtered and ordered in SQL, with the total */
    ticketSummaries: (q?: TicketSummaryQuery) => options.store.summaries(q),
    ticket: (id: string) => options.store.get(id),
    /** every notification attempt (webhook, e-mail) with its outcome and code, oldest first; empty when notify is off */
    notifications: () => notifier?.attempts() ?? [],
    /** subscribe to ticket, availability, telemetry and load events; returns the unsubscribe function */
    on: events.on,
    /** A staff member acts on a ticket now (event time from the clock); what it says is published at once. */
    act(ticketId: string, action: StaffAction, by: string): StaffResult {
      const r = core.act(ticketId, action, by, clock.now());
      flush();
      return r;
    },
    shopping: core.shopping,
    online: core.online,
    /** the helpdesk's current event time (its injected clock), e.g. for SLA countdowns on the dashboard */
    now: (): number => clock.now(),
    async stop(): Promise<void> {
      deferral.cancel();
      if (timer) clearInterval(timer);
      timer = null;
      // what was processed is stored, the minutes still open included; a broken database is reported as in advance()
      let broken: unknown = null;
      if (!failed) {
        try {
          core.flushTelemetry(true);
        } catch (e) {
          if (!isFatalStorageError(e)) throw e;
          broken = e;
          fatalQuietly(e); // thrown again below, once the connection is closed
        }
        const unsaved = core.telemetryStats().buffered;
        if (unsaved) log.error({ code: TELEMETRY_ERR.DROPPED, readings: unsaved }, 'telemetry not stored at stop: the database refused it');
      }
      await publishing;
      if (connected) await transport.stop();
      connected = false;
      await notifier?.stop();
      if (broken && !options.onFatal) throw broken;
    },
  };
}
export type Helpdesk = ReturnType<typeof createHelpdesk>;
