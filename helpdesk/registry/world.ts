/** A fixed world in a registry of its own, in memory: for a core given no registry (tests, callers without a database). */
import type { Logger } from 'pino';
import type { Directory } from '../directory.js';
import { createRegistry, type Registry } from './registry.js';
import { createMemoryRegistryStore } from './store.js';

export function worldRegistry(world: Directory | undefined, log: Logger): Registry {
  const registry = createRegistry({ store: createMemoryRegistryStore(), log });
  if (world) registry.seed(world, 0);
  return registry;
}
