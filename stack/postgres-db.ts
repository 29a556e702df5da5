/**
 * `--db postgres://…` for the helpdesk stack (docs/scale.md): the PostgreSQL mirror
 * (storage/postgres-mirror.ts) with the schema of every store the stack opens on its database. The
 * stores then open on the mirror's working copy, and the stack wraps the ones the helpdesk writes
 * through, so that each call's changes go to PostgreSQL right after it and a failed mirror stops them.
 *
 * A store added to the stack belongs in SCHEMA below too: its tables are then loaded from PostgreSQL
 * at start. (One that is missing is still mirrored from the moment it creates its tables, with a
 * warning, but a restart would not load its rows back.)
 */
import type { Logger } from 'pino';
import { openPostgresMirror, type PgMirror } from '../storage/postgres-mirror.js';
import { openSqliteCustomerStore } from '../helpdesk/customers/sqlite-store.js';
import { openSqliteBookingStore } from '../helpdesk/bookings/sqlite-store.js';
import { openSqliteSatisfactionStore } from '../helpdesk/dialogue/store.js';
import { openSqliteLoadStore } from '../helpdesk/loads/sqlite-store.js';
import { openSqliteProblemStore } from '../helpdesk/problems/sqlite-store.js';
import { openSqliteRegistryStore } from '../helpdesk/registry/index.js';
import { openStaffStore } from '../helpdesk/staff/store.js';
import { openPriceCache } from '../helpdesk/tariffs/cache.js';
import { openSqliteTelemetryStore } from '../helpdesk/telemetry/sqlite-store.js';
import { openSqliteStore } from '../helpdesk/tickets/sqlite-store.js';

export { isPostgresUrl, redactUrl } from '../storage/postgres.js';

/** every store on the helpdesk's database, opened (which runs its migrations) and closed again */
const SCHEMA: ReadonlyArray<(path: string) => { close(): void }> = [
  (path) => openSqliteStore({ path }),
  (path) => openStaffStore({ path, check: false }),
  (path) => openSqliteLoadStore({ path, check: false }),
  (path) => openSqliteTelemetryStore({ path, check: false }),
  (path) => openSqliteProblemStore({ path, check: false }),
  (path) => openSqliteCustomerStore({ path, check: false }),
  (path) => openSqliteBookingStore({ path, check: false }),
  (path) => openSqliteSatisfactionStore({ path, check: false }),
  (path) => openSqliteRegistryStore({ path, check: false }),
  (path) => openPriceCache({ path, check: false }),
];

export interface PostgresDbOptions {
  url: string;
  log: Logger;
  /** told once when PostgreSQL is lost for good (EVN_ERR_DB_WRITE) */
  onFailure: (err: Error) => void;
  /** ms a lost connection is retried; default 30000 */
  retryForMs?: number;
  /** the advisory lock's name (storage/postgres-mirror.ts); default one helpdesk a database */
  lockName?: string;
  /** stores of the caller's on the same database (a cluster worker's checkpoints): their tables are loaded too */
  schema?: ReadonlyArray<(path: string) => { close(): void }>;
  /** when changes go out (storage/postgres-mirror.ts); default after each store call */
  flushOn?: 'change' | 'demand';
}

/** Connects, brings PostgreSQL's schema up to date and loads it; throws EVN_ERR_DB_CONNECT / _LOCKED / _SCHEMA. */
export function openPostgresDb(options: PostgresDbOptions): Promise<PgMirror> {
  return openPostgresMirror({
    url: options.url,
    log: options.log,
    onFailure: options.onFailure,
    retryForMs: options.retryForMs,
    ...(options.lockName ? { lockName: options.lockName } : {}),
    ...(options.flushOn ? { flushOn: options.flushOn } : {}),
    schema: (path) => {
      for (const open of [...SCHEMA, ...(options.schema ?? [])]) open(path).close();
    },
  });
}
