/**
 * The tables of the PostgreSQL mirror (postgres-mirror.ts): the working copy's SQLite tables as
 * PostgreSQL tables (same names, columns and primary keys; types by SQLite's affinity rules: INTEGER
 * -> BIGINT, TEXT -> TEXT, REAL -> DOUBLE PRECISION, BLOB -> BYTEA), the change triggers, loading at
 * start, and the SQL of one flush. Uniqueness beyond the primary key, foreign keys and CHECKs are the
 * working copy's to enforce: PostgreSQL receives only states that passed them.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';

type PgType = 'BIGINT' | 'TEXT' | 'DOUBLE PRECISION' | 'BYTEA';
export interface Table {
  name: string;
  /** the table's name in PostgreSQL */
  pgName: string;
  columns: Array<{ name: string; type: PgType }>;
  key: string[];
}
export type Row = Record<string, unknown>;
/** table -> JSON of the primary key -> the row as it is now, or null: deleted */
export type Batch = Map<string, Map<string, Row | null>>;

/** AUTOINCREMENT's counters, so that a restarted helpdesk never hands out an id it handed out before */
export const SEQUENCE_TABLE: Table = {
  name: 'sqlite_sequence',
  pgName: 'evernet_sqlite_sequence',
  columns: [{ name: 'name', type: 'TEXT' }, { name: 'seq', type: 'BIGINT' }],
  key: ['name'],
};
const OWN = new Set(['evernet_schema', 'evn_changes']);

/** SQLite's column affinity (datatype3.html, 3.1) as a PostgreSQL type */
function pgType(declared: string): PgType {
  const d = declared.toUpperCase();
  if (d.includes('INT')) return 'BIGINT';
  if (/CHAR|CLOB|TEXT/.test(d)) return 'TEXT';
  if (d === '' || d.includes('BLOB')) return 'BYTEA';
  return 'DOUBLE PRECISION';
}
const ARRAY: Record<PgType, string> = { BIGINT: 'bigint[]', TEXT: 'text[]', 'DOUBLE PRECISION': 'float8[]', BYTEA: 'bytea[]' };
const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The working copy's tables (not SQLite's own, not the mirror's), each with its primary key. */
export function readTables(db: Database.Database): Table[] {
  const names = db
    .prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .all()
    .map((r) => r.name)
    .filter((n) => !OWN.has(n));
  return names.map((name) => {
    const info = db.pragma(`table_info(${q(name)})`) as Array<{ name: string; type: string; pk: number }>;
    const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    if (!key.length) throw new Error(`table ${name} has no primary key: it cannot be mirrored to PostgreSQL`);
    return { name, pgName: name, columns: info.map((c) => ({ name: c.name, type: pgType(c.type) })), key };
  });
}

/** The PostgreSQL side of the schema: versions to record, tables to create, columns a newer build added. */
export function pgSchemaSql(db: Database.Database, tables: Table[]) {
  const versions = new Map<string, number>();
  const hasVersions = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'evernet_schema'`).get()!.n > 0;
  if (hasVersions) for (const r of db.prepare<[], { name: string; version: number }>('SELECT name, version FROM evernet_schema').all()) versions.set(r.name, r.version);
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  if (userVersion > 0) versions.set('user_version', userVersion);
  const all = [...tables, SEQUENCE_TABLE];
  const create = all.map(createTableSql);
  const addColumns = (existing: Array<{ table_name: string; column_name: string }>): string[] => {
    const have = new Set(existing.map((r) => `${r.table_name}\u0000${r.column_name}`));
    return all.flatMap((t) => t.columns.filter((c) => !have.has(`${t.pgName}\u0000${c.name}`)).map((c) => `ALTER TABLE ${q(t.pgName)} ADD COLUMN IF NOT EXISTS ${q(c.name)} ${c.type}`));
  };
  return { versions, create, addColumns };
}

const rowsIn = (db: Database.Database, t: Table): number => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${q(t.name)}`).get()!.n;

/**
 * Loads every row from PostgreSQL into the working copy (its rows replace what the stores wrote while
 * being created), then puts the change triggers in place. Tables whose working copy holds rows
 * PostgreSQL did not have (written while being created) are noted as changed whole. Returns the rows loaded.
 */
export async function loadTables(client: pg.Client, db: Database.Database, tables: Table[], pageRows = 20_000): Promise<number> {
  const counts = new Map<string, number>();
  let loaded = 0;
  const all = [...tables];
  const hasSequence = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_sequence'`).get()!.n > 0;
  if (hasSequence) all.push(SEQUENCE_TABLE);
  db.pragma('foreign_keys = OFF');
  // one transaction across the pages (nothing else uses this connection while it loads)
  db.exec('BEGIN');
  try {
    for (const t of all) {
      if (t === SEQUENCE_TABLE) db.prepare('DELETE FROM sqlite_sequence').run();
      const insert = db.prepare(
        `INSERT OR REPLACE INTO ${q(t.name)} (${t.columns.map((c) => q(c.name)).join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`,
      );
      // in pages by primary key, so a large table (raw telemetry) never sits in memory whole
      const cols = t.columns.map((c) => q(c.name)).join(', ');
      const key = t.key.map(q).join(', ');
      let after: unknown[] | null = null;
      let n = 0;
      for (;;) {
        const where: string = after ? `WHERE (${key}) > (${t.key.map((_, i) => `$${i + 1}`).join(', ')})` : '';
        const page: pg.QueryResult<Row> = await client.query<Row>(`SELECT ${cols} FROM ${q(t.pgName)} ${where} ORDER BY ${key} LIMIT ${pageRows}`, after ?? []);
        for (const row of page.rows) insert.run(...t.columns.map((c) => row[c.name] ?? null));
        n += page.rows.length;
        if (page.rows.length < pageRows) break;
        const last = page.rows[page.rows.length - 1]!;
        after = t.key.map((k) => last[k]);
      }
      counts.set(t.name, n);
      loaded += n;
    }
    db.exec('CREATE TABLE IF NOT EXISTS evn_changes (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, k TEXT NOT NULL)');
    for (const t of tables) installTriggers(db, t, rowsIn(db, t) !== counts.get(t.name));
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  } finally {
    db.pragma('foreign_keys = ON');
  }
  return loaded;
}

/** the DDL of one table in PostgreSQL */
export const createTableSql = (t: Table): string =>
  `CREATE TABLE IF NOT EXISTS ${q(t.pgName)} (${t.columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')}, PRIMARY KEY (${t.key.map(q).join(', ')}))`;

/** The triggers that note every touched row's key in evn_changes; `markAll`: note every row now (not in PostgreSQL yet). */
export function installTriggers(db: Database.Database, t: Table, markAll: boolean): void {
  const key = (row: 'NEW' | 'OLD' | '') => `json_array(${t.key.map((k) => `${row ? `${row}.` : ''}${q(k)}`).join(', ')})`;
  const lit = `'${t.name.replace(/'/g, "''")}'`;
  db.exec(`
    CREATE TABLE IF NOT EXISTS evn_changes (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, k TEXT NOT NULL);
    CREATE TRIGGER IF NOT EXISTS ${q(`evn_ins_${t.name}`)} AFTER INSERT ON ${q(t.name)} BEGIN INSERT INTO evn_changes (tbl, k) VALUES (${lit}, ${key('NEW')}); END;
    CREATE TRIGGER IF NOT EXISTS ${q(`evn_upd_${t.name}`)} AFTER UPDATE ON ${q(t.name)} BEGIN INSERT INTO evn_changes (tbl, k) VALUES (${lit}, ${key('OLD')}), (${lit}, ${key('NEW')}); END;
    CREATE TRIGGER IF NOT EXISTS ${q(`evn_del_${t.name}`)} AFTER DELETE ON ${q(t.name)} BEGIN INSERT INTO evn_changes (tbl, k) VALUES (${lit}, ${key('OLD')}); END;
  `);
  if (markAll) db.exec(`INSERT INTO evn_changes (tbl, k) SELECT ${lit}, ${key('')} FROM ${q(t.name)}`);
}

/** One flush as statements: per table one multi-row upsert and one multi-row delete, by primary key. */
export function writeSql(batch: Batch, byName: ReadonlyMap<string, Table>): Array<{ text: string; values: unknown[] }> {
  const out: Array<{ text: string; values: unknown[] }> = [];
  for (const [name, rows] of batch) {
    const t = name === SEQUENCE_TABLE.name ? SEQUENCE_TABLE : byName.get(name);
    if (!t) continue;
    const upserts: Row[] = [];
    const deletes: unknown[][] = [];
    for (const [k, row] of rows) {
      if (row) upserts.push(row);
      else deletes.push(JSON.parse(k) as unknown[]);
    }
    if (deletes.length) {
      const keyTypes = t.key.map((k) => t.columns.find((c) => c.name === k)!.type);
      out.push({
        text: `DELETE FROM ${q(t.pgName)} WHERE (${t.key.map(q).join(', ')}) IN (SELECT * FROM unnest(${keyTypes.map((ty, i) => `$${i + 1}::${ARRAY[ty]}`).join(', ')}))`,
        values: t.key.map((_, i) => deletes.map((d) => d[i] ?? null)),
      });
    }
    if (upserts.length) {
      const rest = t.columns.filter((c) => !t.key.includes(c.name));
      const onConflict = rest.length ? `DO UPDATE SET ${rest.map((c) => `${q(c.name)} = EXCLUDED.${q(c.name)}`).join(', ')}` : 'DO NOTHING';
      out.push({
        text:
          `INSERT INTO ${q(t.pgName)} (${t.columns.map((c) => q(c.name)).join(', ')}) ` +
          `SELECT * FROM unnest(${t.columns.map((c, i) => `$${i + 1}::${ARRAY[c.type]}`).join(', ')}) ` +
          `ON CONFLICT (${t.key.map(q).join(', ')}) ${onConflict}`,
        values: t.columns.map((c) => upserts.map((r) => r[c.name] ?? null)),
      });
    }
  }
  return out;
}
