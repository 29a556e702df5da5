/**
 * The registry on real SQLite: it survives a restart, a world seeds it once (a second seed writes
 * nothing), a change another process makes to the same file is picked up by refresh(), staff
 * operations check their input and answer with codes, and the live directory shows only what is active.
 */
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../../helpdesk/directory.js';
import {
  addCustomer, addDevice, createMemoryRegistryStore, createRegistry, openSqliteRegistryStore, removeCustomer, removeDevice, type RegistryStore,
} from '../../../helpdesk/registry/index.js';
import { silentLogger } from '../../../log/logger.js';
import { parseScenario } from '../../../scenarios/load.js';
import { directoryOf } from '../../../scenarios/directory.js';
import { readFileSync } from 'node:fs';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const T = Date.parse('2026-11-30T08:00:00Z');
const log = silentLogger();
const world = (): Directory => directoryOf(parseScenario(readFileSync('scenarios/day-in-2020.yaml', 'utf8'), 'scenarios/day-in-2020.yaml'));

/** counts writes, to show that a second seed writes nothing */
function counting(store: RegistryStore): RegistryStore & { writes: number } {
  const s = { ...store, writes: 0 };
  s.write = (ch) => {
    s.writes++;
    return store.write(ch);
  };
  return s;
}

describe('the registry on SQLite', () => {
  const tmp = tempDirPerTest('evernet-registry-');

  it('keeps customers, devices, stores and workshops across a restart; seeding the same world again writes nothing', () => {
    const file = tmp.join('helpdesk.db');
    const first = createRegistry({ store: openSqliteRegistryStore({ path: file }), log });
    expect(first.seed(world(), T)).toBe(true);
    const before = { customers: first.customers(), devices: first.devices() };
    first.close();

    const store = counting(openSqliteRegistryStore({ path: file }));
    const again = createRegistry({ store, log });
    expect(again.customers()).toEqual(before.customers);
    expect(again.devices()).toEqual(before.devices);
    expect(again.seed(world(), T + 3600_000)).toBe(false);
    expect(store.writes).toBe(0);
    // the directory the core reads: the world's customers with their devices, stores and workshops
    const maria = again.directory.customer('maria')!;
    expect(maria.devices.map((d) => `${d.id}:${d.kind}`)).toEqual(['car:car-battery', 'fridge:fridge', 'washer:washer']);
    expect(maria.home).toEqual(world().customers[0]!.home);
    expect(again.directory.stores.map((s) => s.id)).toEqual(world().stores.map((s) => s.id));
    expect(again.directory.workshops.map((w) => w.id)).toEqual(world().workshops.map((w) => w.id));
    again.close();
  });

  it('notices a change another connection made to the same file on refresh()', () => {
    const file = tmp.join('helpdesk.db');
    const helpdesk = createRegistry({ store: openSqliteRegistryStore({ path: file }), log });
    const cli = createRegistry({ store: openSqliteRegistryStore({ path: file }), log });
    expect(addCustomer(cli, { id: 'maria', name: 'Maria', timeZone: 'Europe/Berlin' }, T).ok).toBe(true);
    expect(addDevice(cli, { customerId: 'maria', id: 'board-fridge', kind: 'fridge' }, T).ok).toBe(true);
    expect(helpdesk.directory.device('maria', 'board-fridge')).toBeUndefined();
    expect(helpdesk.refresh()).toBe(true);
    expect(helpdesk.directory.device('maria', 'board-fridge')).toMatchObject({ kind: 'fridge', name: 'board-fridge' });
    expect(helpdesk.directory.customer('maria')!.preferences.timeZone).toBe('Europe/Berlin');
    expect(helpdesk.refresh()).toBe(false);
    cli.close();
    helpdesk.close();
  });
});

describe("staff's operations", () => {
  const registry = () => createRegistry({ store: createMemoryRegistryStore(), log });

  it('add a customer and a device (active at once), refuse bad input, duplicates and orphans with codes', () => {
    const r = registry();
    expect(addDevice(r, { customerId: 'maria', id: 'fridge', kind: 'fridge' }, T)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_UNKNOWN_DEVICE', message: expect.stringContaining('evernet customers add maria') } });
    expect(addCustomer(r, { id: 'Maria!' }, T)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REGISTRY_INPUT' } });
    expect(addCustomer(r, { id: 'maria', timeZone: 'Mars/Olympus' }, T)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REGISTRY_INPUT', message: expect.stringContaining('timeZone') } });
    expect(addCustomer(r, { id: 'maria', timeZone: '+01:00' }, T)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REGISTRY_INPUT' } });
    expect(addCustomer(r, { id: 'maria', home: { lat: 50.9, lon: 6.9 }, channels: ['sms'], phone: '+49 1', quietHours: { from: '22:00', to: '07:00' }, timeZone: 'europe/berlin' }, T))
      .toMatchObject({ ok: true, value: { timeZone: 'Europe/Berlin' } });
    expect(addCustomer(r, { id: 'maria' }, T)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REGISTRY_EXISTS' } });
    expect(addDevice(r, { customerId: 'maria', id: 'fridge', kind: 'fridge', measures: ['voltageV'] }, T)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REGISTRY_INPUT' } });
    expect(addDevice(r, { customerId: 'maria', id: 'fridge', kind: 'fridge', measures: ['cabinetTempC'], reportEveryS: 5 }, T)).toMatchObject({ ok: true, value: { state: 'active', origin: 'staff' } });
    expect(addDevice(r, { customerId: 'maria', id: 'fridge', kind: 'washer' }, T)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REGISTRY_EXISTS' } });
    expect(r.directory.device('maria', 'fridge')).toEqual({ id: 'fridge', kind: 'fridge', customerId: 'maria', name: 'fridge', measures: ['cabinetTempC'], reportEveryS: 5 });
    expect(r.directory.customer('maria')!.preferences).toEqual({ channels: ['sms'], phone: '+49 1', quietHours: { from: '22:00', to: '07:00' }, timeZone: 'Europe/Berlin' });
  });

  it('remove a device, and a customer only with its devices when asked', () => {
    const r = registry();
    addCustomer(r, { id: 'maria' }, T);
    addDevice(r, { customerId: 'maria', id: 'fridge', kind: 'fridge' }, T);
    addDevice(r, { customerId: 'maria', id: 'car', kind: 'car-battery' }, T);
    expect(removeCustomer(r, 'maria')).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REGISTRY_IN_USE' } });
    expect(removeDevice(r, 'maria', 'fridge').ok).toBe(true);
    expect(removeDevice(r, 'maria', 'fridge')).toMatchObject({ ok: false, error: { code: 'EVN_ERR_UNKNOWN_DEVICE' } });
    expect(r.directory.device('maria', 'fridge')).toBeUndefined();
    expect(removeCustomer(r, 'maria', { withDevices: true })).toMatchObject({ ok: true, value: { devices: [{ id: 'car' }] } });
    expect(r.customers()).toEqual([]);
    expect(r.directory.customer('maria')).toBeUndefined();
  });

  it('accept and reject by name; the directory holds active devices only', () => {
    const r = registry();
    addCustomer(r, { id: 'maria' }, T);
    addDevice(r, { customerId: 'maria', id: 'fridge', kind: 'fridge' }, T);
    expect(r.reject('maria', 'fridge', 'anna', T + 1)).toMatchObject({ ok: true, value: { state: 'rejected', decidedBy: 'anna' } });
    expect(r.directory.device('maria', 'fridge')).toBeUndefined();
    expect(r.directory.customer('maria')!.devices).toEqual([]);
    expect(r.accept('maria', 'fridge', 'bob', T + 2)).toMatchObject({ ok: true, value: { state: 'active', decidedBy: 'bob' } });
    expect(r.directory.device('maria', 'fridge')).toBeDefined();
    expect(r.accept('maria', 'nope', 'bob', T)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_UNKNOWN_DEVICE' } });
  });
});
