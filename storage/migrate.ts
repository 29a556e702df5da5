/**
 * The one migration runner of evernet's databases. A schema is a list of migrations, append only:
 * migration i brings it from version i to i + 1, each in one transaction with its version bump.
 *
 * Where the version lives: the store that owns a file keeps it in PRAGMA user_version (the ticket
 * store in the helpdesk's file, the broker in broker.db); stores that share a file with another
 * (staff, loads) or have one of their own without a history in user_version (the device outbox) keep
 * it in a row of `evernet_schema` named after them. A file from a newer build is refused with
 * EVN_ERR_DB_SCHEMA rather than written to.
 */
import type Database from 'better-sqlite3';

export type Migration = (db: Database.Database) => void;

export const SCHEMA_ERR = 'EVN_ERR_DB_SCHEMA';

export class SchemaError extends Error {
  readonly code = SCHEMA_ERR;
  constructor(message: string) {
    super(`${SCHEMA_ERR}: ${message}`);
    this.name = 'SchemaError';
  }
}

export interface Schema {
  /** what the schema belongs to, for messages and the `evernet_schema` row */
  name: string;
  migrations: readonly Migration[];
  /** 'user_version' for the file's owner; default a row of its own in evernet_schema */
  version?: 'user_version' | 'row';
}

function readVersion(db: Database.Database, schema: Schema): number {
  if (schema.version === 'user_version') return db.pragma('user_version', { simple: true }) as number;
  db.exec('CREATE TABLE IF NOT EXISTS evernet_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const row = db.prepare<[string], { version: number }>('SELECT version FROM evernet_schema WHERE name = ?').get(schema.name);
  return row?.version ?? 0;
}

function writeVersion(db: Database.Database, schema: Schema, v: number): void {
  if (schema.version === 'user_version') db.pragma(`user_version = ${v}`);
  else db.prepare('INSERT INTO evernet_schema (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version').run(schema.name, v);
}

/** Runs the pending migrations of `schema`; returns the version the database is at now. */
export function migrate(db: Database.Database, schema: Schema): number {
  const target = schema.migrations.length;
  const current = readVersion(db, schema);
  if (current > target) throw new SchemaError(`the ${schema.name} schema version ${current} is newer than this build (${target})`);
  for (let v = current; v < target; v++) {
    db.transaction(() => {
      schema.migrations[v]!(db);
      writeVersion(db, schema, v + 1);
    })();
  }
  return target;
}
