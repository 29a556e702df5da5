/**
 * TicketStore on SQLite (better-sqlite3, synchronous). One row per ticket in `tickets` (incident_key
 * UNIQUE), the append-only timeline in `timeline` (ticket_id, idx). Evidence and timeline details are
 * JSON text. summaries() filters, sorts, pages and counts in SQL without loading timelines. The schema
 * version is PRAGMA user_version; pending migrations run on open. File databases
 * use WAL journal mode; ':memory:' is for tests.
 */
import type Database from 'better-sqlite3';
import { migrate as runMigrations } from '../../storage/migrate.js';
import { guarded, openSqlite, statementCache, whereEquals } from '../../storage/sqlite.js';
import { Channel, Severity, TicketState } from '../../contracts/index.js';
import type { Ticket, TimelineEntry, TimelineStep } from './lifecycle.js';
import {
  SEVERITY_RANK,
  STATE_RANK,
  STORE_ERR,
  TicketStoreError,
  type TicketListFilter,
  type TicketSortKey,
  type TicketStore,
  type TicketSummaryPage,
  type TicketSummaryQuery,
  type TicketSummaryRecord,
} from './store.js';

type Db = Database.Database;

/** Migration i brings the schema from version i to version i + 1. Append only; never edit a shipped one. */
const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE tickets (
        id             TEXT PRIMARY KEY,
        incident_key   TEXT NOT NULL UNIQUE,
        device_id      TEXT NOT NULL,
        customer_id    TEXT NOT NULL,
        kind           TEXT NOT NULL,
        severity       TEXT NOT NULL,
        state          TEXT NOT NULL,
        opened_at      INTEGER NOT NULL,
        contacted_at   INTEGER,
        channel        TEXT,
        action_sent_at INTEGER,
        resolved_at    INTEGER,
        resolution     TEXT,
        evidence       TEXT NOT NULL,
        proactive      INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL
      );
      CREATE INDEX tickets_device_kind ON tickets (device_id, kind, state);
      CREATE INDEX tickets_opened ON tickets (opened_at, id);
      CREATE TABLE timeline (
        ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        idx       INTEGER NOT NULL,
        at        INTEGER NOT NULL,
        step      TEXT NOT NULL,
        "by"      TEXT NOT NULL,
        detail    TEXT NOT NULL,
        PRIMARY KEY (ticket_id, idx)
      );
    `);
  },
  // the queue's filters: state (and 'open': every state but resolved) with the newest first
  (db) => {
    db.exec(`CREATE INDEX tickets_state_opened ON tickets (state, opened_at, id);`);
  },
];
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Runs the pending migrations (the ticket store owns its file's user_version). */
export const migrate = (db: Db): number => runMigrations(db, { name: 'tickets', migrations: MIGRATIONS, version: 'user_version' });

interface TicketRow {
  id: string;
  incident_key: string;
  device_id: string;
  customer_id: string;
  kind: string;
  severity: string;
  state: string;
  opened_at: number;
  contacted_at: number | null;
  channel: string | null;
  action_sent_at: number | null;
  resolved_at: number | null;
  resolution: string | null;
  evidence: string;
  proactive: number;
  updated_at: number;
}
interface EntryRow {
  idx: number;
  at: number;
  step: string;
  by: string;
  detail: string;
}

const COLUMNS = [
  'id', 'incident_key', 'device_id', 'customer_id', 'kind', 'severity', 'state', 'opened_at', 'contacted_at',
  'channel', 'action_sent_at', 'resolved_at', 'resolution', 'evidence', 'proactive', 'updated_at',
] as const;
const INSERT_SQL = `INSERT INTO tickets (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`;
const UPDATE_SET = COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ');

function toRow(t: Ticket): TicketRow {
  return {
    id: t.id,
    incident_key: t.incidentKey,
    device_id: t.deviceId,
    customer_id: t.customerId,
    kind: t.kind,
    severity: t.severity,
    state: t.state,
    opened_at: t.openedAt,
    contacted_at: t.contactedAt,
    channel: t.channel,
    action_sent_at: t.actionSentAt,
    resolved_at: t.resolvedAt,
    resolution: t.resolution,
    evidence: JSON.stringify(t.evidence),
    proactive: t.proactive ? 1 : 0,
    updated_at: t.updatedAt,
  };
}

/** The columns a full ticket and a summary share. */
function commonFields(r: Omit<TicketRow, 'evidence'>) {
  return {
    id: r.id,
    incidentKey: r.incident_key,
    deviceId: r.device_id,
    customerId: r.customer_id,
    kind: r.kind,
    severity: Severity.parse(r.severity),
    state: TicketState.parse(r.state),
    openedAt: r.opened_at,
    contactedAt: r.contacted_at,
    channel: r.channel === null ? null : Channel.parse(r.channel),
    actionSentAt: r.action_sent_at,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
    proactive: r.proactive !== 0,
    updatedAt: r.updated_at,
  };
}

function fromRows(r: TicketRow, entries: EntryRow[]): Ticket {
  return {
    ...commonFields(r),
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    timeline: entries.map((e) => ({
      at: e.at,
      step: e.step as TimelineStep,
      by: e.by,
      detail: JSON.parse(e.detail) as Record<string, unknown>,
    })),
  };
}

interface SummaryRow extends Omit<TicketRow, 'evidence'> {
  version: number;
  assignee: string | null;
  acknowledged_by: string | null;
  customer_answer: string | null;
}

function fromSummaryRow(r: SummaryRow): TicketSummaryRecord {
  return {
    ...commonFields(r),
    version: r.version,
    assignee: r.assignee,
    acknowledgedBy: r.acknowledged_by,
    customerAnswer: r.customer_answer,
  };
}

/**
 * The SQL of sortKeyOf (store.ts), per sort: the expressions a row sorts by, ascending. They end with
 * opened_at, id so that 'opened' walks the index tickets_opened (state filters: tickets_state_opened).
 */
const RESPONDED = 'coalesce(contacted_at, resolved_at)';
const SLA_DUE = `opened_at + 60000 * CASE severity WHEN 'critical' THEN @slaCritical WHEN 'high' THEN @slaHigh WHEN 'medium' THEN @slaMedium ELSE @slaLow END`;
/** `CASE column WHEN 'a' THEN 0 ... END` from a rank table */
const rankSql = (column: string, ranks: Readonly<Record<string, number>>): string =>
  `CASE ${column} ${Object.entries(ranks).map(([value, rank]) => `WHEN '${value}' THEN ${rank}`).join(' ')} END`;
const SORT_SQL: Record<TicketSortKey, string[]> = {
  opened: [],
  severity: [rankSql('severity', SEVERITY_RANK)],
  state: [rankSql('state', STATE_RANK)],
  contact: [`(${RESPONDED} IS NULL)`, `coalesce(${RESPONDED} - opened_at, 0)`],
  sla: [
    `CASE WHEN ${RESPONDED} IS NOT NULL THEN 2 WHEN ${SLA_DUE} < @slaNow THEN 0 ELSE 1 END`,
    `CASE WHEN ${RESPONDED} IS NULL AND ${SLA_DUE} >= @slaNow THEN ${SLA_DUE} ELSE 0 END`,
  ],
  kind: ['kind'],
  device: ['customer_id', 'device_id'],
};
const SUMMARY_COLUMNS = COLUMNS.filter((c) => c !== 'evidence').map((c) => `t.${c}`).join(', ');
/** a correlated lookup of the last note of a kind, for the (few) rows of a page only */
const LAST_NOTE = (what: string, kind: string) =>
  `(SELECT ${what} FROM timeline n WHERE n.ticket_id = t.id AND n.step = 'note' AND json_extract(n.detail, '$.kind') = '${kind}'` +
  `${kind === 'assigned' ? ` AND json_type(n.detail, '$.to') = 'text'` : kind === 'reply' ? ` AND json_type(n.detail, '$.answer') = 'text'` : ''} ORDER BY n.idx DESC LIMIT 1)`;

type SqlValue = string | number | null;

/** Builds the summary query's SQL and parameters: one SELECT for the page, one COUNT for the total. */
function summarySql(q: TicketSummaryQuery): { page: string; count: string; params: Record<string, SqlValue>; keys: number } {
  const sort = q.sort ?? 'opened';
  const desc = (q.order ?? 'desc') === 'desc';
  const params: Record<string, SqlValue> = {};
  const where: string[] = [];
  const list = (name: string, values: readonly string[]): string => {
    values.forEach((v, i) => (params[`${name}${i}`] = v));
    return values.map((_, i) => `@${name}${i}`).join(', ');
  };
  if (q.states) where.push(q.states.length ? `state IN (${list('st', q.states)})` : '0');
  if (q.severities) where.push(q.severities.length ? `severity IN (${list('sev', q.severities)})` : '0');
  whereEquals(where, params, {
    proactive: ['proactive', q.proactive === undefined ? undefined : Number(q.proactive)],
    customerId: ['customer_id', q.customerId],
    deviceId: ['device_id', q.deviceId],
  });
  const filter = where.length ? where.join(' AND ') : '1';

  const exprs = [...SORT_SQL[sort], 'opened_at', 'id'];
  if (sort === 'sla') {
    if (!q.sla) throw new TypeError("sorting by 'sla' needs the event time and the SLA minutes");
    Object.assign(params, {
      slaNow: q.sla.now,
      slaCritical: q.sla.minutes.critical,
      slaHigh: q.sla.minutes.high,
      slaMedium: q.sla.minutes.medium,
      slaLow: q.sla.minutes.low,
    });
  }
  const pageWhere = [filter];
  if (q.after) {
    if (q.after.length !== exprs.length) throw new TypeError(`'after' needs ${exprs.length} values for sort '${sort}'`);
    q.after.forEach((v, i) => (params[`after${i}`] = v));
    pageWhere.push(`(${exprs.join(', ')}) ${desc ? '<' : '>'} (${exprs.map((_, i) => `@after${i}`).join(', ')})`);
  }
  const dir = desc ? ' DESC' : '';
  params.limit = q.limit === undefined ? -1 : q.limit + 1;
  params.offset = q.offset ?? 0;
  // the page first (a materialized CTE, so SQLite cannot flatten it), then the timeline lookups for its rows only
  const page = `
    WITH page AS MATERIALIZED (
      SELECT ${exprs.map((e, i) => `${e} AS k${i}`).join(', ')}, id AS pid FROM tickets
      WHERE ${pageWhere.join(' AND ')}
      ORDER BY ${exprs.map((e) => e + dir).join(', ')}
      LIMIT @limit OFFSET @offset
    )
    SELECT ${exprs.map((_, i) => `page.k${i}`).join(', ')}, ${SUMMARY_COLUMNS},
      (SELECT count(*) FROM timeline v WHERE v.ticket_id = t.id) AS version,
      ${LAST_NOTE(`json_extract(n.detail, '$.to')`, 'assigned')} AS assignee,
      ${LAST_NOTE('n."by"', 'acknowledged')} AS acknowledged_by,
      ${LAST_NOTE(`json_extract(n.detail, '$.answer')`, 'reply')} AS customer_answer
    FROM page JOIN tickets t ON t.id = page.pid
    ORDER BY ${exprs.map((_, i) => `page.k${i}${dir}`).join(', ')}`;
  const count = `SELECT count(*) AS n FROM tickets WHERE ${filter}`;
  return { page, count, params, keys: exprs.length };
}

const sameEntry = (row: EntryRow, e: TimelineEntry): boolean =>
  row.at === e.at && row.step === e.step && row.by === e.by && row.detail === JSON.stringify(e.detail);

export function openSqliteStore(options: { path: string }): TicketStore {
  const db = openSqlite({ path: options.path });
  guarded(options.path, db, () => migrate(db));

  const s = {
    insertIfNew: db.prepare<TicketRow>(`${INSERT_SQL} ON CONFLICT (incident_key) DO NOTHING`),
    upsert: db.prepare<TicketRow>(`${INSERT_SQL} ON CONFLICT (id) DO UPDATE SET ${UPDATE_SET}`),
    insertEntry: db.prepare<[string, number, number, string, string, string]>(
      `INSERT INTO timeline (ticket_id, idx, at, step, "by", detail) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    lastEntry: db.prepare<[string], EntryRow>(
      `SELECT idx, at, step, "by", detail FROM timeline WHERE ticket_id = ? ORDER BY idx DESC LIMIT 1`,
    ),
    entries: db.prepare<[string], EntryRow>(
      `SELECT idx, at, step, "by", detail FROM timeline WHERE ticket_id = ? ORDER BY idx`,
    ),
    byId: db.prepare<[string], TicketRow>(`SELECT * FROM tickets WHERE id = ?`),
    byIncident: db.prepare<[string], TicketRow>(`SELECT * FROM tickets WHERE incident_key = ?`),
    openByDeviceKind: db.prepare<[string, string, string], TicketRow>(
      `SELECT * FROM tickets WHERE customer_id = ? AND device_id = ? AND kind = ? AND state <> 'resolved'
       ORDER BY opened_at DESC, id DESC LIMIT 1`,
    ),
    list: db.prepare<{ state: string | null; deviceId: string | null }, TicketRow>(
      `SELECT * FROM tickets WHERE (@state IS NULL OR state = @state) AND (@deviceId IS NULL OR device_id = @deviceId)
       ORDER BY opened_at, id`,
    ),
    // the timelines of the tickets list() returns, in one query rather than one per ticket
    listEntries: db.prepare<{ state: string | null; deviceId: string | null }, EntryRow & { ticket_id: string }>(
      `SELECT ticket_id, idx, at, step, "by", detail FROM timeline WHERE ticket_id IN (
         SELECT id FROM tickets WHERE (@state IS NULL OR state = @state) AND (@deviceId IS NULL OR device_id = @deviceId)
       ) ORDER BY ticket_id, idx`,
    ),
  };

  const load = (row: TicketRow | undefined): Ticket | null => (row ? fromRows(row, s.entries.all(row.id)) : null);

  const listTx = db.transaction((filter: TicketListFilter): Ticket[] => {
    const params = { state: filter.state ?? null, deviceId: filter.deviceId ?? null };
    const rows = s.list.all(params);
    const entries = new Map<string, EntryRow[]>();
    for (const e of s.listEntries.all(params)) {
      let es = entries.get(e.ticket_id);
      if (!es) entries.set(e.ticket_id, (es = []));
      es.push(e);
    }
    return rows.map((r) => fromRows(r, entries.get(r.id) ?? []));
  });

  // summary statements by SQL text (the shapes are few: sort, order, which filters, how many values)
  const prepared = statementCache(db, 500);
  const summariesTx = db.transaction((q: TicketSummaryQuery): TicketSummaryPage => {
    const { page, count, params, keys } = summarySql(q);
    const total = (prepared(count).get(params) as { n: number }).n;
    if (q.limit === 0) return { total, tickets: [], next: null };
    const rows = prepared(page).all(params) as Array<SummaryRow & Record<string, string | number>>;
    const more = q.limit !== undefined && rows.length > q.limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return {
      total,
      tickets: rows.map(fromSummaryRow),
      next: more && last ? Array.from({ length: keys }, (_, i) => last[`k${i}`]!) : null,
    };
  });

  const appendEntries = (t: Ticket, from: number): void => {
    for (let i = from; i < t.timeline.length; i++) {
      const e = t.timeline[i]!;
      s.insertEntry.run(t.id, i, e.at, e.step, e.by, JSON.stringify(e.detail));
    }
  };

  const openTx = db.transaction((t: Ticket): { ticket: Ticket; created: boolean } => {
    const created = s.insertIfNew.run(toRow(t)).changes === 1;
    if (created) appendEntries(t, 0);
    return { ticket: load(s.byIncident.get(t.incidentKey))!, created };
  });

  const saveTx = db.transaction((t: Ticket): void => {
    const last = s.lastEntry.get(t.id);
    const stored = last ? last.idx + 1 : 0;
    if (last && (stored > t.timeline.length || !sameEntry(last, t.timeline[last.idx]!))) {
      throw new TicketStoreError(
        STORE_ERR.STALE,
        `ticket ${t.id}: the stored timeline (${stored} entries) is not a prefix of the one saved (${t.timeline.length}); reload and retry`,
      );
    }
    s.upsert.run(toRow(t));
    appendEntries(t, stored);
  });

  const dropTicket = db.prepare<[string]>('DELETE FROM tickets WHERE id = ?');
  const dropTimeline = db.prepare<[string]>('DELETE FROM timeline WHERE ticket_id = ?');
  const replaceTx = db.transaction((oldId: string, t: Ticket): void => {
    // the timeline goes with its ticket (ON DELETE CASCADE)
    dropTicket.run(oldId);
    s.upsert.run(toRow(t));
    dropTimeline.run(t.id);
    appendEntries(t, 0);
  });

  return {
    openIdempotent: (t) => openTx(t),
    get: (id) => load(s.byId.get(id)),
    findOpen: (customerId, deviceId, kind) => load(s.openByDeviceKind.get(customerId, deviceId, kind)),
    save: (t) => saveTx(t),
    list: (filter: TicketListFilter = {}) => listTx(filter),
    summaries: (q: TicketSummaryQuery = {}) => summariesTx(q),
    replace: (oldId, t) => replaceTx(oldId, t),
    close: () => db.close(),
  };
}
