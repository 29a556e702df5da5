/**
 * What the helpdesk knows about the world it serves: customers with their contact preferences and
 * devices, stores (for the recipe assistant) and workshops (the product-service chain). In a replay
 * the scenario provides it; in production it would come from the CRM.
 */
import { deviceKey, type DeviceKind, type Location } from '../contracts/index.js';
import type { Store } from './assistant/shopping.js';
import type { Preferences } from './contact/choose-channel.js';

export interface DirectoryDevice {
  id: string;
  kind: DeviceKind;
  customerId: string;
  name: string;
}

export interface DirectoryCustomer {
  id: string;
  name: string;
  home: Location;
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
}

export interface Directory {
  customers: DirectoryCustomer[];
  stores: Store[];
  workshops: Workshop[];
}

export function indexDirectory(d: Directory) {
  const devices = new Map<string, DirectoryDevice>();
  const customers = new Map<string, DirectoryCustomer>();
  for (const c of d.customers) {
    customers.set(c.id, c);
    for (const dev of c.devices) devices.set(deviceKey(c.id, dev.id), dev);
  }
  return {
    ...d,
    device: (customerId: string, deviceId: string) => devices.get(deviceKey(customerId, deviceId)),
    customer: (customerId: string) => customers.get(customerId),
  };
}
export type IndexedDirectory = ReturnType<typeof indexDirectory>;
