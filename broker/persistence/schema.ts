/**
 * The broker's SQLite file: one table per kind of state aedes asks its persistence to keep.
 * The schema version is PRAGMA user_version (storage/migrate.ts); migrations are append-only.
 */
import type Database from 'better-sqlite3';
import { migrate } from '../../storage/migrate.js';

const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  (db) =>
    db.exec(`
      CREATE TABLE retained (
        topic   TEXT PRIMARY KEY,
        packet  TEXT NOT NULL,
        payload BLOB NOT NULL
      );
      -- subscriptions of persistent sessions (clean: false); options is JSON (qos, rh, rap, nl)
      CREATE TABLE subscriptions (
        client_id TEXT NOT NULL,
        topic     TEXT NOT NULL,
        options   TEXT NOT NULL,
        PRIMARY KEY (client_id, topic)
      );
      -- QoS > 0 messages queued for persistent sessions, oldest first; a row goes when the client acknowledges it
      CREATE TABLE outgoing (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id      TEXT NOT NULL,
        broker_id      TEXT,
        broker_counter INTEGER,
        packet         TEXT NOT NULL,
        payload        BLOB NOT NULL
      );
      CREATE INDEX outgoing_client ON outgoing (client_id, id);
      CREATE INDEX outgoing_origin ON outgoing (client_id, broker_id, broker_counter);
      -- QoS 2 packets received and not yet released (PUBREL)
      CREATE TABLE incoming (
        client_id  TEXT NOT NULL,
        message_id INTEGER NOT NULL,
        packet     TEXT NOT NULL,
        payload    BLOB NOT NULL,
        PRIMARY KEY (client_id, message_id)
      );
      CREATE TABLE wills (
        client_id TEXT PRIMARY KEY,
        packet    TEXT NOT NULL,
        payload   BLOB NOT NULL
      );
      -- QoS 1 publishes acknowledged to their sender but not yet routed into the queues above
      -- (aedes writes PUBACK before it routes); replayed on start
      CREATE TABLE accepted (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        packet  TEXT NOT NULL,
        payload BLOB NOT NULL
      );
    `),
  // which identity owns each persistent session (client id): another identity may not resume or wipe it
  (db) =>
    db.exec(`
      CREATE TABLE session_owners (
        client_id TEXT PRIMARY KEY,
        username  TEXT NOT NULL
      );
    `),
  // queued messages that could not be read back (a damaged row): moved here, out of the session's way
  (db) =>
    db.exec(`
      CREATE TABLE damaged (
        id        INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL,
        packet    TEXT,
        payload   BLOB,
        reason    TEXT NOT NULL
      );
    `),
];
export const BROKER_SCHEMA_VERSION = MIGRATIONS.length;

export function migrateBrokerDb(db: Database.Database): void {
  migrate(db, { name: 'broker', migrations: MIGRATIONS, version: 'user_version' });
}

