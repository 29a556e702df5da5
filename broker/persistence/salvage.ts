/**
 * Saving what can be saved of a damaged broker.db. A page that a failing disk or a stray write
 * overwrote makes every read that touches it fail; left alone, a session whose queue runs into it
 * gets the same first part of its queue on every reconnect and never the rest. So at start, when
 * the file fails its check, every table is copied row by row (in rowid order, stepping over the
 * rowid ranges whose pages cannot be read) into a new file with the same schema; the damaged file
 * is moved aside (kept for whoever wants to look at it) and the copy takes its place. What could
 * not be read is counted per table (from an index, when one still answers) and reported.
 *
 * Hand-written rather than sqlite3's `.recover`: better-sqlite3 does not ship the recovery
 * extension, and the broker's tables are plain rowid tables, for which a rowid walk is enough.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';

export interface SalvageReport {
  /** where the damaged file (and its -wal) now lies */
  movedTo: string;
  /** rows copied per table */
  kept: Record<string, number>;
  /** rows that could not be read, per table; null where no index could count them either */
  lost: Record<string, number | null>;
}

const PAGE = 256;
const MIN_ROWID = Number.MIN_SAFE_INTEGER;
const MAX_ROWID = Number.MAX_SAFE_INTEGER;

type Row = Record<string, unknown> & { _rid: number };

/** reads rows after `after`; throws where the b-tree is damaged */
const readPage = (db: Database.Database, table: string, after: number, limit: number): Row[] =>
  db.prepare(`SELECT rowid AS _rid, * FROM "${table}" WHERE rowid > ? ORDER BY rowid LIMIT ${limit}`).all(after) as Row[];

function readable(db: Database.Database, table: string, after: number): boolean {
  try {
    readPage(db, table, after, 1);
    return true;
  } catch {
    return false;
  }
}

/**
 * The smallest x > after from which reading works again, or null if nothing after `after` can be
 * read: doubling steps find a readable point, a binary search then narrows the gap to the damage.
 */
function nextReadable(db: Database.Database, table: string, after: number): number | null {
  let step = 1;
  let bad = after;
  for (;;) {
    const probe = after + step;
    if (probe >= MAX_ROWID) return null;
    if (readable(db, table, probe)) {
      let lo = bad;
      let hi = probe;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (readable(db, table, mid)) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    bad = probe;
    step *= 2;
  }
}

/** every readable row of `table`, in rowid order, handed to `put` */
function copyRows(from: Database.Database, table: string, put: (row: Row) => void): number {
  let after = MIN_ROWID;
  let kept = 0;
  for (;;) {
    let rows: Row[];
    try {
      rows = readPage(from, table, after, PAGE);
    } catch {
      // the page batch ran into damage: take the rows before it one by one, then step over it
      try {
        rows = readPage(from, table, after, 1);
      } catch {
        const next = nextReadable(from, table, after);
        if (next === null) return kept;
        after = next;
        continue;
      }
    }
    if (rows.length === 0) return kept;
    for (const r of rows) {
      put(r);
      kept++;
    }
    after = rows[rows.length - 1]!._rid;
  }
}

function countViaIndex(db: Database.Database, table: string): number | null {
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } catch {
    return null;
  }
}

/**
 * Copies what is readable of `file` into a fresh file, moves `file` aside and puts the copy in its
 * place. Throws if not even the schema can be read (nothing to save: the caller refuses to start).
 */
export function salvageDb(file: string, stamp: string): SalvageReport {
  const from = new Database(file, { readonly: true, fileMustExist: true });
  const copy = `${file}.salvage`;
  let kept: Record<string, number>;
  let lost: Record<string, number | null>;
  try {
    const schema = from.prepare(`SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid`).all() as Array<{ type: string; name: string; sql: string }>;
    const version = from.pragma('user_version', { simple: true }) as number;
    fs.rmSync(copy, { force: true });
    fs.closeSync(fs.openSync(copy, 'wx', 0o600));
    const to = new Database(copy);
    try {
      to.pragma('journal_mode = DELETE');
      for (const s of schema.filter((s) => s.type === 'table')) to.exec(s.sql);
      ({ kept, lost } = copyTables(from, to, schema.filter((s) => s.type === 'table').map((s) => s.name)));
      for (const s of schema.filter((s) => s.type !== 'table')) to.exec(s.sql);
      to.pragma(`user_version = ${version}`);
    } finally {
      to.close();
    }
  } catch (e) {
    fs.rmSync(copy, { force: true });
    throw e;
  } finally {
    from.close();
  }
  const movedTo = `${file}.damaged-${stamp}`;
  fs.renameSync(file, movedTo);
  for (const side of ['-wal', '-shm']) if (fs.existsSync(file + side)) fs.renameSync(file + side, movedTo + side);
  fs.renameSync(copy, file);
  return { movedTo, kept, lost };
}

function copyTables(from: Database.Database, to: Database.Database, tables: string[]) {
  const kept: Record<string, number> = {};
  const lost: Record<string, number | null> = {};
  for (const table of tables) {
    const columns = (from.pragma(`table_info("${table}")`) as Array<{ name: string }>).map((c) => c.name);
    const insert = to.prepare(`INSERT OR IGNORE INTO "${table}" (rowid, ${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${['@_rid', ...columns.map((c) => `@${c}`)].join(', ')})`);
    const n = to.transaction(() => copyRows(from, table, (row) => insert.run(row)))();
    kept[table] = n;
    const had = countViaIndex(from, table);
    lost[table] = had === null ? null : Math.max(0, had - n);
  }
  // AUTOINCREMENT counters: never hand out an id again that the damaged file had used
  try {
    for (const r of from.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{ name: string; seq: number }>) {
      const raised = to.prepare('UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?').run(r.seq, r.name);
      if (raised.changes === 0) to.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)').run(r.name, r.seq);
    }
  } catch {
    // the counters' page is damaged too: the copied rows' own maximum stands
  }
  return { kept, lost };
}
