/**
 * The one way to build a running helpdesk: its stores (tickets, staff, loads, telemetry, the device
 * registry) on one database, a broker (embedded aedes, or any broker by URL), the helpdesk itself and, if asked, the dashboard,
 * from one options object with defaults merged once. The CLI, the replay runner, the benches and the
 * test fixtures all build it here, so a new part is wired in one place.
 *
 * Everything that can fail for good happens before the helpdesk connects: stores opened and checked,
 * the embedded broker's and the dashboard's ports bound. A failure closes what was started and
 * throws a coded error (EVN_ERR_DB_*, EVN_ERR_MQTT_LISTEN, EVN_ERR_HTTP_LISTEN), so a helpdesk that
 * cannot work never takes its queue off the broker.
 */
import type { Logger } from 'pino';
import { createBroker, type BrokerOptions, type RunningBroker } from '../broker/server.js';
import type { Clock } from '../contracts/index.js';
import type { Directory } from '../helpdesk/directory.js';
import { createRegistry, openSqliteRegistryStore, type Registry, type RegistryOptions, type RegistryStore } from '../helpdesk/registry/index.js';
import { openSqliteLoadStore } from '../helpdesk/loads/sqlite-store.js';
import type { LoadStore } from '../helpdesk/loads/store.js';
import { openSqliteTelemetryStore, type SqliteTelemetryStoreOptions } from '../helpdesk/telemetry/sqlite-store.js';
import { openSqliteCustomerStore } from '../helpdesk/customers/sqlite-store.js';
import type { CustomerStore } from '../helpdesk/customers/store.js';
import type { TelemetryPolicy, TelemetryStore } from '../helpdesk/telemetry/store.js';
import type { Tariff } from '../helpdesk/schedule/tariff.js';
import { DEFAULT_TARIFF_CONFIG, type TariffConfig } from '../helpdesk/tariffs/config.js';
import { createTariffProvider, type TariffProviderDeps } from '../helpdesk/tariffs/create.js';
import { tariffProvider, type TariffProvider } from '../helpdesk/tariffs/provider.js';
import { createHelpdesk, type Helpdesk, type HelpdeskOptions } from '../helpdesk/service.js';
import type { NotifyConfig } from '../helpdesk/notify/notifier.js';
import { openStaffStore, type StaffStore, type StaffStoreOptions } from '../helpdesk/staff/store.js';
import { openSqliteStore } from '../helpdesk/tickets/sqlite-store.js';
import { openSqliteProblemStore } from '../helpdesk/problems/sqlite-store.js';
import { openSqliteBookingStore } from '../helpdesk/bookings/sqlite-store.js';
import { openSqliteSatisfactionStore } from '../helpdesk/dialogue/store.js';
import type { TicketStore } from '../helpdesk/tickets/store.js';
import { startDashboard, type DashboardOptions, type RunningDashboard } from '../helpdesk/web/server.js';
import { BUNDLED_TARIFF } from './paths.js';
import { isPostgresUrl, openPostgresDb } from './postgres-db.js';
import { codeTable } from '../contracts/errors.js';

export const STACK_ERR = codeTable({
  MQTT_LISTEN: 'EVN_ERR_MQTT_LISTEN',
  HTTP_LISTEN: 'EVN_ERR_HTTP_LISTEN',
});

/** what the helpdesk gets passed through as it is (see HelpdeskOptions) */
type HelpdeskTuning = Partial<Omit<HelpdeskOptions, 'brokerUrl' | 'directory' | 'registry' | 'tariff' | 'store' | 'loads' | 'telemetry' | 'telemetryPolicy' | 'clock' | 'log'>>;

export interface HelpdeskStackOptions {
  /**
   * a world (a scenario's customers, devices, stores, workshops) seeded into the registry on `db`
   * (idempotent: a restart with the same world writes nothing); without it the registry holds what it
   * held, and a fresh database starts empty
   */
  directory?: Directory;
  /**
   * how devices register (helpdesk/registry): `mode` defaults to 'trust-broker' when the stack starts
   * the embedded broker with `broker.auth` (it authenticates every device and binds it to its own
   * topics), else 'pending' (staff accept); give 'trust-broker' for an external broker that
   * authenticates its devices. `timeZone`: of customers created from an announce (default 'UTC').
   */
  registry?: Pick<RegistryOptions, 'mode' | 'timeZone' | 'maxPending'>;
  /** a registry store of the caller's instead of the one on `db` (a test breaking its database); the caller closes it */
  registryStore?: RegistryStore;
  clock: Clock;
  log: Logger;
  /** any MQTT broker; without it an embedded aedes is started (see `broker`) */
  brokerUrl?: string;
  /** a fleet's broker shards, traffic split by customer (contracts/partition.ts); instead of `brokerUrl` */
  brokerUrls?: readonly string[];
  /** the embedded broker's options; default 127.0.0.1, port 0 (any free port), the stack's log */
  broker?: BrokerOptions;
  /**
   * one database file for tickets, staff, loads and telemetry; default ':memory:'. Or a PostgreSQL URL
   * (postgres://user:password@host:port/database): the stores run on a working copy loaded from it and
   * mirrored to it (docs/scale.md); a database that cannot be reached is EVN_ERR_DB_CONNECT here
   */
  db?: string;
  /**
   * with a PostgreSQL `db`: ms a lost connection is retried before the helpdesk stops (EVN_ERR_DB_WRITE;
   * default 30000); the advisory lock's name (default one helpdesk a database; a cluster worker takes
   * one a partition); stores of the caller's on the same database, whose tables are then loaded too
   */
  postgres?: { retryForMs?: number; lockName?: string; schema?: ReadonlyArray<(path: string) => { close(): void }>; flushOn?: 'change' | 'demand' };
  /**
   * called once the stores are open, before the helpdesk is made: opens a store of the caller's on the
   * same database (`path`; `keep` wraps it so that what it changes reaches PostgreSQL too) and returns
   * helpdesk options that depend on it (a cluster worker's checkpoint to restore)
   */
  extend?: (db: { path: string; keep: <T extends object>(store: T) => T; onStop: (close: () => unknown) => void; flushed: () => Promise<void> }) => HelpdeskTuning;
  /** a ticket store of the caller's instead of the one on `db` (a test wrapping one to inject a fault); the caller closes it */
  ticketStore?: TicketStore;
  /**
   * the prices loads are planned on: a tariff (replays, tests), or a tariff provider's configuration
   * (helpdesk/tariffs/config.ts: a price file, an HTTP feed cached on `db`, fixed or time-of-use, fees,
   * a fallback); default the bundled 2020 day-ahead prices. The provider starts before the helpdesk
   * connects (a bad price file is EVN_ERR_TARIFF; a feed that fails is logged and falls back) and stops after it.
   */
  tariff?: Tariff | TariffConfig;
  /** the HTTP provider's timing (retry backoff, timer), for drills and tests */
  tariffTiming?: TariffProviderDeps['http'];
  /** serve the dashboard on host:port (port 0: any free one); default: no dashboard */
  dashboard?: Omit<DashboardOptions, 'helpdesk' | 'staff' | 'log' | 'tariff'>;
  /** client id, session, skew, limits, observers ... of the helpdesk */
  helpdesk?: HelpdeskTuning;
  staff?: Omit<StaffStoreOptions, 'path' | 'check'>;
  loads?: { keepPerDevice?: number };
  /** telemetry retention (event time: raw 48 h, one-minute aggregates 90 days), batching and chart bounds */
  telemetry?: Partial<TelemetryPolicy>;
  /** a telemetry store of the caller's instead of the one on `db` (a test breaking its database); the caller closes it */
  telemetryStore?: TelemetryStore;
  /** the telemetry connection's page cache (default 16 MB) and syncs ('off' only for a throw-away `db`: a replay's scratch file) */
  telemetryDb?: Pick<SqliteTelemetryStoreOptions, 'cacheMB' | 'sync'>;
  /** a customer store of the caller's instead of the one on `db`; the caller closes it */
  customerStore?: CustomerStore;
  /** connect and subscribe at start (default true); false leaves helpdesk.start() to the caller */
  connect?: boolean;
  /** with connect: move the watermark from the clock every second (a live helpdesk); default false */
  live?: boolean;
  /** notifications that leave evernet: a signed webhook, e-mail over SMTP (docs/customers.md); default off */
  notify?: NotifyConfig;
}

export interface HelpdeskStack {
  helpdesk: Helpdesk;
  /** the embedded broker, if the stack started one */
  broker: RunningBroker | null;
  /** the broker's URL ('' with a transport of the caller's) */
  brokerUrl: string;
  /** resolves when what the stores changed so far is stored for good (PostgreSQL: the mirror's flush; SQLite: at once) */
  flushed(): Promise<void>;
  dashboard: RunningDashboard | null;
  store: TicketStore;
  staff: StaffStore;
  loads: LoadStore;
  telemetry: TelemetryStore;
  /** the customers' consent, contacts, audit log and erasures (on `db`) */
  customers: CustomerStore;
  /** customers and devices (on `db`); the helpdesk reads it live */
  registry: Registry;
  /** where the prices come from: current() for the planner, status() for people */
  tariff: TariffProvider;
  /** stops what the stack started, in reverse order; safe to call twice */
  stop(): Promise<void>;
}

const DEFAULTS = { db: ':memory:', connect: true, live: false } as const;

/** Runs a listen(); a port that cannot be bound becomes an error with `code` that names it (and a hint, if given). */
export async function listening<T>(listen: () => Promise<T>, code: string, where: string, hint?: string): Promise<T> {
  try {
    return await listen();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? 'is in use by another process' : err.code === 'EACCES' ? 'may not be bound by this user' : `cannot be bound (${err.message})`;
    throw Object.assign(new Error(`${code}: ${where} ${why}${hint ? `: ${hint}` : ''}`), { code });
  }
}

export async function startHelpdeskStack(options: HelpdeskStackOptions): Promise<HelpdeskStack> {
  // an option given as undefined takes its default, as if it were not given
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as HelpdeskStackOptions;
  const o = { ...DEFAULTS, ...given };
  const closers: Array<() => unknown> = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    // a PostgreSQL URL: the stores open on a working copy loaded from it; what they change goes to it (docs/scale.md)
    let running: Helpdesk | null = null;
    // the owner hears of a fatal error once, whether the helpdesk or the database writer found it first
    let told = false;
    const ownerFatal = o.helpdesk?.onFatal;
    const onFatal = ownerFatal && ((err: Error) => void (told || ((told = true), ownerFatal(err))));
    const pgDb = isPostgresUrl(o.db)
      ? await openPostgresDb({
          url: o.db, log: o.log, retryForMs: o.postgres?.retryForMs, lockName: o.postgres?.lockName, schema: o.postgres?.schema, flushOn: o.postgres?.flushOn,
          // PostgreSQL lost for good: take no more messages (the stores throw from now on), tell the owner
          onFailure: (err) => {
            void running?.stop().catch(() => {});
            onFatal?.(err);
          },
        })
      : null;
    if (pgDb) {
      closers.push(() => pgDb.close());
      o.db = pgDb.path;
    }
    const keep = <T extends object>(s: T): T => (pgDb ? pgDb.wrap(s) : s);
    const store = keep(o.ticketStore ?? openSqliteStore({ path: o.db }));
    if (!o.ticketStore) closers.push(() => store.close());
    // the ticket store opened (and checked) the file just now, unless the caller brought its own
    const checked = !o.ticketStore;
    const staff = keep(openStaffStore({ ...o.staff, path: o.db, check: !checked }));
    closers.push(() => staff.close());
    const loads = keep(openSqliteLoadStore({ path: o.db, ...o.loads, check: !checked }));
    closers.push(() => loads.close());
    const telemetry = keep(o.telemetryStore ?? openSqliteTelemetryStore({ path: o.db, check: !checked, ...o.telemetryDb }));
    const problems = keep(openSqliteProblemStore({ path: o.db, check: !checked }));
    closers.push(() => problems.close());
    const customers = keep(o.customerStore ?? openSqliteCustomerStore({ path: o.db, check: !checked }));
    if (!o.customerStore) closers.push(() => customers.close());
    const bookings = keep(openSqliteBookingStore({ path: o.db, check: !checked }));
    closers.push(() => bookings.close());
    const satisfaction = keep(openSqliteSatisfactionStore({ path: o.db, check: !checked }));
    closers.push(() => satisfaction.close());
    if (!o.telemetryStore) closers.push(() => telemetry.close());
    const mode = o.registry?.mode ?? (!o.brokerUrl && o.broker?.auth ? 'trust-broker' : 'pending');
    const registry = createRegistry({ ...o.registry, mode, store: keep(o.registryStore ?? openSqliteRegistryStore({ path: o.db, check: !checked })), log: o.log });
    if (!o.registryStore) closers.push(() => registry.close());
    if (o.directory) registry.seed(o.directory, o.clock.now());
    if (o.live) {
      // staff may change the registry from another process (`evernet devices accept`): picked up within a second
      const poll = setInterval(() => {
        try {
          registry.refresh();
        } catch (e) {
          o.log.error({ code: (e as { code?: string }).code, err: (e as Error).message }, 'reading the registry failed');
        }
      }, 1000);
      closers.push(() => clearInterval(poll));
    }
    const tariff =
      o.tariff && 'eurPerMwh' in o.tariff
        ? tariffProvider(o.tariff)
        : createTariffProvider(o.tariff ?? DEFAULT_TARIFF_CONFIG, { clock: o.clock, log: o.log, db: o.db, checkDb: !checked, bundledPath: BUNDLED_TARIFF, http: o.tariffTiming });
    await tariff.start();
    closers.push(() => tariff.stop());
    const flushed = (): Promise<void> => (pgDb ? pgDb.flushed() : Promise.resolve());
    const extended = o.extend?.({ path: o.db, keep, onStop: (close) => closers.push(close), flushed }) ?? {};
    let broker: RunningBroker | null = null;
    // a transport of the caller's (a cluster worker on NATS) needs no broker
    if (!o.brokerUrl && !o.brokerUrls?.length && !o.helpdesk?.transport) {
      const bo: BrokerOptions = { port: 0, log: o.log, ...o.broker };
      const embedded = await listening(() => createBroker(bo).start(), STACK_ERR.MQTT_LISTEN, `${bo.host ?? '127.0.0.1'}:${bo.port}`);
      broker = embedded;
      closers.push(() => embedded.stop());
    }
    const brokerUrl = o.brokerUrls?.[0] ?? o.brokerUrl ?? broker?.url ?? '';
    // the caller's own `durable` (a cluster worker checkpoints first) wins over the database's flush
    const helpdesk = createHelpdesk({ ...(pgDb ? { durable: () => pgDb.flushed() } : {}), ...o.helpdesk, ...extended, ...(onFatal ? { onFatal } : {}), ...(o.notify ? { notify: o.notify } : {}), brokerUrl, ...(o.brokerUrls?.length ? { brokerUrls: o.brokerUrls } : {}), registry, tariff, store, loads, telemetry, problems, customers, bookings, satisfaction, telemetryPolicy: o.telemetry, clock: o.clock, log: o.log });
    running = helpdesk;
    let dashboard: RunningDashboard | null = null;
    if (o.dashboard) {
      const d = o.dashboard;
      const started = await listening(() => startDashboard({ ...d, helpdesk, staff, log: o.log, tariff }), STACK_ERR.HTTP_LISTEN, `${d.host ?? '127.0.0.1'}:${d.port ?? 8080}`);
      dashboard = started;
      closers.push(() => started.stop());
    }
    // stop() goes in reverse: the dashboard (its streams end), the helpdesk, the broker, the stores
    closers.splice(dashboard ? closers.length - 1 : closers.length, 0, () => helpdesk.stop());
    if (o.connect) await helpdesk.start({ live: o.live });
    return { helpdesk, broker, brokerUrl, flushed, dashboard, store, staff, loads, telemetry, registry, customers, tariff, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
