/** The device registry: records, the registration policy, the live registry, its stores and staff operations. */
export * from './records.js';
export { onAnnounce, onDecision, onUnannounced, onWrongKind, type AnnounceFacts, type Decision } from './policy.js';
export { createRegistry, type Observation, type Refusal, type Registry, type RegistryOptions } from './registry.js';
export { createMemoryRegistryStore, type RegistryChanges, type RegistryStore } from './store.js';
export { worldRegistry } from './world.js';
export { openSqliteRegistryStore, type SqliteRegistryStoreOptions } from './sqlite-store.js';
export { addCustomer, addDevice, removeCustomer, removeDevice, CustomerInput, DeviceInput } from './staff-ops.js';
