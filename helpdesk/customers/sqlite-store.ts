/**
 * CustomerStore on SQLite, in the helpdesk's database (tables `customer_*`, version in
 * `evernet_schema` as 'customers'):
 *
 *   customer_consent          customer -> consent now (JSON), when it last changed
 *   customer_consent_history  every change: customer, event time, by whom, what (JSON)
 *   customer_contacts         contacts sent or held back: customer, time, purpose, channel, ticket, reason; an offer's id and text
 *   customer_audit            staff views of a customer's data: customer, time, who, what
 *   customer_erasures         pseudonym -> when, by whom, how much went
 *   customer_secret           the key of the pseudonyms (random, made with the table)
 */
import type Database from 'better-sqlite3';
import type { Channel, Purpose } from '../../contracts/index.js';
import { migrate, type Migration } from '../../storage/migrate.js';
import { guarded, openSqlite } from '../../storage/sqlite.js';
import { defaultConsent, type Consent } from './consent.js';
import type { AuditEntry, ConsentChange, CustomerStore, ErasureRecord } from './store.js';

export interface SqliteCustomerStoreOptions {
  /** the helpdesk's database file, or ':memory:' */
  path?: string;
  /** check the file's pages at open (default true); false when another store has just checked the same file */
  check?: boolean;
  /** a connection of the caller's instead of `path`; the caller closes it */
  db?: Database.Database;
}

const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE customer_consent (customer_id TEXT PRIMARY KEY, settings TEXT NOT NULL, updated_at INTEGER NOT NULL);
    CREATE TABLE customer_consent_history (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL, at INTEGER NOT NULL, "by" TEXT NOT NULL, change TEXT NOT NULL
    );
    CREATE INDEX customer_consent_history_customer ON customer_consent_history (customer_id, seq);
    CREATE TABLE customer_contacts (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL, at INTEGER NOT NULL, purpose TEXT NOT NULL,
      channel TEXT, ticket_id TEXT, sent INTEGER NOT NULL, reason TEXT NOT NULL
    );
    CREATE INDEX customer_contacts_customer ON customer_contacts (customer_id, at);
    CREATE TABLE customer_audit (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL, at INTEGER NOT NULL, "by" TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL
    );
    CREATE INDEX customer_audit_customer ON customer_audit (customer_id, seq);
    CREATE TABLE customer_erasures (pseudonym TEXT PRIMARY KEY, at INTEGER NOT NULL, "by" TEXT NOT NULL, counts TEXT NOT NULL);
    CREATE TABLE customer_secret (one INTEGER PRIMARY KEY CHECK (one = 1), key BLOB NOT NULL);
    INSERT INTO customer_secret (one, key) VALUES (1, randomblob(32));
    `),
  // next-best offers: the contact names its offer and keeps its text
  (db) => db.exec('ALTER TABLE customer_contacts ADD COLUMN offer_id TEXT; ALTER TABLE customer_contacts ADD COLUMN text TEXT;'),
];

interface ContactRow {
  customer_id: string;
  at: number;
  purpose: string;
  channel: string | null;
  ticket_id: string | null;
  offer_id: string | null;
  text: string | null;
  sent: number;
  reason: string;
}

export function openSqliteCustomerStore(options: SqliteCustomerStoreOptions = {}): CustomerStore {
  const file = options.path ?? ':memory:';
  const own = !options.db;
  const db = options.db ?? openSqlite({ path: file, check: options.check ?? true });
  const q = guarded(file, db, () => {
    migrate(db, { name: 'customers', migrations: MIGRATIONS });
    return {
      consent: db.prepare<[string], { settings: string }>('SELECT settings FROM customer_consent WHERE customer_id = ?'),
      putConsent: db.prepare<[string, string, number]>(
        'INSERT INTO customer_consent (customer_id, settings, updated_at) VALUES (?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at',
      ),
      addHistory: db.prepare<[string, number, string, string]>('INSERT INTO customer_consent_history (customer_id, at, "by", change) VALUES (?, ?, ?, ?)'),
      history: db.prepare<[string], { at: number; by: string; change: string }>('SELECT at, "by", change FROM customer_consent_history WHERE customer_id = ? ORDER BY seq'),
      addContact: db.prepare<[string, number, string, string | null, string | null, number, string, string | null, string | null]>(
        'INSERT INTO customer_contacts (customer_id, at, purpose, channel, ticket_id, sent, reason, offer_id, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      contacts: db.prepare<[string, number], ContactRow>(
        'SELECT customer_id, at, purpose, channel, ticket_id, offer_id, text, sent, reason FROM customer_contacts WHERE customer_id = ? AND at >= ? ORDER BY at, seq',
      ),
      addAudit: db.prepare<[string, number, string, string, string]>('INSERT INTO customer_audit (customer_id, at, "by", action, detail) VALUES (?, ?, ?, ?, ?)'),
      audit: db.prepare<[string], { customer_id: string; at: number; by: string; action: string; detail: string }>(
        'SELECT customer_id, at, "by", action, detail FROM customer_audit WHERE customer_id = ? ORDER BY seq',
      ),
      secret: db.prepare<[], { key: Buffer }>('SELECT key FROM customer_secret WHERE one = 1'),
      dropConsent: db.prepare<[string]>('DELETE FROM customer_consent WHERE customer_id = ?'),
      dropHistory: db.prepare<[string]>('DELETE FROM customer_consent_history WHERE customer_id = ?'),
      dropContacts: db.prepare<[string]>('DELETE FROM customer_contacts WHERE customer_id = ?'),
      rekeyAudit: db.prepare<[string, string]>("UPDATE customer_audit SET customer_id = ?, detail = '{}' WHERE customer_id = ?"),
      putErasure: db.prepare<[string, number, string, string]>(
        'INSERT INTO customer_erasures (pseudonym, at, "by", counts) VALUES (?, ?, ?, ?) ON CONFLICT (pseudonym) DO UPDATE SET at = excluded.at, "by" = excluded."by", counts = excluded.counts',
      ),
      erasure: db.prepare<[string], { pseudonym: string; at: number; by: string; counts: string }>('SELECT pseudonym, at, "by", counts FROM customer_erasures WHERE pseudonym = ?'),
    };
  });
  const key = q.secret.get()!.key;

  const setTx = db.transaction((customerId: string, consent: Consent, ch: ConsentChange) => {
    q.putConsent.run(customerId, JSON.stringify(consent), ch.at);
    q.addHistory.run(customerId, ch.at, ch.by, JSON.stringify(ch.change));
  });
  const eraseTx = db.transaction((customerId: string, r: ErasureRecord): Record<string, number> => {
    const counts = {
      consentChanges: q.dropHistory.run(customerId).changes,
      consent: q.dropConsent.run(customerId).changes,
      contacts: q.dropContacts.run(customerId).changes,
      auditPseudonymised: q.rekeyAudit.run(r.pseudonym, customerId).changes,
    };
    q.putErasure.run(r.pseudonym, r.at, r.by, JSON.stringify({ ...r.counts, ...counts }));
    return counts;
  });

  return {
    consent(customerId) {
      const row = q.consent.get(customerId);
      return row ? (JSON.parse(row.settings) as Consent) : defaultConsent();
    },
    setConsent: (customerId, consent, change) => setTx(customerId, consent, change),
    history: (customerId) => q.history.all(customerId).map((r) => ({ at: r.at, by: r.by, change: JSON.parse(r.change) as Record<string, unknown> })),
    recordContact(r) {
      q.addContact.run(r.customerId, r.at, r.purpose, r.channel, r.ticketId, r.sent ? 1 : 0, r.reason, r.offerId ?? null, r.text ?? null);
    },
    contacts: (customerId, since = Number.MIN_SAFE_INTEGER) =>
      q.contacts.all(customerId, since).map((r) => ({
        customerId: r.customer_id, at: r.at, purpose: r.purpose as Purpose, channel: r.channel as Channel | null, ticketId: r.ticket_id,
        // only an offer's contact carries these: the others keep their shape
        ...(r.offer_id !== null ? { offerId: r.offer_id } : {}), ...(r.text !== null ? { text: r.text } : {}),
        sent: r.sent !== 0, reason: r.reason,
      })),
    audit(e: AuditEntry) {
      q.addAudit.run(e.customerId, e.at, e.by, e.action, JSON.stringify(e.detail));
    },
    auditOf: (customerId) =>
      q.audit.all(customerId).map((r) => ({ customerId: r.customer_id, at: r.at, by: r.by, action: r.action, detail: JSON.parse(r.detail) as Record<string, unknown> })),
    secret: () => Buffer.from(key),
    erase: (customerId, record) => eraseTx(customerId, record),
    erasure(pseudonym) {
      const r = q.erasure.get(pseudonym);
      return r ? { pseudonym: r.pseudonym, at: r.at, by: r.by, counts: JSON.parse(r.counts) as Record<string, number> } : undefined;
    },
    close() {
      if (own) db.close();
    },
  };
}
