/**
 * The persistent outbox: one SQLite file per device (better-sqlite3, WAL). Every append, removal and
 * drop is committed before the call returns, so a device process killed at any point restarts with
 * exactly the entries the broker has not acknowledged, and continues its sequence numbers where it
 * stopped. synchronous=NORMAL survives the process being killed; `sync: 'full'` also power loss.
 */
import { migrate, type Migration } from '../../storage/migrate.js';
import { guarded, openSqlite } from '../../storage/sqlite.js';
import type { OutboxEntry, OutboxStore } from './store.js';

export interface SqliteOutboxOptions {
  path: string;
  sync?: 'normal' | 'full';
}

/** version 1: the tables as they were created before versions were kept (IF NOT EXISTS: an older file has them) */
const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0), ('dropped', 0);
    `),
];

export function openSqliteOutboxStore(options: SqliteOutboxOptions): OutboxStore {
  // one device process per outbox file (exclusive); checked at open, so a damaged outbox stops the device with a code
  const db = openSqlite({ path: options.path, exclusive: true, sync: options.sync ?? 'normal', busyTimeoutMs: 2000 });
  guarded(options.path, db, () => migrate(db, { name: 'outbox', migrations: MIGRATIONS }));
  const s = {
    insert: db.prepare<[number, string, string]>('INSERT INTO entries (seq, topic, payload) VALUES (?, ?, ?)'),
    after: db.prepare<[number, number], OutboxEntry>('SELECT seq, topic, payload FROM entries WHERE seq > ? ORDER BY seq LIMIT ?'),
    first: db.prepare<[], OutboxEntry>('SELECT seq, topic, payload FROM entries ORDER BY seq LIMIT 1'),
    del: db.prepare<[number]>('DELETE FROM entries WHERE seq = ?'),
    delThrough: db.prepare<[number]>('DELETE FROM entries WHERE seq <= ?'),
    count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM entries'),
    get: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
    setLast: db.prepare<[number]>("UPDATE meta SET value = MAX(value, ?) WHERE key = 'last_seq'"),
    countDrop: db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'dropped'"),
  };
  let size = s.count.get()!.n;
  let last = s.get.get('last_seq')!.value;
  let dropped = s.get.get('dropped')!.value;

  const append = db.transaction((e: OutboxEntry) => {
    s.insert.run(e.seq, e.topic, e.payload);
    s.setLast.run(e.seq);
  });
  const drop = db.transaction((e: OutboxEntry) => {
    s.del.run(e.seq);
    s.countDrop.run();
  });

  return {
    append(entry) {
      if (entry.seq <= last) throw new RangeError(`outbox seq ${entry.seq} is not after ${last}`);
      append(entry);
      size++;
      last = Math.max(last, entry.seq);
    },
    after: (after, limit) => s.after.all(after, limit),
    remove(seq) {
      const gone = s.del.run(seq).changes === 1;
      if (gone) size--;
      return gone;
    },
    removeThrough(upTo) {
      const n = s.delThrough.run(upTo).changes;
      size -= n;
      return n;
    },
    dropOldest(after) {
      const victim = s.after.get(after, 1) ?? s.first.get() ?? null;
      if (!victim) return null;
      drop(victim);
      size--;
      dropped++;
      return victim;
    },
    size: () => size,
    lastSeq: () => last,
    dropped: () => dropped,
    close: () => db.close(),
  };
}
