/**
 * PostgreSQL behind evernet's synchronous stores (docs/scale.md): a write-behind mirror.
 *
 * The helpdesk's core calls its stores synchronously (a ticket is opened, read back and followed up
 * within one event). The stores keep running on SQLite, on a local working copy of the database in a
 * private temp folder; PostgreSQL is the durable database that working copy is loaded from at start
 * and mirrored to as it changes:
 *
 * - at start: connect (EVN_ERR_DB_CONNECT), take the database's advisory lock (one helpdesk writes a
 *   database: EVN_ERR_DB_LOCKED), create the working copy's schema with the stores' own migrations,
 *   bring PostgreSQL's tables to it (the versions in PostgreSQL's `evernet_schema`; a newer one is
 *   EVN_ERR_DB_SCHEMA) and load every row;
 * - triggers on every table note the key of each row a statement touches; after every call of a
 *   wrapped store (and a few times a second for writers that are not wrapped) the touched rows are read
 *   as they are now and queued; one writer sends the queue to PostgreSQL in order, one transaction per
 *   flush (upserts and deletes by primary key: a flush retried after a lost connection writes the same
 *   state again, so it never duplicates a ticket);
 * - a lost connection (PostgreSQL restarted) is retried on a new one with backoff for `retryForMs`;
 *   while it lasts the queue folds changes to the same row into one. After that, or at once for a
 *   write PostgreSQL refuses, the mirror has failed (EVN_ERR_DB_WRITE): every wrapped call throws it
 *   (a StorageError: the helpdesk disconnects from the broker before taking more) and onFailure is told.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { openSqlite } from './sqlite.js';
import { SchemaError } from './migrate.js';
import { connectPostgres, isTransientPgError, PG_ERR, PgStorageError, redactUrl } from './postgres.js';
import { STORAGE_ERR } from './sqlite.js';
import { createTableSql, installTriggers, loadTables, pgSchemaSql, readTables, SEQUENCE_TABLE, writeSql, type Batch, type Row, type Table } from './postgres-tables.js';

export interface PgMirrorLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PgMirrorOptions {
  url: string;
  /** creates the working copy's schema: opens (so migrates) and closes every store on `path` */
  schema: (path: string) => void;
  /** ms a lost connection is retried before the mirror fails with EVN_ERR_DB_WRITE; default 30000 */
  retryForMs?: number;
  /** first and longest pause between reconnects; default 100 and 2000 ms */
  backoffMs?: readonly [number, number];
  /** ms between flushes of writes made outside a wrapped store; default 200 */
  drainEveryMs?: number;
  /** the advisory lock's name: one helpdesk per database; default 'evernet-helpdesk' */
  lockName?: string;
  /**
   * 'change' (default): what a store call changed goes out right after it. 'demand': only when
   * flushed() is called, as the working copy is at that moment — PostgreSQL then only ever holds
   * states the caller chose (a cluster worker's checkpoints: docs/scale.md)
   */
  flushOn?: 'change' | 'demand';
  connectTimeoutMs?: number;
  /** rows per query when loading at start; default 20000 */
  loadPageRows?: number;
  log?: PgMirrorLog;
  /** called once when the mirror fails (after which every wrapped call throws the same error) */
  onFailure?: (err: Error) => void;
}

export interface PgMirror {
  /** the working copy the stores open (a SQLite file in a private temp folder) */
  path: string;
  /** the store, each method of which throws once the mirror failed and queues what it changed */
  wrap<T extends object>(store: T): T;
  /** resolves when everything changed so far is committed in PostgreSQL; rejects if the mirror failed */
  flushed(): Promise<void>;
  failure(): Error | null;
  stats(): { queuedRows: number; commits: number; retries: number; loadedRows: number };
  /** flushes, then closes both databases and removes the working copy */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PREFIX = 'evernet-pg-';
/** working copies (customers' data) left by a helpdesk that was killed: removed by the next one of the same user */
function removeOrphans(): void {
  const tmp = os.tmpdir();
  let names: string[];
  try {
    names = fs.readdirSync(tmp).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(tmp, name);
    try {
      if (fs.statSync(dir).uid !== process.getuid?.()) continue;
      const pid = Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
      if (!Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or being created right now: left alone
    }
  }
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function openPostgresMirror(options: PgMirrorOptions): Promise<PgMirror> {
  const shown = redactUrl(options.url);
  const lockName = options.lockName ?? 'evernet-helpdesk';
  const connect = async (): Promise<pg.Client> => {
    const c = await connectPostgres({ url: options.url, timeoutMs: options.connectTimeoutMs });
    const got = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockName]);
    if (!got.rows[0]?.ok) {
      await c.end().catch(() => {});
      throw new PgStorageError(STORAGE_ERR.LOCKED, shown, `${shown} is in use by another helpdesk (advisory lock '${lockName}')`);
    }
    return c;
  };
  let client = await connect();
  removeOrphans();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(dir, 'owner.pid'), String(process.pid), { mode: 0o600 });
  const file = path.join(dir, 'working-copy.db');
  let cache: Database.Database | null = null;
  let tables: Table[];
  let loadedRows: number;
  try {
    options.schema(file);
    cache = openSqlite({ path: file, check: false });
    tables = readTables(cache);
    const ddl = pgSchemaSql(cache, tables);
    await client.query('BEGIN');
    await client.query('CREATE TABLE IF NOT EXISTS evernet_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const stored = await client.query<{ name: string; version: number }>('SELECT name, version FROM evernet_schema');
    for (const r of stored.rows) {
      const build = ddl.versions.get(r.name);
      if (build !== undefined && r.version > build) throw new SchemaError(`the ${r.name} schema version ${r.version} in ${shown} is newer than this build (${build})`);
    }
    for (const sql of ddl.create) await client.query(sql);
    const existing = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
    );
    for (const sql of ddl.addColumns(existing.rows)) await client.query(sql);
    for (const [name, version] of ddl.versions) {
      await client.query('INSERT INTO evernet_schema (name, version) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version', [name, version]);
    }
    await client.query('COMMIT');
    loadedRows = await loadTables(client, cache, tables, options.loadPageRows);
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
    cache?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (e instanceof SchemaError || e instanceof PgStorageError) throw e;
    throw new PgStorageError(PG_ERR.CONNECT, shown, `cannot prepare ${shown}: ${(e as Error).message}`);
  }
  const db = cache;
  const byName = new Map(tables.map((t) => [t.name, t]));
  byName.set(SEQUENCE_TABLE.name, SEQUENCE_TABLE);
  const changes = db.prepare<[], { tbl: string; k: string }>('SELECT tbl, k FROM evn_changes ORDER BY seq');
  const clearChanges = db.prepare('DELETE FROM evn_changes');
  const rowOf = new Map(tables.map((t) => [t.name, db.prepare(`SELECT * FROM "${t.name}" WHERE ${t.key.map((k) => `"${k}" = ?`).join(' AND ')}`)]));
  const hasSequence = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_sequence'`).get()!.n > 0;
  const sequences = hasSequence ? db.prepare<[], { name: string; seq: number }>('SELECT name, seq FROM sqlite_sequence') : null;
  /** tables created after the start (a store the stack's schema list misses): created in PostgreSQL with the next flush */
  let ddl: string[] = [];
  let schemaVersion = db.pragma('schema_version', { simple: true }) as number;
  const adoptNewTables = (): void => {
    const v = db.pragma('schema_version', { simple: true }) as number;
    if (v === schemaVersion) return;
    for (const t of readTables(db)) {
      if (byName.has(t.name)) continue;
      installTriggers(db, t, true);
      byName.set(t.name, t);
      rowOf.set(t.name, db.prepare(`SELECT * FROM "${t.name}" WHERE ${t.key.map((k) => `"${k}" = ?`).join(' AND ')}`));
      ddl.push(createTableSql(t));
      options.log?.warn({ table: t.name }, 'a table created after the start is mirrored to PostgreSQL from now on, but was not loaded from it: open its store in the schema step');
    }
    schemaVersion = db.pragma('schema_version', { simple: true }) as number;
  };

  let pending: Batch = new Map();
  let queuedRows = 0;
  let commits = 0;
  let retries = 0;
  let failed: Error | null = null;
  let writing: Promise<void> | null = null;
  let closed = false;

  const fail = (err: Error): void => {
    if (failed) return;
    failed = err;
    options.log?.error({ code: (err as { code?: string }).code, err: err.message }, 'PostgreSQL mirror failed: the helpdesk stops');
    options.onFailure?.(err);
  };

  /** later wins: `newer` folded over `older` */
  const merge = (older: Batch, newer: Batch): Batch => {
    for (const [tbl, rows] of newer) {
      const into = older.get(tbl);
      if (!into) older.set(tbl, rows);
      else for (const [k, row] of rows) into.set(k, row);
    }
    return older;
  };

  /** reads the rows the triggers noted, as they are now, into the queue */
  const drainTx = db.transaction((): number => {
    const touched = changes.all();
    if (!touched.length) return 0;
    clearChanges.run();
    for (const { tbl, k } of touched) {
      if (!rowOf.has(tbl)) continue;
      let rows = pending.get(tbl);
      if (!rows) pending.set(tbl, (rows = new Map()));
      if (!rows.has(k)) queuedRows++;
      rows.set(k, (rowOf.get(tbl)!.get(...(JSON.parse(k) as unknown[])) as Row | undefined) ?? null);
    }
    if (sequences) {
      const seq = new Map<string, Row | null>();
      for (const r of sequences.all()) seq.set(JSON.stringify([r.name]), { name: r.name, seq: r.seq });
      pending.set('sqlite_sequence', seq);
    }
    return touched.length;
  });
  const drain = (): number => {
    adoptNewTables();
    return drainTx();
  };

  const writeBatch = async (batch: Batch): Promise<void> => {
    const tablesFirst = ddl;
    await client.query('BEGIN');
    try {
      for (const sql of tablesFirst) await client.query(sql);
      for (const st of writeSql(batch, byName)) await client.query(st.text, st.values);
      await client.query('COMMIT');
      ddl = ddl.filter((sql) => !tablesFirst.includes(sql));
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  };

  /** the one writer: sends the queue in order until it is empty; reconnects on a lost connection */
  const pump = async (): Promise<void> => {
    const [first, longest] = options.backoffMs ?? [100, 2000];
    const retryFor = options.retryForMs ?? 30_000;
    while ((pending.size || ddl.length) && !failed) {
      let batch = pending;
      pending = new Map();
      queuedRows = 0;
      let since: number | null = null;
      let locked: Error | null = null;
      let pause = first;
      for (;;) {
        try {
          await writeBatch(batch);
          commits++;
          break;
        } catch (e) {
          if (!isTransientPgError(e) && !(e instanceof PgStorageError && (e.code as string) === PG_ERR.CONNECT)) {
            return fail(e instanceof PgStorageError ? e : new PgStorageError(PG_ERR.WRITE, shown, `PostgreSQL refused a write: ${(e as Error).message}`));
          }
          since ??= Date.now();
          if (Date.now() - since > retryFor) {
            // still locked after reconnecting: another helpdesk took the database (or the old session lingers)
            if (locked) return fail(locked);
            return fail(new PgStorageError(PG_ERR.WRITE, shown, `${shown} has been unreachable for ${Math.round((Date.now() - since) / 1000)} s: ${(e as Error).message}`));
          }
          retries++;
          if (retries === 1 || retries % 10 === 0) options.log?.warn({ code: PG_ERR.WRITE, retries, err: (e as Error).message }, 'PostgreSQL connection lost: retrying');
          await sleep(pause);
          pause = Math.min(longest, pause * 2);
          // changes made meanwhile ride along in the same transaction
          batch = merge(batch, pending);
          pending = new Map();
          queuedRows = 0;
          await client.end().catch(() => {});
          locked = null;
          try {
            client = await connect();
          } catch (err) {
            // unreachable still, or our old session (and its lock) not gone yet: the loop retries
            if (err instanceof PgStorageError && err.code === STORAGE_ERR.LOCKED) locked = err;
          }
        }
      }
    }
  };

  const kick = (): void => {
    if (failed || writing || !pending.size) return;
    writing = pump().finally(() => {
      writing = null;
      if (pending.size && !failed) kick();
    });
  };

  const flushNow = (): void => {
    if (failed) return;
    try {
      drain();
    } catch (e) {
      return fail(e as Error);
    }
    kick();
  };

  const onDemand = options.flushOn === 'demand';
  const timer = setInterval(() => !onDemand && flushNow(), options.drainEveryMs ?? 200);
  timer.unref();
  // rows the stores wrote while being created (and not loaded from PostgreSQL) go out first
  flushNow();

  const wrapped = new WeakMap<object, object>();
  const mirror: PgMirror = {
    path: file,
    wrap<T extends object>(store: T): T {
      const known = wrapped.get(store);
      if (known) return known as T;
      const methods = new Map<PropertyKey, unknown>();
      const proxy = new Proxy(store, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (typeof v !== 'function') return v;
          let m = methods.get(prop);
          if (!m) {
            const fn = v as (...a: unknown[]) => unknown;
            m = (...args: unknown[]) => {
              // closing is always allowed: the stack closes its stores after a failure too
              if (failed && prop !== 'close') throw failed;
              let result: unknown;
              try {
                result = fn.apply(target, args);
              } finally {
                if (!closed && !onDemand) flushNow();
              }
              // an async method (staff: hashing first) writes when it settles
              if (result instanceof Promise) return result.finally(() => !closed && !onDemand && flushNow());
              return result;
            };
            methods.set(prop, m);
          }
          return m;
        },
      });
      wrapped.set(store, proxy);
      return proxy;
    },
    async flushed(): Promise<void> {
      flushNow();
      while (writing || (pending.size && !failed)) {
        kick();
        await (writing ?? Promise.resolve());
      }
      if (failed) throw failed;
    },
    failure: () => failed,
    stats: () => ({ queuedRows, commits, retries, loadedRows }),
    async close(): Promise<void> {
      if (closed) return;
      clearInterval(timer);
      try {
        await mirror.flushed();
      } catch {
        // the failure was reported when it happened
      } finally {
        closed = true;
        db.close();
        await client.end().catch(() => {});
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return mirror;
}
