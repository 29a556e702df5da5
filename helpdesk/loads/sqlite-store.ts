/**
 * LoadStore on SQLite (better-sqlite3). One table of its own, `loads`, created if missing, so it may
 * share the helpdesk's database file with the ticket and staff stores (WAL lets several connections
 * in); it does not use PRAGMA user_version (the ticket store owns that). The power sequence is JSON
 * text, read only for details. Each device keeps its newest `keepPerDevice` loads; adding one more
 * deletes its oldest (counted, see evicted()).
 */
import { migrate, type Migration } from '../../storage/migrate.js';
import { openSqlite, statementCache, whereEquals } from '../../storage/sqlite.js';
import type { PowerSlot } from '../../contracts/index.js';
import { PLAN_BASES } from '../schedule/basis.js';
import { DEFAULT_KEEP_PER_DEVICE, LOAD_STATES, type LoadPage, type LoadQuery, type LoadRecord, type LoadState, type LoadStore, type LoadSummary } from './store.js';

export interface SqliteLoadStoreOptions {
  /** a file path (the helpdesk's database), or ':memory:' */
  path: string;
  /** loads kept per device, newest first; default 1000 */
  keepPerDevice?: number;
  /** check the file's pages at open (default true); false when another store has just checked the same file */
  check?: boolean;
}

interface Row {
  id: number;
  device_id: string;
  customer_id: string;
  offer_id: string;
  programme: string;
  state: string;
  requested_at: number;
  deadline: number;
  planned_start: number | null;
  actual_start: number | null;
  finished_at: number | null;
  superseded_at: number | null;
  cost_eur: number | null;
  optimal_cost_eur: number | null;
  start_now_cost_eur: number | null;
  energy_kwh: number | null;
  mean_grid_load_mw: number | null;
  plan_error: string | null;
  basis: string | null;
  basis_note: string | null;
  duration_s: number;
  slot_count: number;
  slots?: string;
}

const FIGURES = {
  state: 'state', planned_start: 'plannedStart', actual_start: 'actualStart', finished_at: 'finishedAt', superseded_at: 'supersededAt',
  cost_eur: 'costEur', optimal_cost_eur: 'optimalCostEur', start_now_cost_eur: 'startNowCostEur', energy_kwh: 'energyKwh',
  mean_grid_load_mw: 'meanGridLoadMw', plan_error: 'planError', basis: 'basis', basis_note: 'basisNote',
} as const satisfies Record<string, keyof LoadSummary>;
const OFFER = {
  device_id: 'deviceId', customer_id: 'customerId', offer_id: 'offerId', programme: 'programme', requested_at: 'requestedAt',
  deadline: 'deadline', duration_s: 'durationS', slot_count: 'slotCount',
} as const satisfies Record<string, keyof LoadSummary>;
const COLUMNS = { ...OFFER, ...FIGURES };
const SUMMARY_SQL = ['id', ...Object.keys(COLUMNS)].join(', ');

const isState = (s: string): s is LoadState => (LOAD_STATES as readonly string[]).includes(s);

function summaryOf(r: Row): LoadSummary {
  const out: Record<string, unknown> = { id: r.id };
  for (const [col, key] of Object.entries(COLUMNS)) out[key] = r[col as keyof Row];
  if (!isState(r.state)) throw new Error(`load ${r.id}: unknown state '${r.state}'`);
  if (r.basis !== null && !(PLAN_BASES as readonly string[]).includes(r.basis)) throw new Error(`load ${r.id}: unknown basis '${r.basis}'`);
  return out as unknown as LoadSummary;
}

const params = (l: LoadSummary, cols: Record<string, keyof LoadSummary>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(cols).map(([col, key]) => [col, l[key]]));

/**
 * version 1: the table as it was created before versions were kept (IF NOT EXISTS: an older file has it);
 * version 2: what a plan rests on (basis, basis_note; NULL for older loads)
 */
const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE IF NOT EXISTS loads (
      id                 INTEGER PRIMARY KEY AUTOINCREMENT,
      device_id          TEXT NOT NULL,
      customer_id        TEXT NOT NULL,
      offer_id           TEXT NOT NULL,
      programme          TEXT NOT NULL,
      state              TEXT NOT NULL,
      requested_at       INTEGER NOT NULL,
      deadline           INTEGER NOT NULL,
      planned_start      INTEGER,
      actual_start       INTEGER,
      finished_at        INTEGER,
      superseded_at      INTEGER,
      cost_eur           REAL,
      optimal_cost_eur   REAL,
      start_now_cost_eur REAL,
      energy_kwh         REAL,
      mean_grid_load_mw  REAL,
      plan_error         TEXT,
      duration_s         INTEGER NOT NULL,
      slot_count         INTEGER NOT NULL,
      slots              TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS loads_device ON loads (customer_id, device_id, id);
    CREATE INDEX IF NOT EXISTS loads_offer ON loads (customer_id, offer_id, id);
    `),
  (db) => db.exec('ALTER TABLE loads ADD COLUMN basis TEXT; ALTER TABLE loads ADD COLUMN basis_note TEXT;'),
];

export function openSqliteLoadStore(options: SqliteLoadStoreOptions): LoadStore {
  const file = options.path;
  const keep = options.keepPerDevice ?? DEFAULT_KEEP_PER_DEVICE;
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keepPerDevice must be a whole number >= 1, got ${keep}`);
  const db = openSqlite({ path: file, check: options.check ?? true });
  migrate(db, { name: 'loads', migrations: MIGRATIONS });
  const cols = [...Object.keys(COLUMNS), 'slots'];
  const s = {
    insert: db.prepare(`INSERT INTO loads (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`),
    update: db.prepare(`UPDATE loads SET ${Object.keys(FIGURES).map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`),
    evict: db.prepare<[string, string, string, string, number]>(
      `DELETE FROM loads WHERE customer_id = ? AND device_id = ? AND id <=
         (SELECT id FROM loads WHERE customer_id = ? AND device_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    ),
  };
  let evicted = 0;

  const addTx = db.transaction((l: LoadRecord): LoadRecord => {
    const id = Number(s.insert.run({ ...params(l, COLUMNS), slots: JSON.stringify(l.slots) }).lastInsertRowid);
    evicted += s.evict.run(l.customerId, l.deviceId, l.customerId, l.deviceId, keep).changes;
    return { ...l, id };
  });

  // page statements by SQL text (the shapes are few: which filters, order, how many states)
  const prepared = statementCache(db, 200);

  function query<T extends LoadSummary>(q: LoadQuery, withSlots: boolean, map: (r: Row) => T): LoadPage<T> {
    const where: string[] = [];
    const p: Record<string, string | number> = {};
    whereEquals(where, p, { customerId: ['customer_id', q.customerId], deviceId: ['device_id', q.deviceId], offerId: ['offer_id', q.offerId] });
    if (q.states) {
      q.states.forEach((v, i) => (p[`st${i}`] = v));
      where.push(q.states.length ? `state IN (${q.states.map((_, i) => `@st${i}`).join(', ')})` : '0');
    }
    const filter = where.length ? where.join(' AND ') : '1';
    const desc = (q.order ?? 'desc') === 'desc';
    const total = (prepared(`SELECT count(*) AS n FROM loads WHERE ${filter}`).get(p) as { n: number }).n;
    if (q.limit === 0) return { total, loads: [], next: null };
    const pageWhere = q.after === undefined ? filter : `${filter} AND id ${desc ? '<' : '>'} @after`;
    if (q.after !== undefined) p.after = q.after;
    p.limit = q.limit === undefined ? -1 : q.limit + 1;
    p.offset = q.offset ?? 0;
    const sql = `SELECT ${SUMMARY_SQL}${withSlots ? ', slots' : ''} FROM loads WHERE ${pageWhere} ORDER BY id${desc ? ' DESC' : ''} LIMIT @limit OFFSET @offset`;
    const rows = prepared(sql).all(p) as Row[];
    const more = q.limit !== undefined && rows.length > q.limit;
    if (more) rows.pop();
    return { total, loads: rows.map(map), next: more ? rows[rows.length - 1]!.id : null };
  }
  const pageTx = db.transaction((q: LoadQuery) => query(q, false, summaryOf));
  const pageWithSlotsTx = db.transaction((q: LoadQuery) =>
    query(q, true, (r) => ({ ...summaryOf(r), slots: JSON.parse(r.slots!) as PowerSlot[] })),
  );

  return {
    add: (l) => addTx(l),
    update: (l) => void s.update.run({ ...params(l, FIGURES), id: l.id }),
    page: (q = {}) => pageTx(q),
    pageWithSlots: (q = {}) => pageWithSlotsTx(q),
    evicted: () => evicted,
    forget: (customerId) => db.prepare<[string]>('DELETE FROM loads WHERE customer_id = ?').run(customerId).changes,
    close: () => db.close(),
  };
}
