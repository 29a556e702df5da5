/**
 * PostgreSQL going away under a running helpdesk (`--db postgres://…`): a restart (`pg_ctl restart`)
 * and a stop for a while are ridden out (writes retried on a new connection, nothing lost, no ticket
 * twice); one that lasts longer than the retries stops the helpdesk with EVN_ERR_DB_WRITE (the broker
 * connection closed, the owner told, every store call refused). Real PostgreSQL; skipped without it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { evernet, stopAll } from '../e2e/live/processes.js';
import mqtt from 'mqtt';
import Database from 'better-sqlite3';
import { openPostgresMirror } from '../../storage/postgres-mirror.js';
import { loadScenario } from '../../scenarios/load.js';
import { directoryOf } from '../../scenarios/directory.js';
import pg from 'pg';
import { startHelpdeskStack } from '../../stack/helpdesk-stack.js';
import { open } from '../../helpdesk/tickets/lifecycle.js';
import type { TicketStore } from '../../helpdesk/tickets/store.js';
import { ok } from '../helpers/ticket-store.js';
import { memoryLog } from '../helpers/memory-log.js';
import { until } from '../helpers/until.js';
import { pgBinaries, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

const T0 = Date.UTC(2020, 0, 15, 6, 30);
const clock = { now: () => T0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function openTicket(store: TicketStore, i: number): boolean {
  return store.openIdempotent(
    ok(open({ incidentKey: `inc-${i}`, deviceId: `car-${i % 7}`, customerId: 'cust-1', kind: 'battery-discharge', severity: 'high', at: T0 + i * 1000, evidence: { i }, proactive: true })),
  ).created;
}

async function countsIn(url: string): Promise<{ tickets: number; keys: number; entries: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ tickets: number; keys: number; entries: number }>(
      `SELECT (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(DISTINCT incident_key) FROM tickets)::int AS keys, (SELECT count(*) FROM timeline)::int AS entries`,
    );
    return r.rows[0]!;
  } finally {
    await c.end();
  }
}

describe.skipIf(!pgBinaries)('PostgreSQL restarted under a running helpdesk', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    server?.stop();
  });

  it('retries its writes on a new connection: every ticket once, none lost', async () => {
    const url = await server.createDatabase('restart');
    const { log, lines } = memoryLog('warn');
    const stack = await startHelpdeskStack({ db: url, clock, log, connect: false });
    try {
      for (let i = 0; i < 20; i++) openTicket(stack.store, i);
      // every connection is cut; the writer meets it on its next flush
      server.restart();
      for (let i = 20; i < 40; i++) openTicket(stack.store, i);
      // down for a while: flushes fail and are retried with backoff, the changes queue meanwhile
      server.stopServer();
      for (let i = 40; i < 60; i++) openTicket(stack.store, i);
      // the detector firing again for incidents already open: no second ticket
      for (let i = 0; i < 60; i += 3) expect(openTicket(stack.store, i)).toBe(false);
      await sleep(600);
      server.startServer();
      await until(async () => (await countsIn(url)).tickets === 60, 15_000, 'all 60 tickets in PostgreSQL');
      expect(await countsIn(url)).toEqual({ tickets: 60, keys: 60, entries: 60 });
      expect(lines.some((l) => l.code === 'EVN_ERR_DB_WRITE' && l.msg === 'PostgreSQL connection lost: retrying')).toBe(true);
      expect(lines.some((l) => l.level === 50)).toBe(false);
    } finally {
      await stack.stop();
    }
    // and a new helpdesk finds them all
    const again = await startHelpdeskStack({ db: url, clock, log, connect: false });
    try {
      expect(again.store.list()).toHaveLength(60);
    } finally {
      await again.stop();
    }
  }, 60_000);

  it('stops the helpdesk with EVN_ERR_DB_WRITE when PostgreSQL stays away longer than the retries', async () => {
    const url = await server.createDatabase('gone');
    const { log, lines } = memoryLog('warn');
    const fatal: Error[] = [];
    const stack = await startHelpdeskStack({ db: url, clock, log, postgres: { retryForMs: 800 }, helpdesk: { onFatal: (e) => fatal.push(e) } });
    try {
      openTicket(stack.store, 1);
      expect(stack.broker!.stats().clients).toBe(1);
      await until(async () => (await countsIn(url)).tickets === 1, 5000, 'the first ticket in PostgreSQL');
      server.stopServer();
      openTicket(stack.store, 2);
      await until(() => fatal.length > 0, 10_000, 'the helpdesk told it cannot go on');
      expect(fatal[0]).toMatchObject({ code: 'EVN_ERR_DB_WRITE' });
      expect(fatal[0]!.message).toMatch(/unreachable/);
      // the helpdesk has left the broker: it acknowledges nothing more
      await until(() => stack.broker!.stats().clients === 0, 5000, 'the helpdesk disconnected from the broker');
      // the owner is told once
      expect(fatal).toHaveLength(1);
      // nothing more is taken: every store call is refused with the same coded error
      expect(() => stack.store.list()).toThrowError(/EVN_ERR_DB_WRITE/);
      expect(() => openTicket(stack.store, 3)).toThrowError(/EVN_ERR_DB_WRITE/);
      expect(lines.some((l) => l.level === 60 || (l.level === 50 && l.code === 'EVN_ERR_DB_WRITE'))).toBe(true);
    } finally {
      server.startServer();
      await stack.stop();
    }
    // what was committed before is there; the helpdesk's last change was not acknowledged as stored
    expect((await countsIn(url)).tickets).toBe(1);
  }, 60_000);

  it('evernet helpdesk killed (kill -9): what it committed is there for the next one, which removes its working copy', async () => {
    const url = await server.createDatabase('killed');
    const world = path.join(__dirname, '../../scenarios/day-in-2020.yaml');
    const p = evernet(['helpdesk', '--db', url, '--world', world, '--http', '127.0.0.1:0', '--mqtt-port', '0', '--clock-start', '2020-11-02T08:00:00+01:00']);
    await p.waitFor(/evernet helpdesk: dashboard at/);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const devices = async () => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM registry_devices')).rows[0]!.n;
    try {
      await until(async () => (await devices()) === 3, 10_000, 'the world\'s 3 devices in PostgreSQL');
    } finally {
      await c.end();
    }
    const ownerOf = (dir: string): string | null => {
      try {
        return fs.readFileSync(path.join(os.tmpdir(), dir, 'owner.pid'), 'utf8');
      } catch {
        return null;
      }
    };
    const copies = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('evernet-pg-') && ownerOf(n) === String(p.child.pid));
    expect(copies()).toHaveLength(1);
    p.child.kill('SIGKILL');
    await p.exited;
    expect(copies()).toHaveLength(1);
    // the database's lock went with the killed session: the next helpdesk starts, finds the registry and clears the orphan
    const next = await startHelpdeskStack({ db: url, clock, log: silentLogger(), connect: false });
    try {
      expect(next.registry.devices()).toHaveLength(3);
      expect(copies()).toHaveLength(0);
    } finally {
      await next.stop();
    }
  }, 60_000);

  it('publishes what a window decided only once its changes are stored: a contact never leaves before its ticket', async () => {
    const url = await server.createDatabase('durable');
    const noon = { now: () => Date.parse('2020-11-02T12:00:00+01:00') };
    const directory = directoryOf(loadScenario(path.join(__dirname, '../../scenarios/day-in-2020.yaml')));
    const stack = await startHelpdeskStack({ db: url, clock: noon, log: silentLogger(), directory });
    const app = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'maria-watch' });
    const got: string[] = [];
    app.on('message', (topic) => got.push(topic));
    await app.subscribeAsync('evernet/v1/maria/#', { qos: 1 });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const steps = async (id: string) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM timeline WHERE ticket_id = $1', [id])).rows[0]!.n;
    try {
      const t = stack.store.openIdempotent(
        ok(open({ incidentKey: 'inc-maria', deviceId: 'car', customerId: 'maria', kind: 'battery-discharge', severity: 'high', at: noon.now(), evidence: {}, proactive: false })),
      ).ticket;
      await until(async () => (await steps(t.id)) === 1, 5000, 'the ticket in PostgreSQL');
      await c.end();
      server.stopServer();
      const r = stack.helpdesk.act(t.id, { type: 'contact', text: 'We saw your battery; may we help?' }, 'alice');
      expect(r.ok).toBe(true);
      await sleep(700);
      // PostgreSQL is away: the contact waits with the change that recorded it
      expect(got).toEqual([]);
      server.startServer();
      await until(() => got.length > 0, 15_000, 'the contact published');
      const c2 = new pg.Client({ connectionString: url });
      await c2.connect();
      try {
        expect((await c2.query<{ n: number }>('SELECT count(*)::int AS n FROM timeline WHERE ticket_id = $1', [t.id])).rows[0]!.n).toBeGreaterThan(1);
      } finally {
        await c2.end();
      }
    } finally {
      await c.end().catch(() => {});
      await app.endAsync();
      await stack.stop();
    }
  }, 60_000);

  it('a write PostgreSQL refuses (not a lost connection) stops at once with EVN_ERR_DB_WRITE, not retried', async () => {
    const url = await server.createDatabase('refused');
    const failures: Error[] = [];
    const mirror = await openPostgresMirror({
      url,
      schema: (file) => {
        const db = new Database(file);
        db.exec('CREATE TABLE counts (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
        db.close();
      },
      onFailure: (e) => failures.push(e),
    });
    const db = new Database(mirror.path);
    const store = mirror.wrap({ put: (id: number, n: number) => void db.prepare('INSERT OR REPLACE INTO counts (id, n) VALUES (?, ?)').run(id, n) });
    try {
      store.put(1, 41);
      await mirror.flushed();
      // SQLite keeps 1.5 in an INTEGER column; PostgreSQL's BIGINT refuses it
      store.put(2, 1.5);
      await expect(mirror.flushed()).rejects.toMatchObject({ code: 'EVN_ERR_DB_WRITE' });
      expect(failures).toHaveLength(1);
      expect(failures[0]!.message).toMatch(/PostgreSQL refused a write/);
      expect(mirror.stats().retries).toBe(0);
      expect(() => store.put(3, 3)).toThrowError(/EVN_ERR_DB_WRITE/);
    } finally {
      db.close();
      await mirror.close();
    }
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      expect((await c.query('SELECT id, n FROM counts')).rows).toEqual([{ id: '1', n: '41' }]);
    } finally {
      await c.end();
    }
  }, 30_000);

  it('a helpdesk whose database was taken over while it was away stops with EVN_ERR_DB_LOCKED and writes nothing more', async () => {
    const url = await server.createDatabase('takeover');
    const fatal: Error[] = [];
    const a = await startHelpdeskStack({ db: url, clock, log: silentLogger(), connect: false, postgres: { retryForMs: 800 }, helpdesk: { onFatal: (e) => fatal.push(e) } });
    let b: Awaited<ReturnType<typeof startHelpdeskStack>> | null = null;
    try {
      openTicket(a.store, 1);
      await until(async () => (await countsIn(url)).tickets === 1, 5000, "a's first ticket in PostgreSQL");
      // the restart ends a's session and its lock; b starts before a notices
      server.restart();
      b = await startHelpdeskStack({ db: url, clock, log: silentLogger(), connect: false });
      openTicket(a.store, 2);
      await until(() => fatal.length > 0, 10_000, 'a told it cannot go on');
      expect(fatal[0]).toMatchObject({ code: 'EVN_ERR_DB_LOCKED' });
      expect(() => a.store.list()).toThrowError(/EVN_ERR_DB_LOCKED/);
      expect((await countsIn(url)).tickets).toBe(1);
      // b, the owner now, writes as usual
      openTicket(b.store, 3);
      await until(async () => (await countsIn(url)).tickets === 2, 5000, "b's ticket in PostgreSQL");
    } finally {
      await a.stop();
      await b?.stop();
    }
  }, 60_000);
});
