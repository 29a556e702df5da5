/**
 * The one SQLite opener: files created 0600 (with their -wal and -shm), a damaged file refused at
 * open with a code naming it, and every store that keeps a file on disk opening through it: the
 * helpdesk's tickets and staff, the broker's state, a device's outbox.
 */
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { createBroker } from '../../broker/server.js';
import { openSqliteOutboxStore } from '../../devices/outbox/sqlite-store.js';
import { openStaffStore } from '../../helpdesk/staff/index.js';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import { isFatalStorageError, openSqlite, STORAGE_ERR } from '../../storage/sqlite.js';

const tmp = tempDirPerTest('evernet-sqlite-');

const modeOf = (file: string): number => statSync(file).mode & 0o777;

/** a database of ~100 KB, its WAL checkpointed into the file */
function filled(file: string): void {
  const db = openSqlite({ path: file });
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const put = db.prepare('INSERT INTO t (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 400; i++) put.run('x'.repeat(250));
  })();
  db.close();
}

function damage(file: string, offset: number): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, offset);
  closeSync(fd);
}

describe('openSqlite', () => {
  it('creates the file, its -wal and its -shm readable by the owner only', () => {
    const old = process.umask(0o022);
    try {
      const file = tmp.join('a', 'x.db');
      const db = openSqlite({ path: file });
      db.exec('CREATE TABLE t (x)');
      expect(modeOf(file)).toBe(0o600);
      expect(modeOf(`${file}-wal`)).toBe(0o600);
      expect(modeOf(`${file}-shm`)).toBe(0o600);
      db.close();
    } finally {
      process.umask(old);
    }
  });

  it('syncs by default, not at all for a throw-away file, and takes the page cache it is given', () => {
    const file = tmp.join('sync.db');
    const plain = openSqlite({ path: file });
    expect([plain.pragma('synchronous', { simple: true }), plain.pragma('cache_size', { simple: true })]).toEqual([1, -16000]);
    plain.close();
    const full = openSqlite({ path: file, sync: 'full', check: false });
    expect(full.pragma('synchronous', { simple: true })).toBe(2);
    full.close();
    const scratch = openSqlite({ path: file, sync: 'off', cacheMB: 64, check: false });
    expect([scratch.pragma('synchronous', { simple: true }), scratch.pragma('cache_size', { simple: true })]).toEqual([0, -65536]);
    scratch.close();
  });

  it('refuses a file with a damaged page, naming the file, with EVN_ERR_DB_CORRUPT', () => {
    const file = tmp.join('x.db');
    filled(file);
    damage(file, 20_000);
    expect(() => openSqlite({ path: file })).toThrow(expect.objectContaining({ code: STORAGE_ERR.CORRUPT, file, message: expect.stringContaining(file) }));
  });

  it('refuses a file that is not a database at all', () => {
    const file = tmp.join('x.db');
    writeFileSync(file, 'hello, this is a text file and not SQLite '.repeat(200));
    expect(() => openSqlite({ path: file })).toThrow(expect.objectContaining({ code: STORAGE_ERR.CORRUPT }));
  });

  it('refuses a path it cannot create, with EVN_ERR_DB_OPEN', () => {
    writeFileSync(tmp.join('file'), '');
    expect(() => openSqlite({ path: tmp.join('file', 'x.db') })).toThrow(expect.objectContaining({ code: STORAGE_ERR.OPEN }));
  });

  it('tells a broken database from a failing statement', () => {
    expect(isFatalStorageError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isFatalStorageError(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }))).toBe(true);
    expect(isFatalStorageError(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
    expect(isFatalStorageError(new Error('x'))).toBe(false);
  });
});

describe('every store on disk', () => {
  it('creates its file 0600: tickets and staff, broker state, device outbox', async () => {
    const old = process.umask(0o022);
    try {
      const hd = tmp.join('hd.db');
      const tickets = openSqliteStore({ path: hd });
      const staff = openStaffStore({ path: hd });
      staff.close();
      tickets.close();
      expect(modeOf(hd)).toBe(0o600);

      const broker = await createBroker({ port: 0, dataDir: tmp.join('broker') }).start();
      expect(modeOf(broker.dataFile!)).toBe(0o600);
      await broker.stop();

      const outbox = openSqliteOutboxStore({ path: tmp.join('dev.outbox.db') });
      outbox.close();
      expect(modeOf(tmp.join('dev.outbox.db'))).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('refuses a damaged file with a code: ticket store, staff store, device outbox', () => {
    for (const [name, open] of [
      ['tickets.db', (p: string) => openSqliteStore({ path: p }).close()],
      ['staff.db', (p: string) => openStaffStore({ path: p }).close()],
      ['outbox.db', (p: string) => openSqliteOutboxStore({ path: p }).close()],
    ] as const) {
      const file = tmp.join(name);
      filled(file);
      damage(file, 20_000);
      expect(() => open(file), name).toThrow(expect.objectContaining({ code: STORAGE_ERR.CORRUPT }));
    }
  });
});
