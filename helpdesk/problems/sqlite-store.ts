/**
 * ProblemStore on SQLite, in the helpdesk's database next to tickets (tables of their own, version in
 * `evernet_schema` as 'problems'): `problems` one row per problem, `problem_links` one row per linked
 * ticket (a ticket is in at most one problem) with the state the ticket is in. Both stay small: a
 * problem is a handful to a few thousand tickets.
 */
import { TicketState } from '../../contracts/index.js';
import { migrate, type Migration } from '../../storage/migrate.js';
import { guarded, openSqlite } from '../../storage/sqlite.js';
import { CAUSE_ATTRS, type CauseAttr, type Problem } from './group.js';
import { recordOf, type ProblemQuery, type ProblemRecord, type ProblemStore } from './store.js';
import { isKind } from '../registry/records.js';

export interface SqliteProblemStoreOptions {
  /** the helpdesk's database file, or ':memory:' */
  path: string;
  /** check the file's pages at open (default true); false when another store has just checked the same file */
  check?: boolean;
}

/** Migration i brings the schema from version i to i + 1. Append only. */
const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE problems (
      id          TEXT PRIMARY KEY,
      key         TEXT NOT NULL,
      kind        TEXT NOT NULL,
      device_kind TEXT NOT NULL,
      cause_attr  TEXT NOT NULL,
      cause_value TEXT NOT NULL,
      cause_label TEXT NOT NULL,
      opened_at   INTEGER NOT NULL,
      first_at    INTEGER NOT NULL,
      last_at     INTEGER NOT NULL,
      explanation TEXT NOT NULL
    );
    CREATE INDEX problems_opened ON problems (opened_at, id);
    CREATE INDEX problems_last ON problems (last_at);
    CREATE TABLE problem_links (
      ticket_id  TEXT PRIMARY KEY,
      problem_id TEXT NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
      opened_at  INTEGER NOT NULL,
      state      TEXT NOT NULL
    );
    CREATE INDEX problem_links_problem ON problem_links (problem_id, opened_at, ticket_id);
    `),
  // how many tickets it took to open the problem (the threshold, or a share of a large population)
  (db) => db.exec('ALTER TABLE problems ADD COLUMN need INTEGER NOT NULL DEFAULT 3'),
];

interface Row {
  id: string;
  key: string;
  kind: string;
  device_kind: string;
  cause_attr: string;
  cause_value: string;
  cause_label: string;
  opened_at: number;
  first_at: number;
  last_at: number;
  explanation: string;
  need: number;
}
interface LinkRow {
  ticket_id: string;
  problem_id: string;
  opened_at: number;
  state: string;
}

export function openSqliteProblemStore(options: SqliteProblemStoreOptions): ProblemStore {
  const db = openSqlite({ path: options.path, check: options.check ?? true });
  guarded(options.path, db, () => migrate(db, { name: 'problems', migrations: MIGRATIONS }));
  const s = {
    upsert: db.prepare<Row>(`INSERT INTO problems (id, key, kind, device_kind, cause_attr, cause_value, cause_label, opened_at, first_at, last_at, explanation, need)
      VALUES (@id, @key, @kind, @device_kind, @cause_attr, @cause_value, @cause_label, @opened_at, @first_at, @last_at, @explanation, @need)
      ON CONFLICT (id) DO UPDATE SET opened_at = excluded.opened_at, first_at = excluded.first_at, last_at = excluded.last_at, explanation = excluded.explanation`),
    link: db.prepare<LinkRow>(`INSERT INTO problem_links (ticket_id, problem_id, opened_at, state) VALUES (@ticket_id, @problem_id, @opened_at, @state)
      ON CONFLICT (ticket_id) DO NOTHING`),
    setState: db.prepare<[string, string, string]>(`UPDATE problem_links SET state = ? WHERE ticket_id = ? AND state <> ?`),
    byId: db.prepare<[string], Row>(`SELECT * FROM problems WHERE id = ?`),
    links: db.prepare<[string], LinkRow>(`SELECT * FROM problem_links WHERE problem_id = ? ORDER BY opened_at, ticket_id`),
    ofTicket: db.prepare<[string], { problem_id: string }>(`SELECT problem_id FROM problem_links WHERE ticket_id = ?`),
    all: db.prepare<[], Row>(`SELECT * FROM problems ORDER BY opened_at DESC, id DESC`),
    recent: db.prepare<[number], Row>(`SELECT * FROM problems WHERE last_at >= ? ORDER BY opened_at DESC, id DESC`),
    keys: db.prepare<[], { key: string; id: string }>(`SELECT key, id FROM problems`),
  };

  const attr = (a: string, id: string): CauseAttr => {
    if (!(CAUSE_ATTRS as readonly string[]).includes(a)) throw new Error(`problem ${id}: unknown cause '${a}'`);
    return a as CauseAttr;
  };
  function load(r: Row | undefined): ProblemRecord | null {
    if (!r) return null;
    if (!isKind(r.device_kind)) throw new Error(`problem ${r.id}: unknown device kind '${r.device_kind}'`);
    return recordOf({
      id: r.id, key: r.key, kind: r.kind, deviceKind: r.device_kind,
      cause: { attr: attr(r.cause_attr, r.id), value: r.cause_value, label: r.cause_label },
      openedAt: r.opened_at, firstAt: r.first_at, lastAt: r.last_at, explanation: r.explanation, need: r.need,
      links: s.links.all(r.id).map((l) => ({ ticketId: l.ticket_id, openedAt: l.opened_at, state: TicketState.parse(l.state) })),
    });
  }

  const saveTx = db.transaction((p: Problem, stateOf: (ticketId: string) => TicketState): ProblemRecord => {
    s.upsert.run({
      id: p.id, key: p.key, kind: p.kind, device_kind: p.deviceKind, cause_attr: p.cause.attr, cause_value: p.cause.value, cause_label: p.cause.label,
      opened_at: p.openedAt, first_at: p.firstAt, last_at: p.lastAt, explanation: p.explanation, need: p.need,
    });
    for (const l of p.links) s.link.run({ ticket_id: l.ticketId, problem_id: p.id, opened_at: l.openedAt, state: stateOf(l.ticketId) });
    return load(s.byId.get(p.id))!;
  });
  const stateTx = db.transaction((ticketId: string, state: string): ProblemRecord | null => {
    const at = s.ofTicket.get(ticketId);
    if (!at || s.setState.run(state, ticketId, state).changes === 0) return null;
    return load(s.byId.get(at.problem_id));
  });

  return {
    save: (p, stateOf) => saveTx(p, stateOf),
    setTicketState: (ticketId, state) => stateTx(ticketId, state),
    get: (id) => load(s.byId.get(id)),
    list(q: ProblemQuery = {}) {
      const out: ProblemRecord[] = [];
      for (const r of s.all.iterate()) {
        const p = load(r)!;
        if (q.state !== undefined && p.state !== q.state) continue;
        out.push(p);
        if (q.limit !== undefined && out.length >= q.limit) break;
      }
      return out;
    },
    problemOf: (ticketId) => s.ofTicket.get(ticketId)?.problem_id ?? null,
    recent: (since) => s.recent.all(since).map((r) => load(r)!),
    counts() {
      const out: Record<string, number> = {};
      for (const { key, id } of s.keys.all()) out[key] = Math.max(out[key] ?? 0, Number(id.slice(id.lastIndexOf('-') + 1)));
      return out;
    },
    close: () => db.close(),
  };
}
