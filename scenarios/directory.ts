/** The helpdesk's view of a scenario's world: customers, their devices, stores and workshops. */
import type { Directory } from '../helpdesk/directory.js';
import type { LoadedScenario } from './load.js';

export function directoryOf(l: LoadedScenario): Directory {
  const s = l.scenario;
  return {
    customers: s.customers.map((c) => ({
      id: c.id,
      name: c.name,
      home: c.home,
      preferences: { ...c.preferences, timeZone: c.preferences.timeZone ?? s.timeZone, timeZoneOffsetMinutes: l.utcOffsetMinutes },
      devices: c.devices.map((d) => ({ id: d.id, kind: d.kind, customerId: c.id, name: d.name, ...(d.model !== undefined ? { model: d.model } : {}) })),
    })),
    stores: s.stores,
    workshops: s.workshops,
  };
}
