/**
 * The helpdesk's brain, without I/O: takes validated messages in event-time order and decides.
 * telemetry -> detectors -> incidents; events -> loads, inventory, command results;
 * app requests -> recipe assistant. Everything it says goes to the outbox.
 */
import type { Logger } from 'pino';
import { deviceKey, ERR, type Decoded, type Item, type ReportMode } from '../contracts/index.js';
import { answerRecipe } from './assistant/shopping.js';
import { createDetection, type DetectionSettings } from './detect/detect.js';
import { createSilence, SILENCE_KIND } from './detect/silence.js';
import type { Directory } from './directory.js';
import type { Events } from './events.js';
import { createIncidents } from './incidents.js';
import type { GroupOptions } from './problems/group.js';
import { createProblems } from './problems/problems.js';
import type { ProblemStore } from './problems/store.js';
import { createStaffActions, type StaffAction, type StaffResult } from './staff-actions.js';
import { createTicketOps } from './ticket-ops.js';
import { createLoads, worthLogging } from './loads.js';
import { createMemoryLoadStore } from './loads/memory-store.js';
import { LOAD_ERR, type LoadPage, type LoadQuery, type LoadRecord, type LoadStore, type LoadSummary } from './loads/store.js';
import type { Outbox } from './outbox.js';
import { type Refusal, type Registry } from './registry/index.js';
import { worldRegistry } from './registry/world.js';
import { deviceRows } from './registry/rows.js';
import type { TariffInput } from './schedule/source.js';
import { evidenceWindow } from './telemetry/evidence.js';
import { createMemoryTelemetryStore } from './telemetry/memory-store.js';
import { createRecorder } from './telemetry/recorder.js';
import type { TelemetryPolicy, TelemetryStore } from './telemetry/store.js';
import type { Ticket } from './tickets/lifecycle.js';
import type { TicketStore } from './tickets/store.js';
import { codeTable } from '../contracts/errors.js';
import { createCustomers } from './customers/customers.js';
import { openSqliteCustomerStore } from './customers/sqlite-store.js';
import type { CustomerStore } from './customers/store.js';
import { createOffers, type OffersOptions } from './offers/offers.js';
import { seedConsent, type ConsentSeed } from './offers/seed.js';
import { createBookings } from './bookings/bookings.js';
import { openSqliteBookingStore } from './bookings/sqlite-store.js';
import type { BookingStore } from './bookings/store.js';
import { zoneOf } from './contact/choose-channel.js';
import { createDialogue } from './dialogue/dialogue.js';
import { openSqliteSatisfactionStore, type SatisfactionStore } from './dialogue/store.js';

export interface ShoppingRecord {
  at: number;
  customerId: string;
  requestId: string;
  recipe: string;
  missing: Item[];
  store: { id: string; name: string; distanceKm: number } | null;
  text: string;
}

export interface CoreDeps {
  /** the device registry (customers, devices, stores, workshops; helpdesk/registry) */
  registry?: Registry;
  /** without a registry: a fixed world, seeded into a registry in memory */
  directory?: Directory;
  tariff: TariffInput;
  store: TicketStore;
  outbox: Outbox;
  log: Logger;
  events: Events;
  /** where loads live (the open offer of each device stays in memory too); default createMemoryLoadStore() */
  loads?: LoadStore;
  limits?: CoreLimits;
  /** where telemetry is kept (openSqliteTelemetryStore on the helpdesk's database); default in memory (createMemoryTelemetryStore) */
  telemetry?: TelemetryStore;
  /** retention, batching and chart bounds of the telemetry (see TelemetryPolicy); `deferTelemetry` runs its due flush later (telemetry/deferred.ts) */
  telemetryPolicy?: Partial<TelemetryPolicy>;
  deferTelemetry?: (flush: () => void) => void;
  /** whose telemetry is recorded (default everyone's; a fleet replay's scratch database: the charted customers'). Detection sees all */
  recordTelemetryOf?: (customerId: string) => boolean;
  /** the general detector's and the silence watch's settings (docs/detection.md); defaults otherwise */
  detection?: DetectionSettings;
  /** where mass incidents (problems) live (openSqliteProblemStore on the helpdesk's database); default in memory */
  problems?: ProblemStore;
  /** how tickets are grouped into problems: window, threshold, area cell (helpdesk/problems/group.ts) */
  problemGrouping?: Partial<GroupOptions>;
  /** false: no grouping of this helpdesk's own tickets (a cluster's partition); default true */
  groupProblems?: boolean;
  /** the customers' consent, contacts and audit log (openSqliteCustomerStore on the helpdesk's database); default SQLite in memory */
  customers?: CustomerStore;
  /** the product-service chain's bookings (openSqliteBookingStore on the helpdesk's database); default SQLite in memory */
  bookings?: BookingStore;
  /** the satisfaction questions and scores (openSqliteSatisfactionStore on the helpdesk's database); default SQLite in memory */
  satisfaction?: SatisfactionStore;
  /** next-best offers: rules, the daily moment, expiry, usage recorded before (helpdesk/offers); defaults otherwise */
  offers?: OffersOptions;
  /** the consent customers had set before the helpdesk started (a scenario's `consent:`), applied once */
  consent?: readonly ConsentSeed[];
}

/**
 * Bounds of what the core keeps per device or customer beyond the directory-sized maps (one entry per
 * device: availability, driving, inventory, detector state, the newest reading; telemetry itself is
 * buffered up to TelemetryPolicy.maxBufferedRows and kept in the telemetry store).
 */
export interface CoreLimits {
  /** recipe answers kept per customer, oldest forgotten first (EVN_ERR_SHOPPING_EVICTED); default 100 */
  shoppingPerCustomer?: number;
  /** commands awaiting a device's result, oldest forgotten first (EVN_ERR_COMMAND_FORGOTTEN); default 10,000 */
  pendingCommands?: number;
}
export const DEFAULT_CORE_LIMITS: Required<CoreLimits> = { shoppingPerCustomer: 100, pendingCommands: 10_000 };

export const CORE_ERR = codeTable({
  SHOPPING_EVICTED: 'EVN_ERR_SHOPPING_EVICTED',
  COMMAND_FORGOTTEN: 'EVN_ERR_COMMAND_FORGOTTEN',
  LOADS_EVICTED: LOAD_ERR.EVICTED,
});

export function createCore(deps: CoreDeps) {
  const limits = { ...DEFAULT_CORE_LIMITS, ...deps.limits };
  const registry = deps.registry ?? worldRegistry(deps.directory, deps.log);
  const directory = registry.directory;
  let droppedCount = 0;
  const dropped = (customerId: string, deviceId: string, channel: string): void => {
    if (worthLogging(++droppedCount)) deps.log.warn({ code: ERR.UNKNOWN_DEVICE, customerId, deviceId, channel, dropped: droppedCount }, 'a message of a device removed or rejected after it arrived was not processed');
  };
  const detection = createDetection(undefined, deps.detection);
  const silence = createSilence(deps.detection?.silence);
  /** the devices that report by exception (their announce's `report`); the others report periodically */
  const reporting = new Map<string, ReportMode>();
  const driving = new Map<string, boolean>();
  const inventories = new Map<string, Item[]>();
  const shopping: ShoppingRecord[] = [];
  const shoppingPer = new Map<string, number>();
  let shoppingEvicted = 0;
  function remember(r: ShoppingRecord): void {
    const n = shoppingPer.get(r.customerId) ?? 0;
    if (n >= limits.shoppingPerCustomer) {
      shopping.splice(shopping.findIndex((x) => x.customerId === r.customerId), 1);
      if (worthLogging(++shoppingEvicted)) deps.log.warn({ code: CORE_ERR.SHOPPING_EVICTED, evicted: shoppingEvicted, customerId: r.customerId }, "a customer's oldest recipe answers were forgotten");
    } else shoppingPer.set(r.customerId, n + 1);
    shopping.push(r);
  }

  const drivingCar = (customerId: string): string | undefined => {
    const c = directory.customer(customerId);
    return c?.devices.find((d) => d.kind === 'car-battery' && driving.get(deviceKey(customerId, d.id)))?.id;
  };
  const recordOf = deps.recordTelemetryOf;
  const telemetry = createRecorder({ store: deps.telemetry ?? createMemoryTelemetryStore(), log: deps.log, policy: deps.telemetryPolicy, ...(deps.deferTelemetry ? { defer: deps.deferTelemetry } : {}) });
  const { events } = deps;
  const online = new Map<string, boolean>();
  const customerStore = deps.customers ?? openSqliteCustomerStore();
  if (deps.consent?.length) seedConsent(customerStore, deps.consent, 0);
  const customers = createCustomers({
    store: customerStore, registry, tickets: deps.store, telemetry, log: deps.log,
    online: (c, d) => online.get(deviceKey(c, d)),
    held: { of: (c) => heldOf(c), forget: (c) => forgetHeld(c) },
  });
  const bookings = createBookings({
    store: deps.bookings ?? openSqliteBookingStore(), directory, log: deps.log,
    zoneOf: (c) => { const p = directory.customer(c)?.preferences; return p ? zoneOf(p) : 'UTC'; },
  });
  const satisfaction = deps.satisfaction ?? openSqliteSatisfactionStore();
  const opsDeps = {
    store: deps.store, outbox: deps.outbox, directory, log: deps.log, drivingCar, consent: customers,
    chain: { offered: (...a: Parameters<typeof bookings.offer>) => { const b = bookings.offer(...a); return b ? bookings.view(b) : null; } },
    updateExtra: (t: Ticket, at: number) => dialogue.updateExtra(t, at),
    onTicket: (ticket: Ticket, at: number, note: string) => {
      // the ticket keeps the readings its chart shows, however long ago it was opened
      const w = evidenceWindow(ticket);
      telemetry.keep(ticket.id, deviceKey(ticket.customerId, ticket.deviceId), w.from, w.keepTo);
      events.emit({ type: 'ticket', at, ticket, note });
      // mass incidents: grouping reads the ticket, never changes it or holds back its contact
      problems.ticket(ticket, at, note);
    },
  };
  const ops = createTicketOps(opsDeps);
  const problems = createProblems({ store: deps.problems, grouping: deps.problemGrouping, ...(deps.groupProblems === false ? { group: false } : {}), directory, events, log: deps.log, ticketState: (id) => deps.store.get(id)?.state });
  const incidents = createIncidents({ ...opsDeps, maxPendingCommands: limits.pendingCommands }, ops);
  const staff = createStaffActions({ ...opsDeps, ops, track: incidents.track });
  const dialogue = createDialogue({ tickets: deps.store, ops, outbox: deps.outbox, directory, bookings, satisfaction, track: incidents.track, log: deps.log, recordContact: (r) => customers.recordContact(r) });
  const zoneOfCustomer = (customerId: string) => (): string => zoneOf(directory.customer(customerId)!.preferences);
  const offers = createOffers({ directory, customers: customerStore, tickets: deps.store, outbox: deps.outbox, log: deps.log, drivingCar, options: deps.offers });
  const loads = createLoads({ tariff: deps.tariff, outbox: deps.outbox, log: deps.log, store: deps.loads ?? createMemoryLoadStore(), onChange: (load, at) => events.emit({ type: 'load', at, load }) });

  /** what the core holds about a customer besides registry, tickets and telemetry: for the export */
  function heldOf(customerId: string): Record<string, unknown[]> {
    const mine = (key: string): boolean => key.startsWith(`${customerId}/`);
    return {
      loads: loads.pageWithSlots({ customerId, order: 'asc' }).loads,
      shopping: shopping.filter((r) => r.customerId === customerId).map((r) => ({ ...r })),
      bookings: bookings.list(customerId),
      satisfaction: satisfaction.list(customerId),
      inventory: [...inventories].filter(([key]) => mine(key)).map(([key, items]) => ({ deviceId: key.slice(customerId.length + 1), items })),
      offers: offers.of(customerId),
      usage: offers.usage.of(customerId),
    };
  }
  /** an erasure: loads, recipe answers, inventories and what is known of the devices' state go */
  function forgetHeld(customerId: string): Record<string, number> {
    const mine = (key: string): boolean => key.startsWith(`${customerId}/`);
    const before = shopping.length;
    for (let i = shopping.length - 1; i >= 0; i--) if (shopping[i]!.customerId === customerId) shopping.splice(i, 1);
    shoppingPer.delete(customerId);
    let inventory = 0;
    for (const key of [...inventories.keys()]) if (mine(key) && inventories.delete(key)) inventory++;
    for (const m of [online, driving]) for (const key of [...m.keys()]) if (mine(key)) m.delete(key);
    return { loads: loads.forget(customerId), shopping: before - shopping.length, inventories: inventory, bookings: bookings.forget(customerId), satisfaction: satisfaction.forget(customerId), ...offers.forget(customerId) };
  }

  /** one page of loads (newest first unless asked otherwise), how many match, and the next page's cursor */
  function loadsPage(q: LoadQuery & { slots: true }): LoadPage<LoadRecord>;
  function loadsPage(q?: LoadQuery & { slots?: false }): LoadPage<LoadSummary>;
  function loadsPage(q: LoadQuery & { slots?: boolean } = {}): LoadPage<LoadSummary> {
    const { slots, ...query } = q;
    return slots ? loads.pageWithSlots(query) : loads.page(query);
  }

  /**
   * Checks a contract-valid message against the registry on arrival, before it is buffered: an
   * announce registers its device; only active devices of the right kind pass (registry.admit).
   */
  const admit = (m: Decoded): Refusal | null => registry.admit(m);

  function handle(m: Decoded, now: number): void {
    const t = m.topic;
    if (t.scope === 'service') {
      if (m.channel === 'request') {
        const req = m.payload;
        const c = directory.customer(t.customerId);
        if (!c) return;
        // the customer answers a contact, or rates a resolved ticket (helpdesk/dialogue)
        // an answer to a next-best offer (a reply naming an offer, not a ticket: helpdesk/offers)
        if (req.type === 'reply' && req.offerId !== undefined && req.ticketId === undefined) return void deps.outbox.answer(c.id, now, offers.reply(c.id, req, req.ts));
        if (req.type === 'reply') return deps.outbox.answer(c.id, now, dialogue.reply(c.id, req, req.ts));
        if (req.type === 'satisfaction') return deps.outbox.answer(c.id, now, dialogue.satisfaction(c.id, req, req.ts));
        if (req.type !== 'recipe') {
          for (const a of customers.request(c.id, req, req.ts)) deps.outbox.answer(c.id, now, a);
          return;
        }
        const inventory = c.devices.filter((d) => d.kind === 'fridge').flatMap((d) => inventories.get(deviceKey(c.id, d.id)) ?? []);
        const a = answerRecipe({ recipe: req.recipe, inventory, stores: directory.stores, location: req.location });
        remember({ at: req.ts, customerId: c.id, requestId: req.requestId, recipe: req.recipe.name, ...a });
        deps.outbox.answer(c.id, now, { requestId: req.requestId, recipe: req.recipe.name, ...a });
      }
      return;
    }
    const key = t.key;
    // an announce did its work on arrival (registry.admit); in event-time order it says how a known device reports
    if (m.channel === 'announce') {
      if (!directory.deviceOf(t)) return;
      if (m.payload.report) reporting.set(key, m.payload.report);
      else reporting.delete(key);
      return void silence.declare(t.customerId, t.deviceId, m.payload.report);
    }
    // removed or rejected between arrival and now (staff, another process): counted there, dropped here
    const device = directory.deviceOf(t);
    if (!device) return void dropped(t.customerId, t.deviceId, m.channel);
    switch (m.channel) {
      case 'telemetry': {
        const tel = m.payload;
        if (tel.kind === 'car-battery') {
          driving.set(key, tel.readings.engineRunning);
          offers.usage.car(t.customerId, t.deviceId, zoneOfCustomer(t.customerId), tel.ts, tel.readings.engineRunning, tel.readings.speedKmh, key);
        }
        if (!recordOf || recordOf(t.customerId)) telemetry.add(key, tel.ts, tel.readings, tel.extra);
        if (events.size) events.emit({ type: 'telemetry', at: tel.ts, customerId: t.customerId, deviceId: t.deviceId, readings: tel.readings });
        incidents.signalAll(t.customerId, t.deviceId, detection.observe(key, tel, device, reporting.get(key), t), now);
        const back = silence.heard(t.customerId, t.deviceId, tel.ts, now, key, t);
        if (back) incidents.signal(t.customerId, t.deviceId, back, now);
        return;
      }
      case 'event': {
        const e = m.payload;
        if (e.type === 'inventory') inventories.set(key, e.items);
        else if (e.type === 'flex-offer') loads.offer(t.customerId, t.deviceId, e, now);
        else if (e.type === 'cycle') {
          loads.cycle(t.customerId, t.deviceId, e);
          if (e.state === 'finished') offers.usage.cycleFinished(t.customerId, t.deviceId, zoneOfCustomer(t.customerId), e.ts);
        }
        else if (e.type === 'command-result') incidents.commandResult(t.customerId, t.deviceId, e, e.ts);
        else if (e.type === 'crank') {
          offers.usage.crank(t.customerId, t.deviceId, zoneOfCustomer(t.customerId), e.ts, e.restVoltageV, e.minVoltageV);
          incidents.signalAll(t.customerId, t.deviceId, detection.observeEvent(key, device.kind, e.ts, e, device), now);
        }
        return;
      }
      case 'availability': {
        const a = m.payload;
        online.set(key, a.state === 'online');
        silence.availability(t.customerId, t.deviceId, a.state === 'online', a.reason, now);
        if (a.state === 'offline') driving.delete(key);
        events.emit({ type: 'availability', at: a.ts, customerId: t.customerId, deviceId: t.deviceId, online: a.state === 'online' });
        deps.log.info({ deviceId: t.deviceId, state: a.state, reason: a.reason }, 'availability');
        return;
      }
      default:
        return;
    }
  }

  /** the core's in-memory state, module by module, for a checkpoint (helpdesk/checkpoint.ts); the stores hold the rest */
  const snapshot = () => ({
    reporting: new Map(reporting), driving: new Map(driving), inventories: new Map(inventories), online: new Map(online), shopping: [...shopping], shoppingPer: new Map(shoppingPer),
    shoppingEvicted, droppedCount, detection: detection.snapshot(), silence: silence.snapshot(), telemetry: telemetry.snapshot(), incidents: incidents.snapshot(),
    problems: problems.snapshot(), offers: offers.snapshot(), loads: loads.snapshot(), customers: customers.snapshot(), registry: registry.snapshot(),
  });
  function restore(s: ReturnType<typeof snapshot>): void {
    for (const [mine, saved] of [[reporting, s.reporting], [driving, s.driving], [inventories, s.inventories], [online, s.online], [shoppingPer, s.shoppingPer]] as Array<[Map<string, unknown>, Map<string, unknown>]>) {
      for (const [k, v] of saved) mine.set(k, v);
    }
    shopping.push(...s.shopping); ({ shoppingEvicted, droppedCount } = s);
    detection.restore(s.detection); silence.restore(s.silence); telemetry.restore(s.telemetry); incidents.restore(s.incidents); problems.restore(s.problems);
    offers.restore(s.offers); loads.restore(s.loads); customers.restore(s.customers); registry.restore(s.registry);
  }

  return {
    admit,
    handle,
    snapshot,
    restore,
    /**
     * After a restart: carries on with tickets opened but not yet followed up (see incidents.resume),
     * and watches every device for silence from its newest stored reading, so one that went quiet
     * while the helpdesk was down is found, and an open device-offline ticket resolves when it is back.
     */
    resume: (now: number): Ticket[] => {
      for (const c of directory.customers) {
        for (const d of c.devices) {
          const last = telemetry.last(deviceKey(c.id, d.id));
          if (last) silence.seed(c.id, d.id, last.ts, deps.store.findOpen(c.id, d.id, SILENCE_KIND) !== null);
        }
      }
      problems.resume(now);
      return incidents.resume(now);
    },
    /** loads, newest first unless asked otherwise, paged by the store; with power sequences if asked */
    loads: loadsPage,
    /** how many entries the core's unbounded-by-directory collections hold (memory bounds, for tests and operators) */
    held: () => ({ openLoads: loads.open(), shopping: shopping.length, pendingCommands: incidents.pending() }),
    shopping: (): ShoppingRecord[] => shopping.map((s) => ({ ...s })),
    online: (customerId: string, deviceId: string): boolean | undefined => online.get(deviceKey(customerId, deviceId)),
    /** telemetry of one device between two event times, oldest first */
    history: (customerId: string, deviceId: string, from = Number.MIN_SAFE_INTEGER, to = Number.MAX_SAFE_INTEGER) => telemetry.range(deviceKey(customerId, deviceId), from, to),
    /** a chart of one device's telemetry between two event times: readings as sent or aggregates, at most maxPoints (telemetry/chart.ts) */
    chart: (customerId: string, deviceId: string, from: number, to: number, maxPoints?: number) => telemetry.chart(deviceKey(customerId, deviceId), from, to, maxPoints),
    /** event time moved: telemetry flushed and retention run when due; throws only if the database is broken */
    tick: (now: number): void => {
      telemetry.tick(now);
      // a price feed's refresh: open loads planned without full prices are planned again
      loads.tick(now);
      // bookings whose slot is over are done
      bookings.tick(now);
    },
    /**
     * the watermark moved to w: conditions that held long enough by then on the last readings of devices
     * reporting by exception, and devices silent or offline too long, open tickets (timed when the limit
     * passed; the customer is contacted at `now`)
     */
    watchSilence: (w: number, now: number): void => {
      // a device reporting by exception holds its last readings: what has held long enough by w is decided now
      for (const x of detection.tick(w)) {
        const [customerId, deviceId] = x.deviceKey.split('/') as [string, string];
        if (directory.device(customerId, deviceId)) incidents.signal(customerId, deviceId, x.signal, now);
      }
      for (const x of silence.tick(w, directory.device)) {
        // a silent car's last reading is stale: it shows no message on its display
        driving.delete(deviceKey(x.customerId, x.deviceId));
        incidents.signal(x.customerId, x.deviceId, x.signal, now);
      }
    },
    /** the watermark moved to w: unanswered offers expire, customers whose daily offer moment passed are decided on (helpdesk/offers) */
    decideOffers: (w: number, now: number): void => offers.tick(w, now),
    /** next-best offers: every one made or held back, per customer, and the rules (helpdesk/offers) */
    offers,
    /** which detectors run on a device and what the general detector watches (known after its first telemetry) */
    coverage: (customerId: string, deviceId: string) => detection.coverage(deviceKey(customerId, deviceId)),
    /** writes the buffered telemetry (final: the minutes still open too, on stop) */
    flushTelemetry: (final = false): void => telemetry.flush(final),
    telemetryStats: () => telemetry.stats(),
    /**
     * every device in the registry (active, pending, rejected) with its owner (and the owner's time
     * zone), kind, state, availability, last reading, when it was last heard and its last problem
     */
    devices: () => deviceRows(registry, { online: (key) => online.get(key), last: (key) => telemetry.last(key) }),
    /** staff accept or reject a device (pending, or changing their mind); its messages are processed from then on, or not */
    decideDevice: (customerId: string, deviceId: string, verdict: 'accept' | 'reject', by: string, now: number) =>
      verdict === 'accept' ? registry.accept(customerId, deviceId, by, now) : registry.reject(customerId, deviceId, by, now),
    registry,
    /** the customers' consent, export, erasure and audit log (helpdesk/customers) */
    customers,
    /** mass incidents: problems with their linked tickets (helpdesk/problems) */
    problems,
    /** the product-service chain's bookings, by offer time (helpdesk/bookings) */
    bookings: (customerId?: string) => bookings.list(customerId),
    /** a ticket's booking, if it has one */
    bookingOf: (ticketId: string) => bookings.forTicket(ticketId),
    /** the satisfaction questions asked and the scores given, by the time asked (helpdesk/dialogue) */
    satisfaction: (customerId?: string) => satisfaction.list(customerId),
    satisfactionOf: (ticketId: string) => satisfaction.get(ticketId),
    act: (ticketId: string, action: StaffAction, by: string, now: number): StaffResult => staff.act(ticketId, action, by, now),
  };
}
