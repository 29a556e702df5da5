/**
 * `--db postgres://…` at start: a wrong URL is one coded error before the helpdesk connects (so before
 * it acknowledges anything), with the password never shown; one helpdesk per database; what a stack
 * wrote is there for the next one. Real PostgreSQL (tests/helpers/postgres.ts); skipped without it.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../storage/sqlite.js';
import pg from 'pg';
import { silentLogger } from '../../log/logger.js';
import { startHelpdeskStack } from '../../stack/helpdesk-stack.js';
import { contact, open } from '../../helpdesk/tickets/lifecycle.js';
import { ok } from '../helpers/ticket-store.js';
import { evernetRun } from '../e2e/live/processes.js';
import { PG_PASSWORD, pgBinaries, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

const T0 = Date.UTC(2020, 0, 15, 6, 30);
const clock = { now: () => T0 };
const log = silentLogger();
const stackOn = (db: string) => startHelpdeskStack({ db, clock, log, connect: false });

describe.skipIf(!pgBinaries)('the helpdesk on PostgreSQL (--db postgres://…)', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  it('refuses a wrong URL with EVN_ERR_DB_CONNECT, saying why, never showing the password', async () => {
    const cases: Array<[string, RegExp]> = [
      [`postgres://postgres:${PG_PASSWORD}@127.0.0.1:1/postgres`, /cannot be reached \(ECONNREFUSED\)/],
      [`postgres://postgres:wrong-${PG_PASSWORD}@127.0.0.1:${server.port}/postgres`, /refused the credentials/],
      [`postgres://postgres:${PG_PASSWORD}@127.0.0.1:${server.port}/no_such_db`, /does not exist/],
      ['postgres://[not a host', /not a valid URL/],
    ];
    for (const [url, why] of cases) {
      const err = await stackOn(url).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(err, url).not.toBeNull();
      expect(err!.code).toBe('EVN_ERR_DB_CONNECT');
      expect(err!.message).toMatch(why);
      expect(err!.message).not.toContain(PG_PASSWORD);
    }
  });

  it('evernet staff add --db postgres://… adds an account a helpdesk finds; refused while a helpdesk holds the database', async () => {
    const url = await server.createDatabase('staffcli');
    const added = await evernetRun(['staff', 'add', 'carol', '--db', url, '--password-stdin'], 'correct horse battery\n');
    expect(added).toMatchObject({ code: 0 });
    const stack = await stackOn(url);
    try {
      expect(await stack.staff.verify('carol', 'correct horse battery')).toBe('carol');
      const busy = await evernetRun(['staff', 'add', 'dave', '--db', url, '--password-stdin'], 'correct horse battery\n');
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/EVN_ERR_DB_LOCKED/);
      expect(busy.stderr).not.toContain(PG_PASSWORD);
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it('keeps what a stack wrote for the next one, and lets one helpdesk at a time write a database', async () => {
    const url = await server.createDatabase('roundtrip');
    const first = await stackOn(url);
    const t = first.store.openIdempotent(
      ok(open({ incidentKey: 'inc-1', deviceId: 'car-1', customerId: 'cust-1', kind: 'battery-discharge', severity: 'high', at: T0, evidence: { v: 11.9 }, proactive: true })),
    ).ticket;
    const c = ok(contact(t, { at: T0 + 1000, channel: 'car-display', text: 'Hello', by: 'helpdesk' }));
    first.store.save(c);
    expect(await first.staff.add('alice', 'correct horse battery')).toEqual({ ok: true });
    const session = first.staff.createSession('alice');

    // a second helpdesk on the same database while the first runs
    await expect(stackOn(url)).rejects.toMatchObject({ code: 'EVN_ERR_DB_LOCKED' });
    await first.stop();

    // PostgreSQL holds the rows, in tables of the same names
    const c2 = new pg.Client({ connectionString: url });
    await c2.connect();
    const rows = await c2.query<{ id: string; state: string }>('SELECT id, state FROM tickets');
    const steps = await c2.query<{ step: string }>('SELECT step FROM timeline ORDER BY idx');
    const versions = await c2.query<{ name: string; version: number }>('SELECT name, version FROM evernet_schema ORDER BY name');
    await c2.end();
    expect(rows.rows).toEqual([{ id: c.id, state: 'contacted' }]);
    expect(steps.rows.map((r) => r.step)).toEqual(['opened', 'contacted']);
    expect(versions.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['user_version', 'staff', 'registry', 'telemetry', 'loads']));

    const second = await stackOn(url);
    try {
      expect(second.store.get(c.id)).toEqual(c);
      expect(await second.staff.verify('alice', 'correct horse battery')).toBe('alice');
      expect(second.staff.session(session.id)?.name).toBe('alice');
    } finally {
      await second.stop();
    }
  });
});

describe('a PostgreSQL URL where only a SQLite file will do', () => {
  it('is refused with EVN_ERR_DB_OPEN, and no file of that name is made', () => {
    expect(() => openSqlite({ path: 'postgres://u:secret@127.0.0.1:1/db' })).toThrowError(/EVN_ERR_DB_OPEN: this command works on a SQLite file/);
    expect(() => openSqlite({ path: 'postgres://u:secret@127.0.0.1:1/db' })).not.toThrowError(/secret/);
    expect(fs.existsSync('postgres:')).toBe(false);
  });
});
