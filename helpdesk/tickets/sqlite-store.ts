/**
 * TicketStore on SQLite (better-sqlite3, synchronous). One row per ticket in `tickets` (incident_key
 * UNIQUE), the append-only timeline in `timeline` (ticket_id, idx). Evidence and timeline details are
 * JSON text. The schema version is PRAGMA user_version; pending migrations run on open. File databases
 * use WAL journal mode; ':memory:' is for tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Channel, Severity, TicketState } from '../../contracts/index.js';
import type { Ticket, TimelineEntry, TimelineStep } from './lifecycle.js';
import { STORE_ERR, TicketStoreError, type TicketListFilter, type TicketStore } from './store.js';

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
];
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Runs the pending migrations, each in its own transaction together with its user_version bump. */
export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new TicketStoreError(STORE_ERR.SCHEMA, `database schema version ${current} is newer than this build (${SCHEMA_VERSION})`);
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      MIGRATIONS[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return SCHEMA_VERSION;
}

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

function fromRows(r: TicketRow, entries: EntryRow[]): Ticket {
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
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    proactive: r.proactive !== 0,
    updatedAt: r.updated_at,
    timeline: entries.map((e) => ({
      at: e.at,
      step: e.step as TimelineStep,
      by: e.by,
      detail: JSON.parse(e.detail) as Record<string, unknown>,
    })),
  };
}

const sameEntry = (row: EntryRow, e: TimelineEntry): boolean =>
  row.at === e.at && row.step === e.step && row.by === e.by && row.detail === JSON.stringify(e.detail);

export function openSqliteStore(options: { path: string }): TicketStore {
  const file = options.path;
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory && !file.startsWith('file:')) fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  if (!inMemory) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  migrate(db);

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
    openByIncident: db.prepare<[string], TicketRow>(
      `SELECT * FROM tickets WHERE incident_key = ? AND state <> 'resolved'`,
    ),
    openByDeviceKind: db.prepare<[string, string, string], TicketRow>(
      `SELECT * FROM tickets WHERE customer_id = ? AND device_id = ? AND kind = ? AND state <> 'resolved'
       ORDER BY opened_at DESC, id DESC LIMIT 1`,
    ),
    list: db.prepare<{ state: string | null; deviceId: string | null }, TicketRow>(
      `SELECT * FROM tickets WHERE (@state IS NULL OR state = @state) AND (@deviceId IS NULL OR device_id = @deviceId)
       ORDER BY opened_at, id`,
    ),
  };

  const load = (row: TicketRow | undefined): Ticket | null => (row ? fromRows(row, s.entries.all(row.id)) : null);

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

  return {
    openIdempotent: (t) => openTx(t),
    get: (id) => load(s.byId.get(id)),
    findOpenByIncident: (incidentKey) => load(s.openByIncident.get(incidentKey)),
    findOpen: (customerId, deviceId, kind) => load(s.openByDeviceKind.get(customerId, deviceId, kind)),
    save: (t) => saveTx(t),
    list: (filter: TicketListFilter = {}) =>
      s.list.all({ state: filter.state ?? null, deviceId: filter.deviceId ?? null }).map((r) => load(r)!),
    close: () => db.close(),
  };
}
