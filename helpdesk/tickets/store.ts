/**
 * Where tickets live. The helpdesk depends on this interface only; openSqliteStore (sqlite-store.ts)
 * is the durable implementation.
 */
import type { TicketState } from '../../contracts/index.js';
import type { Ticket } from './lifecycle.js';

export interface TicketListFilter {
  state?: TicketState;
  deviceId?: string;
}

export interface TicketStore {
  /**
   * Stores a freshly opened ticket unless a ticket for the same incident key exists already; then
   * that existing ticket (whatever its state) comes back with created=false.
   */
  openIdempotent(t: Ticket): { ticket: Ticket; created: boolean };
  get(id: string): Ticket | null;
  /** the ticket of this incident if it is not resolved */
  findOpenByIncident(incidentKey: string): Ticket | null;
  /** the most recently opened unresolved ticket of this device (device ids are unique per customer) and kind */
  findOpen(customerId: string, deviceId: string, kind: string): Ticket | null;
  /**
   * Upserts the ticket row and appends the timeline entries not stored yet, in one transaction.
   * Throws a TicketStoreError (EVN_ERR_TICKET_STALE) when the stored timeline is not a prefix of
   * t.timeline: the caller transitioned an outdated copy and would overwrite a newer update.
   */
  save(t: Ticket): void;
  /** ordered by openedAt, then id */
  list(filter?: TicketListFilter): Ticket[];
  close(): void;
}

export const STORE_ERR = {
  STALE: 'EVN_ERR_TICKET_STALE',
  SCHEMA: 'EVN_ERR_TICKET_SCHEMA',
} as const;
export type StoreErrorCode = (typeof STORE_ERR)[keyof typeof STORE_ERR];

export class TicketStoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'TicketStoreError';
    this.code = code;
  }
}
