/**
 * Connecting to PostgreSQL, the one way evernet does it (`--db postgres://…`, docs/scale.md): the URL
 * is checked, the connection opened and its failure turned into one coded error that says what went
 * wrong without the password (EVN_ERR_DB_CONNECT: unreachable, refused credentials, no such
 * database), and BIGINT columns read back as numbers (event times in ms and row ids fit in 2^53).
 *
 * Errors after the start are sorted here too: `isTransientPgError` is true for a connection that was
 * lost (the server restarted, the network dropped), which a writer retries on a new connection;
 * anything else is a statement the server refused, which retrying would not change.
 */
import pg from 'pg';
import { codeTable } from '../contracts/errors.js';
import { STORAGE_ERR, StorageError, type StorageErrorCode } from './sqlite.js';

export const PG_ERR = codeTable({
  /** the server cannot be reached, refuses the credentials, or has no such database */
  CONNECT: 'EVN_ERR_DB_CONNECT',
  /** the server stayed away (or refused a write) longer than the writer retries: nothing more is taken */
  WRITE: 'EVN_ERR_DB_WRITE',
});

export type PgErrorCode = (typeof PG_ERR)[keyof typeof PG_ERR];

/**
 * A StorageError (so `isFatalStorageError` stops the helpdesk on it) with a PostgreSQL code; `file` is
 * the URL without its password. StorageError's code type lists the SQLite file's codes only, hence the cast.
 */
export class PgStorageError extends StorageError {
  constructor(code: PgErrorCode | typeof STORAGE_ERR.LOCKED, url: string, message: string) {
    super(code as StorageErrorCode, url, message);
  }
}

/** true for a `--db` value that names a PostgreSQL database rather than a SQLite file */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

/** the URL as it may be logged and shown: the password replaced by *** */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(not a URL)';
  }
}

/** BIGINT (int8, oid 20) and count(*) as numbers: evernet's integers are event times and row ids below 2^53 */
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** SQLSTATE classes and codes of a connection that went away, not of a statement that was wrong */
const TRANSIENT_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** true for an error of a lost or refused connection (retry on a new one), false for a refused statement */
export function isTransientPgError(e: unknown): boolean {
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  if (TRANSIENT_STATES.has(code) || code.startsWith('08') || TRANSIENT_ERRNO.has(code)) return true;
  const message = String((e as Error | null)?.message ?? '');
  return /Connection terminated|connection is closed|Client has encountered a connection error|not queryable/i.test(message);
}

/** What a failed connect means, in words a person can act on (never the password). */
function describe(e: unknown): string {
  const code = String((e as { code?: unknown }).code ?? '');
  const message = (e as Error).message;
  if (code === '28P01' || code === '28000') return `the server refused the credentials (${message})`;
  if (code === '3D000') return `the database does not exist (${message})`;
  if (TRANSIENT_ERRNO.has(code)) return `the server cannot be reached (${code})`;
  return message;
}

export interface PgConnectOptions {
  url: string;
  /** ms to wait for the connection; default 5000 */
  timeoutMs?: number;
  /** the server's name for this connection (pg_stat_activity); default 'evernet' */
  applicationName?: string;
}

/** Opens one connection; throws a StorageError EVN_ERR_DB_CONNECT naming the URL (password hidden). */
export async function connectPostgres(options: PgConnectOptions): Promise<pg.Client> {
  const shown = redactUrl(options.url);
  if (!isPostgresUrl(options.url)) throw new PgStorageError(PG_ERR.CONNECT, shown, `${shown} is not a postgres:// URL`);
  try {
    new URL(options.url);
  } catch {
    throw new PgStorageError(PG_ERR.CONNECT, shown, `the database URL is not a valid URL`);
  }
  const client = new pg.Client({
    connectionString: options.url,
    connectionTimeoutMillis: options.timeoutMs ?? 5000,
    application_name: options.applicationName ?? 'evernet',
    // a connection that died without a word (a network gone) is found by TCP rather than by the next write's timeout
    keepAlive: true,
    types: TYPES,
  });
  // a connection lost later is reported by the query that meets it; without a listener it would crash the process
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (e) {
    await client.end().catch(() => {});
    throw new PgStorageError(PG_ERR.CONNECT, shown, `cannot connect to ${shown}: ${describe(e)}`);
  }
}
