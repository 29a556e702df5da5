/**
 * An open aedes broker (no credentials) on port 0, shared by the tests of the describe block that
 * asks for it: started before them, stopped after them (after the block's own afterAll hooks).
 */
import { afterAll, beforeAll } from 'vitest';
import { createBroker, type BrokerOptions, type RunningBroker } from '../../broker/server.js';

/** Call inside a describe block; `.broker` is the running broker in its tests and hooks. */
export function openBrokerForSuite(options: Partial<BrokerOptions> = {}): { readonly broker: RunningBroker } {
  let broker: RunningBroker | null = null;
  beforeAll(async () => {
    broker = await createBroker({ port: 0, ...options }).start();
  });
  afterAll(async () => {
    await broker?.stop();
    broker = null;
  });
  return {
    get broker() {
      if (!broker) throw new Error('openBrokerForSuite: used outside the suite');
      return broker;
    },
  };
}
