import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../helpdesk/staff/password.js';
import { openStaffStore, STAFF_ERR } from '../../../helpdesk/staff/store.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';

describe('staff passwords', () => {
  it('are hashed with scrypt and a salt of their own, so equal passwords hash differently', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
  });

  it('never match a malformed stored hash', async () => {
    for (const bad of ['', 'plain', 'scrypt$1$2$3', 'md5$16384$8$1$c2FsdA==$aGFzaA==', 'scrypt$x$8$1$c2FsdA==$aGFzaA==', 'scrypt$16384$8$1$$']) {
      expect(await verifyPassword('pw', bad)).toBe(false);
    }
  });
});

describe('the staff store', () => {
  let wall = Date.UTC(2024, 0, 1);
  const staff = openStaffStore({ path: ':memory:', now: () => wall, sessionTtlMs: 3600_000 });
  afterAll(() => staff.close());

  it('adds accounts and verifies their passwords, names case-insensitively', async () => {
    expect(await staff.add('alice', 'correct horse battery')).toEqual({ ok: true });
    expect(await staff.verify('alice', 'correct horse battery')).toBe('alice');
    expect(await staff.verify('ALICE', 'correct horse battery')).toBe('alice');
    expect(await staff.verify('alice', 'wrong password')).toBeNull();
    expect(await staff.verify('nobody', 'correct horse battery')).toBeNull();
    expect(await staff.verify('bad name!', 'x')).toBeNull();
    expect(staff.names()).toEqual(['alice']);
  });

  it('refuses a second account of the same name, bad names and short passwords, with codes', async () => {
    expect(await staff.add('Alice', 'another password')).toMatchObject({ ok: false, error: { code: STAFF_ERR.EXISTS } });
    expect(await staff.add('', 'long enough')).toMatchObject({ ok: false, error: { code: STAFF_ERR.NAME } });
    expect(await staff.add('a b', 'long enough')).toMatchObject({ ok: false, error: { code: STAFF_ERR.NAME } });
    expect(await staff.add('bob', 'short')).toMatchObject({ ok: false, error: { code: STAFF_ERR.PASSWORD } });
  });

  it('creates sessions with random ids and CSRF tokens, finds them, and deletes them', () => {
    const a = staff.createSession('alice');
    const b = staff.createSession('alice');
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(a.id);
    expect(staff.session(a.id)).toMatchObject({ name: 'alice', csrf: a.csrf, expiresAt: wall + 3600_000 });
    staff.deleteSession(a.id);
    expect(staff.session(a.id)).toBeNull();
    expect(staff.session(b.id)).not.toBeNull();
    expect(staff.session('')).toBeNull();
    expect(staff.session('x'.repeat(5000))).toBeNull();
  });

  it('lets sessions expire after their time to live (wall time)', () => {
    const s = staff.createSession('alice');
    wall += 3600_000 - 1;
    expect(staff.session(s.id)).not.toBeNull();
    wall += 1;
    expect(staff.session(s.id)).toBeNull();
  });
});

describe('a staff store sharing the helpdesk database file', () => {
  it('keeps its own tables next to the tickets (WAL, two connections)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'evernet-staff-'));
    try {
      const file = path.join(dir, 'helpdesk.db');
      const tickets = openSqliteStore({ path: file });
      const staff = openStaffStore({ path: file });
      expect(await staff.add('carol', 'correct horse battery')).toEqual({ ok: true });
      expect(tickets.list()).toEqual([]);
      staff.close();
      const again = openStaffStore({ path: file });
      expect(await again.verify('carol', 'correct horse battery')).toBe('carol');
      again.close();
      tickets.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
