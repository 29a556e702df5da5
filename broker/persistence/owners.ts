/**
 * Which identity owns a persistent session (clean: false), by client id, in the broker's SQLite file
 * (table session_owners), so the binding survives a restart when the broker has a data directory.
 * Staff identities share client-id spaces (every helpdesk identity may use evernet-helpdesk-*): without
 * this, a second identity could resume, or wipe, the queue another one left behind.
 */
import type Database from 'better-sqlite3';

export interface SessionOwners {
  /** the username that owns the session of `clientId`, if one is remembered */
  ownerOf(clientId: string): string | undefined;
  /** `username` holds a persistent session under `clientId` */
  own(clientId: string, username: string): void;
  /** the session of `clientId` ended (a clean connect by its owner) */
  release(clientId: string): void;
}

export function createSessionOwners(db: Database.Database, closed: () => boolean): SessionOwners {
  const get = db.prepare<[string], { username: string }>('SELECT username FROM session_owners WHERE client_id = ?');
  const put = db.prepare<[string, string]>('INSERT OR REPLACE INTO session_owners (client_id, username) VALUES (?, ?)');
  const del = db.prepare<[string]>('DELETE FROM session_owners WHERE client_id = ?');
  return {
    ownerOf: (clientId) => (closed() ? undefined : get.get(clientId)?.username),
    own(clientId, username) {
      if (!closed() && get.get(clientId)?.username !== username) put.run(clientId, username);
    },
    release(clientId) {
      if (!closed()) del.run(clientId);
    },
  };
}
