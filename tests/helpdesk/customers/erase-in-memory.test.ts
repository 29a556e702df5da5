/** Erasure in a core built without a database (memory telemetry and load stores): buffered readings, loads and inventories go too. */
import { describe, expect, it } from 'vitest';
import { decode, deviceTopic, type Decoded } from '../../../contracts/index.js';
import { createCore } from '../../../helpdesk/core.js';
import { createEvents } from '../../../helpdesk/events.js';
import { createOutbox } from '../../../helpdesk/outbox.js';
import { loadTariff } from '../../../helpdesk/schedule/tariff-file.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import { silentLogger } from '../../../log/logger.js';

const log = silentLogger();
const T = Date.parse('2020-11-02T12:00:00+01:00');
const directory = {
  customers: [
    {
      id: 'maria', name: 'Maria', preferences: { channels: ['app-push' as const] },
      devices: [
        { id: 'fridge', kind: 'fridge' as const, customerId: 'maria', name: 'fridge' },
        { id: 'washer', kind: 'washer' as const, customerId: 'maria', name: 'washer' },
      ],
    },
    { id: 'jonas', name: 'Jonas', preferences: { channels: ['email' as const] }, devices: [{ id: 'fridge', kind: 'fridge' as const, customerId: 'jonas', name: 'fridge' }] },
  ],
  stores: [],
  workshops: [],
};

function message(customerId: string, deviceId: string, channel: 'telemetry' | 'event', body: object, seq: number): Decoded {
  const r = decode(deviceTopic(customerId, deviceId, channel), JSON.stringify({ v: 1, ts: T + seq * 1000, seq, ...body }));
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}
const fridge = { kind: 'fridge', readings: { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 2 } };

describe('erasure in a core without a database', () => {
  it("forgets the customer's buffered and stored readings, loads and inventory, and nobody else's", () => {
    const core = createCore({ directory, tariff: loadTariff('data/de-day-ahead-2020.csv'), store: openSqliteStore({ path: ':memory:' }), outbox: createOutbox(), log, events: createEvents(log) });
    core.handle(message('maria', 'fridge', 'telemetry', fridge, 1), T + 1000);
    core.handle(message('jonas', 'fridge', 'telemetry', fridge, 1), T + 1000);
    core.flushTelemetry(true);
    core.handle(message('maria', 'fridge', 'telemetry', fridge, 2), T + 2000);
    core.handle(message('maria', 'fridge', 'event', { type: 'inventory', items: [{ name: 'milk', quantity: 1, unit: 'l' }] }, 3), T + 3000);
    const offer = { type: 'flex-offer', offerId: 'wash-1', programme: 'cotton-40', earliestStart: T, latestEnd: T + 10 * 3_600_000, slots: [{ durationS: 3600, powerW: 500 }] };
    core.handle(message('maria', 'washer', 'event', offer, 1), T + 1000);
    expect(core.loads({ customerId: 'maria' }).total).toBe(1);

    const r = core.customers.erase('maria', 'anna', 'test', T + 5000);
    expect(r).toMatchObject({ ok: true, value: { counts: { telemetryRaw: 2, loads: 1, inventories: 1, devices: 2 } } });
    expect(core.history('maria', 'fridge')).toEqual([]);
    expect(core.loads({ customerId: 'maria' }).total).toBe(0);
    expect(core.history('jonas', 'fridge')).toHaveLength(1);
    expect(core.registry.customer('jonas')).toBeDefined();
  });
});
