/**
 * Seeding a registry from a world (a scenario file's customers, devices, stores and workshops). The
 * world is staff-authored, so for what it names it wins: customers become active with its name, home
 * and preferences; devices take its kind and name and become active unless staff rejected them; its
 * stores and workshops replace the registry's. What the registry learned meanwhile stays (announced
 * readings, problems, devices and customers the world does not name). Seeding the same world again
 * changes nothing and writes nothing, so a helpdesk restarted with `--world` is idempotent.
 */
import type { Directory } from '../directory.js';
import type { LiveDirectory } from './live-directory.js';
import { newDevice, type CustomerRecord, type DeviceRecord } from './records.js';
import type { RegistryChanges } from './store.js';

/** JSON with object keys sorted: equal for equal data whatever order its keys were written in */
function canonical(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
const same = (a: unknown, b: unknown): boolean => a !== undefined && canonical(a) === canonical(b);

/** the changes that bring the registry to the world, or null when it is there already */
export function seedChanges(world: Directory, live: LiveDirectory, at: number): RegistryChanges | null {
  const customers: CustomerRecord[] = [];
  const devices: DeviceRecord[] = [];
  for (const c of world.customers) {
    const had = live.customer(c.id);
    const { timeZone, ...preferences } = c.preferences;
    const customer: CustomerRecord = {
      id: c.id, name: c.name, home: c.home ?? null, preferences, timeZone: timeZone ?? null, state: 'active', origin: 'world', createdAt: had?.createdAt ?? at,
    };
    if (!same(had, customer)) customers.push(customer);
    for (const d of c.devices) {
      const was = live.device(c.id, d.id);
      const base = was ?? newDevice({ customerId: c.id, id: d.id, kind: d.kind, name: d.name, state: 'active', origin: 'world', registeredAt: at });
      const device: DeviceRecord = {
        ...base,
        kind: d.kind,
        name: d.name,
        origin: 'world',
        state: base.state === 'rejected' ? 'rejected' : 'active',
        ...(d.measures ? { measures: [...d.measures] } : {}),
        ...(d.extra ? { extra: [...d.extra] } : {}),
        ...(d.reportEveryS !== undefined ? { reportEveryS: d.reportEveryS } : {}),
        ...(d.model !== undefined ? { model: d.model } : {}),
      };
      if (!same(was, device)) devices.push(device);
    }
  }
  const ch: RegistryChanges = {};
  if (customers.length) ch.customers = customers;
  if (devices.length) ch.devices = devices;
  if (!same(live.stores(), world.stores)) ch.stores = world.stores;
  if (!same(live.workshops(), world.workshops)) ch.workshops = world.workshops;
  return Object.keys(ch).length ? ch : null;
}
