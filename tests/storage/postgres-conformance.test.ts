/**
 * The stores on PostgreSQL hold what they hold on SQLite: the same replay (every store the helpdesk
 * writes: tickets and timelines, registry, telemetry raw and minutes, loads, customers' consent and
 * contacts, problems ...) gives the same report and, table by table, the same rows in PostgreSQL as
 * in a SQLite file; a helpdesk started again on either reads the same tickets; the ticket store's
 * writes (open, save, replace) and reads (list, summaries, findOpen) agree after a restart.
 * Real PostgreSQL (tests/helpers/postgres.ts); skipped without it.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import { startHelpdeskStack } from '../../stack/helpdesk-stack.js';
import { contact, open, resolve, type Ticket } from '../../helpdesk/tickets/lifecycle.js';
import type { TicketStore } from '../../helpdesk/tickets/store.js';
import { ok } from '../helpers/ticket-store.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { openPostgresMirror } from '../../storage/postgres-mirror.js';
import { pgBinaries, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

const log = silentLogger();
const SCENARIO = path.join(__dirname, '../../scenarios/outage-drill.yaml');
/** a random key of each database's own (customers' pseudonyms): compared by presence, not value */
const OWN_PER_DATABASE = new Set(['customer_secret']);

/** every table of a SQLite file and the same tables in PostgreSQL, each ordered by its primary key */
async function bothSides(file: string, url: string) {
  const db = new Database(file, { readonly: true });
  const c = new pg.Client({ connectionString: url, types: { getTypeParser: ((oid: number, f: 'text') => (oid === 20 ? Number : pg.types.getTypeParser(oid, f))) as typeof pg.types.getTypeParser } });
  await c.connect();
  const out: Array<{ table: string; sqlite: unknown[]; postgres: unknown[] }> = [];
  try {
    const names = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'evernet_schema' ORDER BY name`).all();
    for (const { name } of names) {
      const info = db.pragma(`table_info("${name}")`) as Array<{ name: string; type: string; pk: number }>;
      const keyCols = info.filter((x) => x.pk > 0).sort((a, b) => a.pk - b.pk);
      const key = keyCols.map((x) => `"${x.name}"`);
      // both sides ordered by the key's bytes (PostgreSQL's collation may differ from SQLite's BINARY)
      const sqlite = db.prepare(`SELECT * FROM "${name}" ORDER BY ${key.join(', ')}`).all();
      const postgres = (await c.query(`SELECT * FROM "${name}" ORDER BY ${keyCols.map((x) => `"${x.name}"${/TEXT/i.test(x.type) ? ' COLLATE "C"' : ''}`).join(', ')}`)).rows;
      out.push({ table: name, sqlite, postgres });
    }
  } finally {
    db.close();
    await c.end();
  }
  return out;
}

describe.skipIf(!pgBinaries)('the stores on PostgreSQL and on SQLite', () => {
  const tmp = tempDirPerTest('evernet-pg-conformance-');
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  it('a replay gives the same report and the same rows, table by table; a restarted helpdesk reads the same', async () => {
    const file = tmp.join('helpdesk.db');
    const url = await server.createDatabase('replay');
    const onSqlite = await replay({ scenario: loadScenario(SCENARIO), log, dbPath: file });
    const onPostgres = await replay({ scenario: loadScenario(SCENARIO), log, dbPath: url });
    expect(JSON.stringify(onPostgres.report)).toBe(JSON.stringify(onSqlite.report));
    expect(onSqlite.report.tickets.length).toBeGreaterThan(0);

    const tables = await bothSides(file, url);
    expect(tables.map((t) => t.table)).toEqual(expect.arrayContaining(['tickets', 'timeline', 'registry_devices', 'telemetry_raw', 'telemetry_minute', 'loads', 'customer_consent']));
    for (const t of tables) {
      if (OWN_PER_DATABASE.has(t.table)) expect(t.postgres.length, t.table).toBe(t.sqlite.length);
      else expect(t.postgres, t.table).toEqual(t.sqlite);
    }
    expect(tables.find((t) => t.table === 'telemetry_raw')!.sqlite.length).toBeGreaterThan(1000);

    const clock = { now: () => Date.parse('2020-11-02T15:00:00+01:00') };
    const a = await startHelpdeskStack({ db: file, clock, log, connect: false });
    const b = await startHelpdeskStack({ db: url, clock, log, connect: false });
    try {
      expect(b.store.list()).toEqual(a.store.list());
      expect(b.store.summaries({ sort: 'severity', limit: 5 })).toEqual(a.store.summaries({ sort: 'severity', limit: 5 }));
      expect(b.registry.devices()).toEqual(a.registry.devices());
      expect(b.registry.customers()).toEqual(a.registry.customers());
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 240_000);

  it('the ticket store: open, save, replace and the reads agree after a restart', async () => {
    const T0 = Date.UTC(2020, 0, 15, 6, 30);
    const clock = { now: () => T0 };
    const work = (store: TicketStore): void => {
      const tickets: Ticket[] = [];
      for (let i = 0; i < 12; i++) {
        const sev = (['critical', 'high', 'medium', 'low'] as const)[i % 4]!;
        tickets.push(store.openIdempotent(ok(open({ incidentKey: `inc-${i}`, deviceId: `dev-${i % 3}`, customerId: `cust-${i % 2}`, kind: i % 2 ? 'fridge-warm' : 'battery-discharge', severity: sev, at: T0 + i * 60_000, evidence: { i, note: `é "quoted" \\ ${i}` }, proactive: i % 5 !== 0 }))).ticket);
      }
      for (const t of tickets.slice(0, 8)) store.save(ok(contact(t, { at: t.openedAt + 30_000, channel: 'app-push', text: `hello ${t.id}`, by: 'helpdesk' })));
      for (const t of tickets.slice(0, 3)) store.save(ok(resolve(store.get(t.id)!, { at: t.openedAt + 90_000, resolution: 'fixed', by: 'alice' })));
      // an erasure's pseudonymised copy replaces a ticket under another id
      const old = store.get(tickets[5]!.id)!;
      store.replace(old.id, { ...old, id: `${old.id}-x`, customerId: 'erased-1' });
    };
    const reads = (store: TicketStore) => ({
      list: store.list(),
      open: store.list({ state: 'opened' }),
      page: store.summaries({ sort: 'sla', order: 'asc', sla: { now: T0 + 3_600_000, minutes: { critical: 5, high: 15, medium: 60, low: 240 } }, limit: 4 }),
      byDevice: store.summaries({ deviceId: 'dev-1', sort: 'device' }),
      findOpen: store.findOpen('cust-1', 'dev-1', 'fridge-warm'),
    });
    const file = tmp.join('tickets.db');
    const url = await server.createDatabase('tickets');
    const results = [];
    for (const db of [file, url]) {
      const first = await startHelpdeskStack({ db, clock, log, connect: false });
      work(first.store);
      const before = reads(first.store);
      await first.stop();
      const second = await startHelpdeskStack({ db, clock, log, connect: false });
      const after = reads(second.store);
      await second.stop();
      expect(after).toEqual(before);
      results.push(after);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]!.list).toHaveLength(12);
  }, 60_000);

  it('loads a table larger than a page at start (pages by a composite primary key), every row as written', async () => {
    const url = await server.createDatabase('pages');
    const schema = (file: string) => {
      const db = new Database(file);
      db.exec('CREATE TABLE IF NOT EXISTS readings (device INTEGER NOT NULL, ts INTEGER NOT NULL, v TEXT NOT NULL, w REAL, b BLOB, PRIMARY KEY (device, ts)) WITHOUT ROWID');
      db.close();
    };
    const rows = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT * FROM readings ORDER BY device, ts').all();
      } finally {
        db.close();
      }
    };
    const first = await openPostgresMirror({ url, schema });
    const db = new Database(first.path);
    const put = first.wrap({
      all: () => {
        const insert = db.prepare('INSERT INTO readings (device, ts, v, w, b) VALUES (?, ?, ?, ?, ?)');
        db.transaction(() => {
          for (let d = 0; d < 5; d++) for (let i = 0; i < 500; i++) insert.run(d, 1_600_000_000_000 + i * 1000, `v"${d}'${i}\\é`, i / 7, i % 50 ? null : Buffer.from([d, i % 256, 0]));
        })();
      },
    });
    put.all();
    await first.flushed();
    const written = rows(first.path);
    db.close();
    await first.close();
    const second = await openPostgresMirror({ url, schema, loadPageRows: 300 });
    try {
      expect(second.stats().loadedRows).toBe(2500);
      expect(rows(second.path)).toEqual(written);
    } finally {
      await second.close();
    }
  }, 30_000);
});
