/**
 * A real aedes broker on port 0 with a real mqtt.js observer that records what it sees, fresh for
 * every test of the describe block that asks for it (started before each test, stopped after it;
 * the block's own afterEach hooks run first, so its devices stop while the broker is still up).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach } from 'vitest';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { record, type Seen } from './recorder.js';

export interface ObservedBroker {
  readonly broker: RunningBroker;
  readonly url: string;
  /** the observer's connection (client id `observer`), to publish as the other side */
  readonly observer: MqttClient;
  /** every message the observer received during this test */
  readonly seen: Seen[];
}

/** Call inside a describe block; `filters` are what the observer subscribes to (default every evernet topic). */
export function observedBroker(filters: string | string[] = 'evernet/v1/#'): ObservedBroker {
  let current: { broker: RunningBroker; observer: MqttClient; seen: Seen[] } | null = null;
  beforeEach(async () => {
    const broker = await createBroker({ port: 0 }).start();
    const observer = await mqtt.connectAsync(broker.url, { clientId: 'observer' });
    current = { broker, observer, seen: await record(observer, filters) };
  });
  afterEach(async () => {
    const c = current;
    current = null;
    await c?.observer.endAsync();
    await c?.broker.stop();
  });
  const now = () => {
    if (!current) throw new Error('observedBroker: used outside a test');
    return current;
  };
  return {
    get broker() {
      return now().broker;
    },
    get url() {
      return now().broker.url;
    },
    get observer() {
      return now().observer;
    },
    get seen() {
      return now().seen;
    },
  };
}
