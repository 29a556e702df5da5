/**
 * Where the satisfaction question lives: one per resolved ticket, when it was asked and the score (1–5)
 * the customer gave, if any. openSqliteSatisfactionStore keeps it in the helpdesk's database (table
 * `dialogue_satisfaction`, version in `evernet_schema` as 'dialogue').
 */
import type Database from 'better-sqlite3';
import { migrate, type Migration } from '../../storage/migrate.js';
import { guarded, openSqlite } from '../../storage/sqlite.js';

export interface SatisfactionRecord {
  ticketId: string;
  customerId: string;
  askedAt: number;
  score: number | null;
  answeredAt: number | null;
}

export interface SatisfactionStore {
  /** records the question unless the ticket was asked already; true when it is new */
  ask(r: { ticketId: string; customerId: string; askedAt: number }): boolean;
  get(ticketId: string): SatisfactionRecord | null;
  /** records the score of a question not answered yet; false when it was answered already */
  answer(ticketId: string, score: number, at: number): boolean;
  /** by the time asked, then ticket id */
  list(customerId?: string): SatisfactionRecord[];
  forget(customerId: string): number;
  close(): void;
}

const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE dialogue_satisfaction (
      ticket_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, asked_at INTEGER NOT NULL, score INTEGER, answered_at INTEGER
    );
    CREATE INDEX dialogue_satisfaction_customer ON dialogue_satisfaction (customer_id, asked_at);
    `),
];

interface Row {
  ticket_id: string;
  customer_id: string;
  asked_at: number;
  score: number | null;
  answered_at: number | null;
}
const fromRow = (r: Row): SatisfactionRecord => ({ ticketId: r.ticket_id, customerId: r.customer_id, askedAt: r.asked_at, score: r.score, answeredAt: r.answered_at });
const COLS = 'ticket_id, customer_id, asked_at, score, answered_at';

export function openSqliteSatisfactionStore(options: { path?: string; check?: boolean } = {}): SatisfactionStore {
  const file = options.path ?? ':memory:';
  const db: Database.Database = openSqlite({ path: file, check: options.check ?? true });
  const q = guarded(file, db, () => {
    migrate(db, { name: 'dialogue', migrations: MIGRATIONS });
    return {
      ask: db.prepare<[string, string, number]>('INSERT INTO dialogue_satisfaction (ticket_id, customer_id, asked_at) VALUES (?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING'),
      get: db.prepare<[string], Row>(`SELECT ${COLS} FROM dialogue_satisfaction WHERE ticket_id = ?`),
      answer: db.prepare<[number, number, string]>('UPDATE dialogue_satisfaction SET score = ?, answered_at = ? WHERE ticket_id = ? AND score IS NULL'),
      all: db.prepare<[], Row>(`SELECT ${COLS} FROM dialogue_satisfaction ORDER BY asked_at, ticket_id`),
      ofCustomer: db.prepare<[string], Row>(`SELECT ${COLS} FROM dialogue_satisfaction WHERE customer_id = ? ORDER BY asked_at, ticket_id`),
      forget: db.prepare<[string]>('DELETE FROM dialogue_satisfaction WHERE customer_id = ?'),
    };
  });
  return {
    ask: (r) => q.ask.run(r.ticketId, r.customerId, r.askedAt).changes > 0,
    get: (ticketId) => {
      const r = q.get.get(ticketId);
      return r ? fromRow(r) : null;
    },
    answer: (ticketId, score, at) => q.answer.run(score, at, ticketId).changes > 0,
    list: (customerId) => (customerId === undefined ? q.all.all() : q.ofCustomer.all(customerId)).map(fromRow),
    forget: (customerId) => q.forget.run(customerId).changes,
    close: () => db.close(),
  };
}
