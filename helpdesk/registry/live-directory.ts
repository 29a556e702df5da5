/**
 * The registry's records in memory, and the directory the core reads from them: only active
 * customers and their active devices, looked up in O(1) (`customer(id)`, `device(c, d)`). A change
 * rebuilds the one customer it touches; the list of customers is rebuilt when next asked for.
 */
import { keepParsedTopicsFor } from '../../contracts/index.js';
import type { Store } from '../assistant/shopping.js';
import type { DeviceNamed, DirectoryCustomer, DirectoryDevice, IndexedDirectory, Workshop } from '../directory.js';
import type { CustomerRecord, DeviceRecord, RegistrySnapshot } from './records.js';
import type { RegistryChanges } from './store.js';

function directoryDevice(d: DeviceRecord): DirectoryDevice {
  return {
    id: d.id, kind: d.kind, customerId: d.customerId, name: d.name,
    ...(d.measures ? { measures: d.measures } : {}),
    ...(d.extra.length ? { extra: d.extra } : {}),
    ...(d.reportEveryS !== null ? { reportEveryS: d.reportEveryS } : {}),
    ...(d.model !== null ? { model: d.model } : {}),
  };
}

interface Answer {
  generation: number;
  device: DirectoryDevice | undefined;
  owner: WeakMap<DeviceNamed, Answer>;
}

export function createLiveDirectory() {
  const customers = new Map<string, CustomerRecord>();
  /** customerId -> deviceId -> record, in the order they were first written */
  const devicesOf = new Map<string, Map<string, DeviceRecord>>();
  let stores: Store[] = [];
  let workshops: Workshop[] = [];
  const activeCustomers = new Map<string, DirectoryCustomer>();
  /** customerId -> deviceId -> active device: looked up on every message, without building a key string */
  const activeDevices = new Map<string, Map<string, DirectoryDevice>>();
  let list: DirectoryCustomer[] | null = null;
  /** bumped whenever a customer's entries are rebuilt: what `deviceOf` remembers from before is stale */
  let generation = 0;
  /**
   * `deviceOf`'s answers, per topic object. In a fleet replay's helpdesk (a heap of hundreds of MB) the two
   * map lookups of `device` cost ≈ 1.5 µs: each of their steps (a table, a key's characters, an inner map)
   * is a cache miss. A parsed topic holds its answer in its memo (contracts TopicMemos), one step from it;
   * another object naming a device has it here. `owner`: this map, whose directory the answer is of.
   */
  const answers = new WeakMap<DeviceNamed, Answer>();
  /** devices awaiting acceptance, counted as records change (asked for on every unknown sender) */
  let pending = 0;
  /** device records held (every state): the parsed topics make room for all their channels */
  let records = 0;
  const isPending = (d: DeviceRecord | undefined): number => (d?.state === 'pending' ? 1 : 0);

  /** rebuilds the directory entries of one customer from its records */
  function index(customerId: string): void {
    generation++;
    activeDevices.delete(customerId);
    activeCustomers.delete(customerId);
    list = null;
    const c = customers.get(customerId);
    if (!c || c.state !== 'active') return;
    const devices = [...(devicesOf.get(customerId)?.values() ?? [])].filter((d) => d.state === 'active').map(directoryDevice);
    const preferences = { ...c.preferences, ...(c.timeZone ? { timeZone: c.timeZone } : {}) };
    activeCustomers.set(customerId, { id: c.id, name: c.name, ...(c.home ? { home: c.home } : {}), preferences, devices });
    if (devices.length) activeDevices.set(customerId, new Map(devices.map((d) => [d.id, d])));
  }

  const directory: IndexedDirectory = {
    get customers() {
      return (list ??= [...activeCustomers.values()]);
    },
    get stores() {
      return stores;
    },
    get workshops() {
      return workshops;
    },
    customer: (id) => activeCustomers.get(id),
    device: (c, d) => activeDevices.get(c)?.get(d),
    deviceOf(t) {
      // a parsed topic holds the answer itself (its memo); another object naming a device, the WeakMap
      const memo = 'directoryMemo' in t ? (t.directoryMemo as Answer | undefined) : answers.get(t);
      const known = memo !== undefined && memo.owner === answers ? memo : undefined;
      if (known !== undefined && known.generation === generation) return known.device;
      const device = activeDevices.get(t.customerId)?.get(t.deviceId);
      if (known !== undefined) {
        known.generation = generation;
        known.device = device;
      } else if ('directoryMemo' in t) t.directoryMemo = { generation, device, owner: answers };
      else answers.set(t, { generation, device, owner: answers });
      return device;
    },
  };

  return {
    directory,
    customer: (id: string): CustomerRecord | undefined => customers.get(id),
    device: (c: string, d: string): DeviceRecord | undefined => devicesOf.get(c)?.get(d),
    customers: (): CustomerRecord[] => [...customers.values()],
    /** every device, by customer in the order customers were registered */
    devices: (): DeviceRecord[] => [...customers.keys()].flatMap((c) => [...(devicesOf.get(c)?.values() ?? [])]),
    devicesOf: (c: string): DeviceRecord[] => [...(devicesOf.get(c)?.values() ?? [])],
    stores: (): Store[] => stores,
    workshops: (): Workshop[] => workshops,
    pending: (): number => pending,
    /** replaces everything with a snapshot */
    reset(s: RegistrySnapshot): void {
      customers.clear();
      devicesOf.clear();
      activeCustomers.clear();
      activeDevices.clear();
      list = null;
      pending = 0;
      records = 0;
      // what deviceOf remembers is stale, even when the snapshot is empty and nothing is indexed again
      generation++;
      apply({ customers: s.customers, devices: s.devices, stores: s.stores, workshops: s.workshops });
    },
    /** applies changes already written to the store */
    apply,
  };

  function apply(ch: RegistryChanges): void {
    const touched = new Set<string>();
    for (const c of ch.customers ?? []) {
      customers.set(c.id, c);
      touched.add(c.id);
    }
    for (const d of ch.devices ?? []) {
      let m = devicesOf.get(d.customerId);
      if (!m) devicesOf.set(d.customerId, (m = new Map()));
      const was = m.get(d.id);
      pending += isPending(d) - isPending(was);
      if (!was) records++;
      m.set(d.id, d);
      touched.add(d.customerId);
    }
    for (const d of ch.removeDevices ?? []) {
      pending -= isPending(devicesOf.get(d.customerId)?.get(d.id));
      if (devicesOf.get(d.customerId)?.delete(d.id)) records--;
      touched.add(d.customerId);
    }
    for (const id of ch.removeCustomers ?? []) {
      for (const d of devicesOf.get(id)?.values() ?? []) pending -= isPending(d);
      records -= devicesOf.get(id)?.size ?? 0;
      customers.delete(id);
      devicesOf.delete(id);
      touched.add(id);
    }
    if (ch.stores) stores = ch.stores;
    if (ch.workshops) workshops = ch.workshops;
    for (const id of touched) index(id);
    // a fleet's helpdesk reads every device's topics all day, each coming back only minutes later (contracts/topics.ts)
    keepParsedTopicsFor(records);
  }
}
export type LiveDirectory = ReturnType<typeof createLiveDirectory>;
