/**
 * Where the customer's own data lives, next to the registry in the helpdesk's database: their
 * consent now and every change to it (with its event time and who made it), the contacts evernet
 * sent or held back (for the daily cap and the export), the audit log of staff views of their data,
 * and a record of each erasure under its pseudonym. openSqliteCustomerStore (sqlite-store.ts) keeps it
 * on SQLite (':memory:' for replays and tests).
 */
import type { Channel, Purpose } from '../../contracts/index.js';
import type { Consent } from './consent.js';

export interface ConsentChange {
  /** event time */
  at: number;
  /** 'customer' (the app), or a staff name */
  by: string;
  change: Record<string, unknown>;
}

/** One contact evernet sent to the customer, or held back (sent: false, with the reason). */
export interface ContactRecord {
  customerId: string;
  at: number;
  purpose: Purpose;
  channel: Channel | null;
  ticketId: string | null;
  /** a next-best offer's id (helpdesk/offers), when the contact is one */
  offerId?: string | null;
  /** what it said (offers record it here; a ticket's contacts are on its timeline) */
  text?: string | null;
  sent: boolean;
  reason: string;
}

/** One staff view (or change) of a customer's data: who, what, when. */
export interface AuditEntry {
  customerId: string;
  /** event time (the helpdesk's clock; wall time when it runs live) */
  at: number;
  /** the staff member's name, or 'customer' for the customer's own requests */
  by: string;
  /** e.g. 'GET /api/v1/tickets/:id', 'cli customers export', 'app export' */
  action: string;
  detail: Record<string, unknown>;
}

export interface ErasureRecord {
  pseudonym: string;
  at: number;
  by: string;
  /** how many rows of each kind went, tickets pseudonymised */
  counts: Record<string, number>;
}

export interface CustomerStore {
  /** the customer's consent; the defaults (consent.ts defaultConsent) when they never changed it */
  consent(customerId: string): Consent;
  /** stores the new consent and appends the change to its history, in one transaction */
  setConsent(customerId: string, consent: Consent, change: ConsentChange): void;
  /** every change, oldest first */
  history(customerId: string): ConsentChange[];
  recordContact(r: ContactRecord): void;
  /** the customer's contacts with at >= since, oldest first */
  contacts(customerId: string, since?: number): ContactRecord[];
  audit(e: AuditEntry): void;
  /** the customer's audit entries, oldest first */
  auditOf(customerId: string): AuditEntry[];
  /** the key pseudonyms are made with (made once per database, never leaves it) */
  secret(): Buffer;
  /**
   * Deletes the customer's consent, its history and their contacts, re-keys their audit entries to the
   * pseudonym, and records the erasure; one transaction. Returns how many rows of each went.
   */
  erase(customerId: string, record: ErasureRecord): Record<string, number>;
  erasure(pseudonym: string): ErasureRecord | undefined;
  close(): void;
}
