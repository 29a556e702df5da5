/**
 * Where the registry's records live. The registry keeps everything in memory and writes each change
 * through; a store only loads, writes a batch of changes in one transaction and says its revision (a
 * number every write moves on), so a helpdesk notices changes another process made to the same
 * database (`evernet devices accept` while it runs). createMemoryRegistryStore() keeps nothing beyond
 * the process (replays, tests); the SQLite one is sqlite-store.ts.
 */
import { deviceKey } from '../../contracts/index.js';
import type { Store } from '../assistant/shopping.js';
import type { Workshop } from '../directory.js';
import type { CustomerRecord, DeviceRecord, RegistrySnapshot } from './records.js';

export interface RegistryChanges {
  /** inserted or replaced, by id (customers are written before devices) */
  customers?: CustomerRecord[];
  devices?: DeviceRecord[];
  /** removed (devices before customers) */
  removeDevices?: Array<{ customerId: string; id: string }>;
  removeCustomers?: string[];
  /** given: replace all stores (workshops) with these */
  stores?: Store[];
  workshops?: Workshop[];
}

export interface RegistryStore {
  /** everything, customers and devices in the order they were first written, and the revision it is of */
  load(): RegistrySnapshot & { revision: number };
  /** writes the changes in one transaction; returns the new revision */
  write(changes: RegistryChanges): number;
  /** moves on with every write, from any process */
  revision(): number;
  close(): void;
}

export function createMemoryRegistryStore(): RegistryStore {
  const customers = new Map<string, CustomerRecord>();
  const devices = new Map<string, DeviceRecord>();
  let stores: Store[] = [];
  let workshops: Workshop[] = [];
  let revision = 0;
  const copy = <T>(x: T): T => structuredClone(x);
  return {
    load: () => copy({ customers: [...customers.values()], devices: [...devices.values()], stores, workshops, revision }),
    write(ch) {
      for (const c of ch.customers ?? []) customers.set(c.id, copy(c));
      for (const d of ch.devices ?? []) {
        if (!customers.has(d.customerId)) throw new Error(`registry: device ${deviceKey(d.customerId, d.id)} of no customer`);
        devices.set(deviceKey(d.customerId, d.id), copy(d));
      }
      for (const d of ch.removeDevices ?? []) devices.delete(deviceKey(d.customerId, d.id));
      for (const id of ch.removeCustomers ?? []) {
        if ([...devices.values()].some((d) => d.customerId === id)) throw new Error(`registry: customer ${id} still has devices`);
        customers.delete(id);
      }
      if (ch.stores) stores = copy(ch.stores);
      if (ch.workshops) workshops = copy(ch.workshops);
      return ++revision;
    },
    revision: () => revision,
    close: () => undefined,
  };
}
