/**
 * The product-service chain's offer fits the device: one workshop that services cars, fridges and
 * washers and lends replacement cars offers the car only for a car; a fridge or a washer gets a
 * technician from it, not "can take it, with a replacement car while yours is in".
 */
import { describe, expect, it } from 'vitest';
import { indexDirectory, type Directory, type DirectoryCustomer, type DirectoryDevice } from '../../helpdesk/directory.js';
import { createOutbox } from '../../helpdesk/outbox.js';
import { createTicketOps } from '../../helpdesk/ticket-ops.js';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import { silentLogger } from '../../log/logger.js';

const devices: DirectoryDevice[] = [
  { id: 'car', kind: 'car-battery', customerId: 'maria', name: 'Car' },
  { id: 'fridge', kind: 'fridge', customerId: 'maria', name: 'Fridge' },
  { id: 'washer', kind: 'washer', customerId: 'maria', name: 'Washer' },
];
const maria: DirectoryCustomer = { id: 'maria', name: 'Maria', home: { lat: 50.94, lon: 6.96 }, preferences: { channels: ['app-push'] }, devices };
const WORLD: Directory = {
  customers: [maria],
  stores: [],
  workshops: [{ id: 'all-in-one', name: 'All-in-one Service', location: { lat: 50.95, lon: 6.97 }, services: ['car-battery', 'fridge', 'washer'], replacementCar: true }],
};

function ops() {
  return createTicketOps({ store: openSqliteStore({ path: ':memory:' }), outbox: createOutbox(), directory: indexDirectory(WORLD), log: silentLogger(), drivingCar: () => undefined });
}

describe('the workshop offer', () => {
  it('offers a replacement car for a car', () => {
    const o = ops().offerFor(maria, devices[0]!);
    expect(o.offer).toMatchObject({ workshopId: 'all-in-one', replacementCar: true });
    expect(o.text).toMatch(/can take it, with a replacement car while yours is in$/);
  });

  it.each(['fridge', 'washer'])('offers no replacement car for a %s, and a technician instead of taking it in', (id) => {
    const o = ops().offerFor(maria, devices.find((d) => d.id === id)!);
    expect(o.offer).toMatchObject({ workshopId: 'all-in-one', replacementCar: false });
    expect(o.text).not.toMatch(/car/);
    expect(o.text).toBe('All-in-one Service (1.3 km) can send a technician');
  });
});
