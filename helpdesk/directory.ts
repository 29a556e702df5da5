/**
 * What the helpdesk knows about the world it serves: customers with their contact preferences and
 * devices, stores (for the recipe assistant) and workshops (the product-service chain). The helpdesk
 * keeps it in its device registry (helpdesk/registry: the database, announces, staff decisions); a
 * `Directory` is a world given whole (a scenario file) that seeds a registry. The core reads it through
 * an `IndexedDirectory`: only active customers and devices, O(1) lookups.
 */
import { deviceKey, type DeviceKind, type Location } from '../contracts/index.js';
import type { Store } from './assistant/shopping.js';
import type { Preferences } from './contact/choose-channel.js';

export interface DirectoryDevice {
  id: string;
  kind: DeviceKind;
  customerId: string;
  name: string;
  /**
   * which of its kind's readings the device really measures (from its announce); undefined: all of
   * them (a simulated model). Detectors that need a reading it lacks do not run on it.
   */
  measures?: readonly string[];
  /** extra readings it reports beyond its kind's (telemetry `extra`) */
  extra?: readonly string[];
  /** how often it reports telemetry, in seconds (from its announce or the scenario) */
  reportEveryS?: number;
  /** its model or product line ('VARTA-60'), where known: a likely common cause of many tickets (helpdesk/problems) */
  model?: string;
}

export interface DirectoryCustomer {
  id: string;
  name: string;
  /** where the customer lives (nearest workshop); unknown for a customer who registered through a device */
  home?: Location;
  preferences: Preferences;
  devices: DirectoryDevice[];
}

export interface Workshop {
  id: string;
  name: string;
  location: Location;
  /** device kinds it services */
  services: DeviceKind[];
  replacementCar: boolean;
  /** its slots (helpdesk/bookings/slots.ts): opening hours, slot length, places a slot, days, replacement cars; defaults for what is left out */
  booking?: { open?: string; close?: string; slotMinutes?: number; capacity?: number; days?: number[]; replacementCars?: number };
}

export interface Directory {
  customers: DirectoryCustomer[];
  stores: Store[];
  workshops: Workshop[];
}

/** The directory as the core reads it: what is active, looked up in O(1). */
export interface IndexedDirectory {
  readonly customers: DirectoryCustomer[];
  readonly stores: Store[];
  readonly workshops: Workshop[];
  customer(customerId: string): DirectoryCustomer | undefined;
  device(customerId: string, deviceId: string): DirectoryDevice | undefined;
  /**
   * The device a topic names: `device(t.customerId, t.deviceId)`. Asked with the helpdesk's parsed topics
   * (contracts parsedTopic: one object per topic), a directory may remember the answer per topic object.
   */
  deviceOf(t: DeviceNamed): DirectoryDevice | undefined;
}

/** what names a device: a parsed device topic (its `directoryMemo` a directory may keep its answer in) */
export interface DeviceNamed {
  readonly customerId: string;
  readonly deviceId: string;
  directoryMemo?: unknown;
}

/** A fixed world, indexed (the registry's live directory is the one that changes). */
export function indexDirectory(d: Directory): IndexedDirectory {
  const devices = new Map<string, DirectoryDevice>();
  const customers = new Map<string, DirectoryCustomer>();
  for (const c of d.customers) {
    customers.set(c.id, c);
    for (const dev of c.devices) devices.set(deviceKey(c.id, dev.id), dev);
  }
  return {
    ...d,
    device: (customerId: string, deviceId: string) => devices.get(deviceKey(customerId, deviceId)),
    deviceOf: (t: DeviceNamed) => devices.get(deviceKey(t.customerId, t.deviceId)),
    customer: (customerId: string) => customers.get(customerId),
  };
}
