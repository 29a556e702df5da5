/**
 * Opening a SQLite file, the one way every evernet database is opened (helpdesk tickets and staff,
 * broker persistence, device outbox): a new file is created with mode 0600 (it holds customers' data
 * and session state), pragmas are set in one place, and the file is checked (PRAGMA quick_check)
 * before anyone reads from it. A file that fails any of this throws a StorageError with a code and
 * the file's path, so a process can stop before it acknowledges a single message.
 *
 * quick_check rather than integrity_check: it reads every page and b-tree (a torn or overwritten
 * page is found) in time linear in the file's size, skipping only the index-versus-table comparison.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { codeTable } from '../contracts/errors.js';

export const STORAGE_ERR = codeTable({
  /** the file or its folder cannot be created or opened (permissions, a folder in its place, ...) */
  OPEN: 'EVN_ERR_DB_OPEN',
  /** the file is not a SQLite database, or one of its pages is damaged */
  CORRUPT: 'EVN_ERR_DB_CORRUPT',
  /** another process holds the file's exclusive lock */
  LOCKED: 'EVN_ERR_DB_LOCKED',
});
export type StorageErrorCode = (typeof STORAGE_ERR)[keyof typeof STORAGE_ERR];

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly file: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'StorageError';
  }
}

export interface SqliteOpenOptions {
  /** a file path; ':memory:' (or '') for an in-memory database */
  path: string;
  /**
   * 'normal' survives the process being killed; 'full' also power loss; 'off' syncs nothing: only for a
   * throw-away file (a replay's scratch database), which a crash may leave damaged. Default 'normal'
   */
  sync?: 'off' | 'normal' | 'full';
  /** this connection's page cache in MB; default better-sqlite3's build (16 MB). A writer spread over many devices' rows wants one page of each */
  cacheMB?: number;
  /** hold the file's lock for the connection's lifetime (one process per file). Default false */
  exclusive?: boolean;
  /** ms to wait for another connection's lock; default 5000 */
  busyTimeoutMs?: number;
  /** check the file's pages at open; default true (nothing to check in memory) */
  check?: boolean;
  /** mode of a file created here; default 0o600 */
  mode?: number;
}

/** SQLite result codes after which a connection must not be trusted with more writes */
const FATAL_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_READONLY']);

/** true for an error that means the database (not the statement) is broken: stop, don't go on */
export function isFatalStorageError(e: unknown): boolean {
  if (e instanceof StorageError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && [...FATAL_CODES].some((c) => code === c || code.startsWith(`${c}_`));
}

export const isInMemory = (file: string): boolean => file === ':memory:' || file === '';

/** Creates the file (and its folder) with `mode` if it does not exist yet; SQLite's -wal and -shm follow its mode. */
function createFile(file: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, mode));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

function classify(file: string, e: unknown, doing: string): StorageError {
  const code = String((e as { code?: unknown }).code ?? '');
  const message = (e as Error).message;
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) return new StorageError(STORAGE_ERR.LOCKED, file, `${file} is in use by another process`);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StorageError(STORAGE_ERR.CORRUPT, file, `${file} is damaged (${message}); restore it from a backup or move it aside`);
  }
  return new StorageError(STORAGE_ERR.OPEN, file, `cannot ${doing} ${file}: ${message}`);
}

/** Opens (creating if needed) and checks a database. Throws StorageError; never returns a broken one. */
export function openSqlite(options: SqliteOpenOptions): Database.Database {
  const file = options.path;
  // a PostgreSQL URL given where only a file will do (a command that works on SQLite files): never a file of that name
  if (/^postgres(ql)?:\/\//i.test(file)) {
    throw new StorageError(STORAGE_ERR.OPEN, 'postgres://…', 'this command works on a SQLite file; a PostgreSQL database is used through the helpdesk (evernet helpdesk --db postgres://…)');
  }
  if (isInMemory(file)) {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    return db;
  }
  let db: Database.Database;
  try {
    if (!file.startsWith('file:')) createFile(file, options.mode ?? 0o600);
    db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (e) {
    throw classify(file, e, 'open');
  }
  try {
    if (options.exclusive) db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : options.sync === 'off' ? 'OFF' : 'NORMAL'}`);
    if (options.cacheMB !== undefined) db.pragma(`cache_size = -${Math.max(1, Math.round(options.cacheMB * 1024))}`);
    db.pragma('foreign_keys = ON');
    if (options.exclusive) db.exec('BEGIN EXCLUSIVE; COMMIT'); // takes the lock now and keeps it until close
    if (options.check ?? true) {
      const problems = db.pragma('quick_check(20)', { simple: false }) as Array<Record<string, string>>;
      const lines = problems.map((r) => Object.values(r)[0]).filter((l) => l !== 'ok');
      if (lines.length) {
        throw new StorageError(STORAGE_ERR.CORRUPT, file, `${file} failed its integrity check (${lines.slice(0, 3).join('; ')}); restore it from a backup or move it aside`);
      }
    }
    return db;
  } catch (e) {
    db.close();
    throw e instanceof StorageError ? e : classify(file, e, 'use');
  }
}

/**
 * Prepared statements by SQL text, for queries built from a few shapes (filters, sort, page): each
 * shape is prepared once; past `max` shapes the cache starts over, so odd queries cannot grow it.
 */
export function statementCache(db: Database.Database, max: number): (sql: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let st = statements.get(sql);
    if (!st) {
      if (statements.size >= max) statements.clear();
      statements.set(sql, (st = db.prepare(sql)));
    }
    return st;
  };
}

/**
 * Adds `column = @name` to a WHERE list, and the value to the parameters, for each filter that is
 * given (`{ customerId: ['customer_id', q.customerId] }`); an undefined value adds nothing.
 */
export function whereEquals(where: string[], params: Record<string, unknown>, filters: Record<string, readonly [column: string, value: string | number | undefined]>): void {
  for (const [name, [column, value]] of Object.entries(filters)) {
    if (value === undefined) continue;
    where.push(`${column} = @${name}`);
    params[name] = value;
  }
}

/**
 * Runs fn (migrations, first reads) on a database just opened; a SQLite error on the way becomes a
 * StorageError naming the file, and the connection is closed.
 */
export function guarded<T>(file: string, db: Database.Database, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    db.close();
    if (e instanceof StorageError || !String((e as { code?: unknown }).code ?? '').startsWith('SQLITE_')) throw e;
    throw classify(file, e, 'use');
  }
}
