/**
 * The device registry on SQLite, in the helpdesk's database next to tickets, staff and loads (tables
 * of its own, version in `evernet_schema` as 'registry'). Lists (measures, extra, preferences, stock,
 * services) are JSON text; they are read whole at start and after another process changed something.
 * `registry_revision` holds one number every write moves on: a running helpdesk polls it (one indexed
 * read) to notice `evernet devices accept` or `evernet customers add` from another process.
 */
import { migrate, type Migration } from '../../storage/migrate.js';
import { guarded, openSqlite } from '../../storage/sqlite.js';
import type { Store } from '../assistant/shopping.js';
import type { Workshop } from '../directory.js';
import { CUSTOMER_STATES, DEVICE_STATES, isKind, ORIGINS, type CustomerRecord, type DeviceRecord, type RegistrySnapshot } from './records.js';
import type { RegistryChanges, RegistryStore } from './store.js';

export interface SqliteRegistryStoreOptions {
  /** the helpdesk's database file, or ':memory:' */
  path: string;
  /** check the file's pages at open (default true); false when another store has just checked the same file */
  check?: boolean;
}

const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE registry_customers (
      seq         INTEGER PRIMARY KEY AUTOINCREMENT,
      id          TEXT NOT NULL UNIQUE,
      name        TEXT NOT NULL,
      home_lat    REAL,
      home_lon    REAL,
      preferences TEXT NOT NULL,
      time_zone   TEXT,
      state       TEXT NOT NULL,
      origin      TEXT NOT NULL,
      created_at  INTEGER NOT NULL
    );
    CREATE TABLE registry_devices (
      seq              INTEGER PRIMARY KEY AUTOINCREMENT,
      customer_id      TEXT NOT NULL REFERENCES registry_customers (id),
      id               TEXT NOT NULL,
      kind             TEXT NOT NULL,
      name             TEXT NOT NULL,
      state            TEXT NOT NULL,
      origin           TEXT NOT NULL,
      measures         TEXT,
      extra            TEXT NOT NULL,
      report_every_s   INTEGER,
      source           TEXT,
      registered_at    INTEGER NOT NULL,
      last_announce_at INTEGER,
      decided_by       TEXT,
      decided_at       INTEGER,
      problem_code     TEXT,
      problem_detail   TEXT,
      problem_at       INTEGER,
      UNIQUE (customer_id, id)
    );
    CREATE TABLE registry_places (
      seq  INTEGER PRIMARY KEY AUTOINCREMENT,
      type TEXT NOT NULL CHECK (type IN ('store', 'workshop')),
      id   TEXT NOT NULL,
      body TEXT NOT NULL,
      UNIQUE (type, id)
    );
    CREATE TABLE registry_revision (one INTEGER PRIMARY KEY CHECK (one = 1), revision INTEGER NOT NULL);
    INSERT INTO registry_revision (one, revision) VALUES (1, 0);
    `),
  // a device's model or product line (helpdesk/problems groups tickets by it); NULL: unknown
  (db) => db.exec('ALTER TABLE registry_devices ADD COLUMN model TEXT'),
];

interface CustomerRow {
  id: string;
  name: string;
  home_lat: number | null;
  home_lon: number | null;
  preferences: string;
  time_zone: string | null;
  state: string;
  origin: string;
  created_at: number;
}

interface DeviceRow {
  customer_id: string;
  id: string;
  kind: string;
  name: string;
  state: string;
  origin: string;
  measures: string | null;
  extra: string;
  report_every_s: number | null;
  source: string | null;
  registered_at: number;
  last_announce_at: number | null;
  decided_by: string | null;
  decided_at: number | null;
  problem_code: string | null;
  problem_detail: string | null;
  problem_at: number | null;
  model: string | null;
}

function oneOf<T extends string>(values: readonly T[], v: string, what: string): T {
  if (!(values as readonly string[]).includes(v)) throw new Error(`registry: ${what} '${v}' is not one of ${values.join(', ')}`);
  return v as T;
}

function customerOf(r: CustomerRow): CustomerRecord {
  return {
    id: r.id,
    name: r.name,
    home: r.home_lat === null || r.home_lon === null ? null : { lat: r.home_lat, lon: r.home_lon },
    preferences: JSON.parse(r.preferences) as CustomerRecord['preferences'],
    timeZone: r.time_zone,
    state: oneOf(CUSTOMER_STATES, r.state, `state of customer ${r.id}`),
    origin: oneOf(ORIGINS, r.origin, `origin of customer ${r.id}`),
    createdAt: r.created_at,
  };
}

function deviceOf(r: DeviceRow): DeviceRecord {
  if (!isKind(r.kind)) throw new Error(`registry: device ${r.customer_id}/${r.id} has an unknown kind '${r.kind}'`);
  return {
    customerId: r.customer_id,
    id: r.id,
    kind: r.kind,
    name: r.name,
    state: oneOf(DEVICE_STATES, r.state, `state of device ${r.customer_id}/${r.id}`),
    origin: oneOf(ORIGINS, r.origin, `origin of device ${r.customer_id}/${r.id}`),
    measures: r.measures === null ? null : (JSON.parse(r.measures) as string[]),
    extra: JSON.parse(r.extra) as string[],
    reportEveryS: r.report_every_s,
    source: r.source as DeviceRecord['source'],
    registeredAt: r.registered_at,
    lastAnnounceAt: r.last_announce_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    problem: r.problem_code === null ? null : { code: r.problem_code as NonNullable<DeviceRecord['problem']>['code'], detail: r.problem_detail ?? '', at: r.problem_at ?? 0 },
    model: r.model,
  };
}

const customerRow = (c: CustomerRecord): CustomerRow => ({
  id: c.id, name: c.name, home_lat: c.home?.lat ?? null, home_lon: c.home?.lon ?? null, preferences: JSON.stringify(c.preferences),
  time_zone: c.timeZone, state: c.state, origin: c.origin, created_at: c.createdAt,
});

const deviceRow = (d: DeviceRecord): DeviceRow => ({
  customer_id: d.customerId, id: d.id, kind: d.kind, name: d.name, state: d.state, origin: d.origin,
  measures: d.measures === null ? null : JSON.stringify(d.measures), extra: JSON.stringify(d.extra), report_every_s: d.reportEveryS,
  source: d.source, registered_at: d.registeredAt, last_announce_at: d.lastAnnounceAt, decided_by: d.decidedBy, decided_at: d.decidedAt,
  problem_code: d.problem?.code ?? null, problem_detail: d.problem?.detail ?? null, problem_at: d.problem?.at ?? null, model: d.model,
});

/** INSERT ... ON CONFLICT DO UPDATE of every column but the key (the row keeps its place: seq) */
function upsert(table: string, columns: readonly string[], key: readonly string[]): string {
  const set = columns.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')}) ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set}`;
}

const CUSTOMER_COLUMNS = ['id', 'name', 'home_lat', 'home_lon', 'preferences', 'time_zone', 'state', 'origin', 'created_at'] as const;
const DEVICE_COLUMNS = [
  'customer_id', 'id', 'kind', 'name', 'state', 'origin', 'measures', 'extra', 'report_every_s', 'source', 'registered_at',
  'last_announce_at', 'decided_by', 'decided_at', 'problem_code', 'problem_detail', 'problem_at', 'model',
] as const;

export function openSqliteRegistryStore(options: SqliteRegistryStoreOptions): RegistryStore {
  const file = options.path;
  const db = openSqlite({ path: file, check: options.check ?? true });
  return guarded(file, db, () => {
    migrate(db, { name: 'registry', migrations: MIGRATIONS });
    const q = {
      customers: db.prepare<[], CustomerRow>(`SELECT ${CUSTOMER_COLUMNS.join(', ')} FROM registry_customers ORDER BY seq`),
      devices: db.prepare<[], DeviceRow>(`SELECT ${DEVICE_COLUMNS.join(', ')} FROM registry_devices ORDER BY seq`),
      places: db.prepare<[], { type: string; body: string }>('SELECT type, body FROM registry_places ORDER BY seq'),
      putCustomer: db.prepare(upsert('registry_customers', CUSTOMER_COLUMNS, ['id'])),
      putDevice: db.prepare(upsert('registry_devices', DEVICE_COLUMNS, ['customer_id', 'id'])),
      removeDevice: db.prepare<[string, string]>('DELETE FROM registry_devices WHERE customer_id = ? AND id = ?'),
      removeCustomer: db.prepare<[string]>('DELETE FROM registry_customers WHERE id = ?'),
      clearPlaces: db.prepare<[string]>('DELETE FROM registry_places WHERE type = ?'),
      putPlace: db.prepare<[string, string, string]>('INSERT INTO registry_places (type, id, body) VALUES (?, ?, ?)'),
      revision: db.prepare<[], { revision: number }>('SELECT revision FROM registry_revision WHERE one = 1'),
      bump: db.prepare('UPDATE registry_revision SET revision = revision + 1 WHERE one = 1'),
    };
    const revision = (): number => q.revision.get()!.revision;
    const write = db.transaction((ch: RegistryChanges): number => {
      for (const c of ch.customers ?? []) q.putCustomer.run(customerRow(c));
      for (const d of ch.devices ?? []) q.putDevice.run(deviceRow(d));
      for (const d of ch.removeDevices ?? []) q.removeDevice.run(d.customerId, d.id);
      for (const id of ch.removeCustomers ?? []) q.removeCustomer.run(id);
      const places: Array<['store' | 'workshop', Array<Store | Workshop> | undefined]> = [['store', ch.stores], ['workshop', ch.workshops]];
      for (const [type, list] of places) {
        if (!list) continue;
        q.clearPlaces.run(type);
        for (const p of list) q.putPlace.run(type, p.id, JSON.stringify(p));
      }
      q.bump.run();
      return revision();
    });
    return {
      load(): RegistrySnapshot & { revision: number } {
        const read = db.transaction(() => ({ customers: q.customers.all(), devices: q.devices.all(), places: q.places.all(), revision: revision() }));
        const r = read();
        return {
          revision: r.revision,
          customers: r.customers.map(customerOf),
          devices: r.devices.map(deviceOf),
          stores: r.places.filter((p) => p.type === 'store').map((p) => JSON.parse(p.body) as Store),
          workshops: r.places.filter((p) => p.type === 'workshop').map((p) => JSON.parse(p.body) as Workshop),
        };
      },
      write,
      revision,
      close: () => db.close(),
    };
  });
}
