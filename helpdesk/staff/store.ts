/**
 * Staff accounts and login sessions on SQLite (better-sqlite3). Two tables of its own, `staff` and
 * `sessions`, so it may share the helpdesk's database file (WAL lets several connections in). It does
 * not use PRAGMA user_version (the ticket store owns that): the tables are created if missing.
 *
 * Session ids and CSRF tokens come from crypto.randomBytes; the table keeps only sha256(session id),
 * so a copy of the database does not hand out live sessions. Sessions expire after `sessionTtlMs` of
 * wall time (an I/O edge concern, unrelated to event time).
 */
import { createHash, randomBytes } from 'node:crypto';
import { migrate, type Migration } from '../../storage/migrate.js';
import { openSqlite } from '../../storage/sqlite.js';
import { dummyHash, hashPassword, SCRYPT, verifyPassword, type ScryptCost } from './password.js';
import { codeTable } from '../../contracts/errors.js';

export const STAFF_ERR = codeTable({
  NAME: 'EVN_ERR_STAFF_NAME',
  PASSWORD: 'EVN_ERR_STAFF_PASSWORD',
  EXISTS: 'EVN_ERR_STAFF_EXISTS',
});

export const STAFF_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
export const DEFAULT_SESSION_TTL_MS = 12 * 3600_000;

export interface StaffStoreOptions {
  /** a file path, or ':memory:' in tests */
  path: string;
  /** default 12 h */
  sessionTtlMs?: number;
  /** wall clock for session expiry; default Date.now */
  now?: () => number;
  /** scrypt cost of new passwords (and of the stand-in hash for unknown names); default SCRYPT (N=16384). Tests lower it. */
  scrypt?: ScryptCost;
  /** check the file's pages at open (default true); false when another store has just checked the same file */
  check?: boolean;
}

export interface StaffSession {
  name: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export type AddResult = { ok: true } | { ok: false; error: { code: string; message: string } };

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const token = (): string => randomBytes(32).toString('base64url');

/** version 1: the tables as they were created before versions were kept (IF NOT EXISTS: an older file has them) */
const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE IF NOT EXISTS staff (
      name          TEXT PRIMARY KEY COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      created_at    INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS sessions (
      id_hash    TEXT PRIMARY KEY,
      name       TEXT NOT NULL REFERENCES staff (name) ON DELETE CASCADE,
      csrf       TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
    `),
];

export function openStaffStore(options: StaffStoreOptions) {
  const db = openSqlite({ path: options.path, check: options.check ?? true });
  migrate(db, { name: 'staff', migrations: MIGRATIONS });
  const ttl = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const now = options.now ?? Date.now;
  const cost = options.scrypt ?? SCRYPT;
  const q = {
    insert: db.prepare<[string, string, number]>('INSERT INTO staff (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    account: db.prepare<[string], { name: string; password_hash: string }>('SELECT name, password_hash FROM staff WHERE name = ?'),
    names: db.prepare<[], { name: string }>('SELECT name FROM staff ORDER BY name'),
    insertSession: db.prepare<[string, string, string, number, number]>(
      'INSERT INTO sessions (id_hash, name, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    ),
    session: db.prepare<[string], { name: string; csrf: string; created_at: number; expires_at: number }>(
      'SELECT name, csrf, created_at, expires_at FROM sessions WHERE id_hash = ?',
    ),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE id_hash = ?'),
    purge: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),
  };

  return {
    /** Creates an account. Names: 1-40 of A-Z a-z 0-9 . _ - (case-insensitive unique); passwords: 8-1024 characters. */
    async add(name: string, password: string): Promise<AddResult> {
      if (!STAFF_NAME_RE.test(name)) return { ok: false, error: { code: STAFF_ERR.NAME, message: 'a name is 1-40 characters of A-Z, a-z, 0-9, ".", "_" or "-"' } };
      if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
        return { ok: false, error: { code: STAFF_ERR.PASSWORD, message: `a password has ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` } };
      }
      const hash = await hashPassword(password, cost);
      if (q.insert.run(name, hash, now()).changes === 0) return { ok: false, error: { code: STAFF_ERR.EXISTS, message: `staff member '${name}' exists already` } };
      return { ok: true };
    },
    /** The account's canonical name when the password matches, else null. Unknown names cost as much time as wrong passwords. */
    async verify(name: string, password: string): Promise<string | null> {
      if (password.length > PASSWORD_MAX) return null;
      const row = STAFF_NAME_RE.test(name) ? q.account.get(name) : undefined;
      const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash(cost)));
      return ok && row ? row.name : null;
    },
    names: (): string[] => q.names.all().map((r) => r.name),
    createSession(name: string): { id: string; csrf: string; expiresAt: number; ttlMs: number } {
      const t = now();
      q.purge.run(t);
      const id = token();
      const csrf = token();
      const canonical = q.account.get(name)?.name ?? name;
      q.insertSession.run(sha256(id), canonical, csrf, t, t + ttl);
      return { id, csrf, expiresAt: t + ttl, ttlMs: ttl };
    },
    /** The live session with this id, or null (unknown or expired; an expired one is deleted). */
    session(id: string): StaffSession | null {
      if (id.length === 0 || id.length > 200) return null;
      const row = q.session.get(sha256(id));
      if (!row) return null;
      if (row.expires_at <= now()) {
        q.deleteSession.run(sha256(id));
        return null;
      }
      return { name: row.name, csrf: row.csrf, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    deleteSession(id: string): void {
      q.deleteSession.run(sha256(id));
    },
    close(): void {
      db.close();
    },
  };
}
export type StaffStore = ReturnType<typeof openStaffStore>;
