/**
 * Set-up for tests of the ticket store: a lifecycle step's result unwrapped to its ticket, and a fresh
 * SQLite ticket store in memory for each test (closed after it).
 */
import { afterEach, beforeEach } from 'vitest';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import type { TicketStore } from '../../helpdesk/tickets/store.js';

/** a step that must succeed (lifecycle's ticketOf) */
export { ticketOf as ok } from '../../helpdesk/tickets/lifecycle.js';

/** Call inside a describe block: `.store` is a fresh ':memory:' store in each of its tests. */
export function memoryTicketStores(): { readonly store: TicketStore } {
  let store: TicketStore | null = null;
  beforeEach(() => {
    store = openSqliteStore({ path: ':memory:' });
  });
  afterEach(() => {
    store?.close();
    store = null;
  });
  return {
    get store() {
      if (!store) throw new Error('memoryTicketStores: used outside a test');
      return store;
    },
  };
}
