/** The customer's blacklist holds for the product-service chain: a workshop they refuse is never the one a ticket offers. */
import { describe, expect, it } from 'vitest';
import { createCustomers } from '../../../helpdesk/customers/customers.js';
import { openSqliteCustomerStore } from '../../../helpdesk/customers/sqlite-store.js';
import type { Directory } from '../../../helpdesk/directory.js';
import { createOutbox } from '../../../helpdesk/outbox.js';
import { createMemoryRegistryStore, createRegistry } from '../../../helpdesk/registry/index.js';
import { openSqliteTelemetryStore } from '../../../helpdesk/telemetry/sqlite-store.js';
import { createTicketOps } from '../../../helpdesk/ticket-ops.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import { silentLogger } from '../../../log/logger.js';

const T = Date.parse('2020-11-02T18:00:00+01:00');
const WORLD: Directory = {
  customers: [{ id: 'maria', name: 'Maria', home: { lat: 50.94, lon: 6.96 }, preferences: { channels: ['app-push'] }, devices: [{ id: 'car', kind: 'car-battery', customerId: 'maria', name: 'Car' }] }],
  stores: [],
  workshops: [
    { id: 'near-garage', name: 'Near Garage', location: { lat: 50.941, lon: 6.961 }, services: ['car-battery'], replacementCar: false },
    { id: 'far-garage', name: 'Far Garage', location: { lat: 51.0, lon: 7.0 }, services: ['car-battery'], replacementCar: true },
  ],
};

describe('a blacklisted workshop', () => {
  it('is passed over for the next nearest, and offered again once the customer takes it off', () => {
    const log = silentLogger();
    const registry = createRegistry({ store: createMemoryRegistryStore(), log });
    registry.seed(WORLD, T);
    const telemetry = openSqliteTelemetryStore({ path: ':memory:' });
    const tickets = openSqliteStore({ path: ':memory:' });
    const customers = createCustomers({ store: openSqliteCustomerStore(), registry, tickets, telemetry: { range: telemetry.raw, minutes: telemetry.minutes, forget: telemetry.forget }, log });
    const ops = createTicketOps({ store: tickets, outbox: createOutbox(), directory: registry.directory, log, drivingCar: () => undefined, consent: customers });
    const maria = registry.directory.customer('maria')!;
    const car = registry.directory.device('maria', 'car')!;

    expect(ops.offerFor(maria, car).offer).toMatchObject({ workshopId: 'near-garage' });
    customers.request('maria', { type: 'blacklist', requestId: 'r-1', add: ['near-garage'], remove: [] }, T);
    expect(ops.offerFor(maria, car).offer).toMatchObject({ workshopId: 'far-garage' });
    customers.request('maria', { type: 'blacklist', requestId: 'r-2', add: ['far-garage'], remove: [] }, T + 1);
    expect(ops.offerFor(maria, car).offer).toEqual({ technician: true });
    customers.request('maria', { type: 'blacklist', requestId: 'r-3', add: [], remove: ['near-garage'] }, T + 2);
    expect(ops.offerFor(maria, car).offer).toMatchObject({ workshopId: 'near-garage' });
  });
});
