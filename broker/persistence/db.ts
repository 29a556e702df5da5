/**
 * Opening the broker's SQLite file (or an in-memory database) and the statements the persistence
 * runs on it. On disk: WAL, and exclusive locking mode, so that a second broker on the same data
 * directory fails at start (EVN_ERR_BROKER_DATA_LOCKED) instead of corrupting sessions; the lock
 * dies with the process, kill -9 included.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { StoredPacket } from './packets.js';
import { openSqlite, StorageError, STORAGE_ERR } from '../../storage/sqlite.js';
import { salvageDb, type SalvageReport } from './salvage.js';
import { migrateBrokerDb } from './schema.js';
import { codeTable } from '../../contracts/errors.js';

export const PERSISTENCE_ERR = codeTable({
  LOCKED: 'EVN_ERR_BROKER_DATA_LOCKED',
  OPEN: 'EVN_ERR_BROKER_DATA_DIR',
  /** damaged beyond saving (its first pages); a damaged page elsewhere is salvaged (SALVAGED) */
  CORRUPT: 'EVN_ERR_BROKER_DATA_CORRUPT',
  SALVAGED: 'EVN_ERR_BROKER_DATA_SALVAGED',
  /** one queued message could not be read back: moved aside (table damaged), the session goes on */
  UNREADABLE: 'EVN_ERR_BROKER_DATA_UNREADABLE',
});

export class PersistenceError extends Error {
  constructor(
    readonly code: (typeof PERSISTENCE_ERR)[keyof typeof PERSISTENCE_ERR],
    message: string,
  ) {
    super(message);
    this.name = 'PersistenceError';
  }
}

export interface SqlitePersistenceOptions {
  /**
   * directory of the broker's state (created if missing); the file is broker.db. Without it the
   * database lives in memory: nothing survives the process, but a resumed session is still sent its
   * queue before live messages (see forwardable), which aedes' own in-memory persistence does not do.
   */
  dir?: string;
  /** 'normal' (default) survives the process being killed; 'full' also survives power loss */
  sync?: 'normal' | 'full';
  /** told when a damaged file was salvaged at open (see salvage.ts), to log it */
  onSalvaged?: (report: SalvageReport & { file: string }) => void;
  /** told for each queued message that could not be read back and was moved aside (never its content) */
  onUnreadable?: (info: { clientId: string; rowId: number; reason: string }) => void;
  /** wall clock for the name of a damaged file moved aside; default Date.now */
  now?: () => number;
}

export interface Row extends StoredPacket {
  id: number;
}
export const BROKER_DB_FILE = 'broker.db';
export const PAGE = 256;

export function openDb(options: SqlitePersistenceOptions): Database.Database {
  if (options.dir === undefined) {
    const db = new Database(':memory:');
    migrateBrokerDb(db);
    return db;
  }
  const file = path.join(options.dir, BROKER_DB_FILE);
  const open = () => openSqlite({ path: file, exclusive: true, sync: options.sync ?? 'normal', busyTimeoutMs: 2000 });
  let db: Database.Database;
  try {
    db = open();
  } catch (e) {
    if (!(e instanceof StorageError) || e.code !== STORAGE_ERR.CORRUPT) throw asPersistenceError(e, file);
    // a damaged page: keep what can be read, move the damaged file aside, go on with the copy
    let report: SalvageReport;
    try {
      report = salvageDb(file, new Date(options.now?.() ?? Date.now()).toISOString().replace(/[:.]/g, '-'));
    } catch (why) {
      throw new PersistenceError(PERSISTENCE_ERR.CORRUPT, `${file} is damaged and nothing could be saved (${(why as Error).message}); move it aside to start with an empty state`);
    }
    options.onSalvaged?.({ file, ...report });
    try {
      db = open();
    } catch (again) {
      throw asPersistenceError(again, file);
    }
  }
  try {
    migrateBrokerDb(db);
  } catch (e) {
    db.close();
    throw asPersistenceError(e, file);
  }
  return db;
}

function asPersistenceError(e: unknown, file: string): PersistenceError {
  if (e instanceof PersistenceError) return e;
  if (e instanceof StorageError) {
    if (e.code === STORAGE_ERR.LOCKED) return new PersistenceError(PERSISTENCE_ERR.LOCKED, `${file} is in use by another broker`);
    if (e.code === STORAGE_ERR.CORRUPT) return new PersistenceError(PERSISTENCE_ERR.CORRUPT, e.message.slice(e.code.length + 2));
  }
  return new PersistenceError(PERSISTENCE_ERR.OPEN, `cannot open ${file}: ${(e as Error).message}`);
}

export function prepare(db: Database.Database) {
  return {
    putRetained: db.prepare<[string, string, Buffer]>('INSERT OR REPLACE INTO retained (topic, packet, payload) VALUES (?, ?, ?)'),
    delRetained: db.prepare<[string]>('DELETE FROM retained WHERE topic = ?'),
    allRetained: db.prepare<[], { topic: string } & StoredPacket>('SELECT topic, packet, payload FROM retained'),
    putSub: db.prepare<[string, string, string]>('INSERT OR REPLACE INTO subscriptions (client_id, topic, options) VALUES (?, ?, ?)'),
    delSub: db.prepare<[string, string]>('DELETE FROM subscriptions WHERE client_id = ? AND topic = ?'),
    delSubsOf: db.prepare<[string]>('DELETE FROM subscriptions WHERE client_id = ?'),
    allSubs: db.prepare<[], { client_id: string; topic: string; options: string }>('SELECT client_id, topic, options FROM subscriptions'),
    enqueue: db.prepare<[string, string | null, number | null, string, Buffer]>(
      'INSERT INTO outgoing (client_id, broker_id, broker_counter, packet, payload) VALUES (?, ?, ?, ?, ?)',
    ),
    findQueued: db.prepare<[string, string | null, number | null], { id: number }>(
      'SELECT id FROM outgoing WHERE client_id = ? AND broker_id IS ? AND broker_counter IS ? ORDER BY id',
    ),
    queuedById: db.prepare<[number], Row>('SELECT id, packet, payload FROM outgoing WHERE id = ?'),
    delQueued: db.prepare<[number]>('DELETE FROM outgoing WHERE id = ?'),
    replaceQueued: db.prepare<[string, Buffer, number]>('UPDATE outgoing SET packet = ?, payload = ?, broker_id = NULL, broker_counter = NULL WHERE id = ?'),
    queuePage: db.prepare<[string, number, number], Row>('SELECT id, packet, payload FROM outgoing WHERE client_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ' + PAGE),
    lastQueued: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM outgoing'),
    countQueued: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outgoing'),
    putIncoming: db.prepare<[string, number, string, Buffer]>('INSERT OR REPLACE INTO incoming (client_id, message_id, packet, payload) VALUES (?, ?, ?, ?)'),
    getIncoming: db.prepare<[string, number], StoredPacket>('SELECT packet, payload FROM incoming WHERE client_id = ? AND message_id = ?'),
    delIncoming: db.prepare<[string, number]>('DELETE FROM incoming WHERE client_id = ? AND message_id = ?'),
    delIncomingOf: db.prepare<[string]>('DELETE FROM incoming WHERE client_id = ?'),
    putWill: db.prepare<[string, string, Buffer]>('INSERT OR REPLACE INTO wills (client_id, packet, payload) VALUES (?, ?, ?)'),
    getWill: db.prepare<[string], StoredPacket>('SELECT packet, payload FROM wills WHERE client_id = ?'),
    delWill: db.prepare<[string]>('DELETE FROM wills WHERE client_id = ?'),
    allWills: db.prepare<[], StoredPacket>('SELECT packet, payload FROM wills'),
    journal: db.prepare<[string, Buffer]>('INSERT INTO accepted (packet, payload) VALUES (?, ?)'),
    unjournal: db.prepare<[number]>('DELETE FROM accepted WHERE id = ?'),
    journaledRows: db.prepare<[], Row>('SELECT id, packet, payload FROM accepted ORDER BY id'),
    countJournaled: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM accepted'),
    queuedIds: db.prepare<[string, number, number], { id: number }>('SELECT id FROM outgoing WHERE client_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ' + PAGE),
    putDamaged: db.prepare<[number, string, string | null, Buffer | null, string]>('INSERT OR REPLACE INTO damaged (id, client_id, packet, payload, reason) VALUES (?, ?, ?, ?, ?)'),
  };
}
export type Statements = ReturnType<typeof prepare>;

