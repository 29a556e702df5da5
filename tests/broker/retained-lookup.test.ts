import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createBroker, type RunningBroker } from '../../broker/server.js';

/** what a subscription gets of the retained messages: the exact topic by lookup, wildcards by matching */
async function retainedFor(url: string, filter: string, expected: number): Promise<string[]> {
  const c = await mqtt.connectAsync(url, { clientId: `sub-${filter.replace(/[^a-z0-9]/gi, '')}` });
  const got: string[] = [];
  const enough = new Promise<void>((resolve) => c.on('message', (topic, _p, packet) => packet.retain && got.push(topic) === expected && resolve()));
  await c.subscribeAsync(filter, { qos: 1 });
  await Promise.race([enough, new Promise((r) => setTimeout(r, 300))]);
  // nothing more arrives after what was expected
  await new Promise((r) => setTimeout(r, 100));
  await c.endAsync();
  return got.sort();
}

describe('retained messages for a new subscription', () => {
  let broker: RunningBroker | null = null;
  afterEach(async () => {
    await broker?.stop();
    broker = null;
  });

  it('an exact topic gets its own retained message only; wildcards get every match', async () => {
    broker = await createBroker({ port: 0 }).start();
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'pub' });
    for (const d of ['car', 'fridge', 'washer']) {
      await pub.publishAsync(`evernet/v1/maria/${d}/availability`, `{"d":"${d}"}`, { qos: 1, retain: true });
      await pub.publishAsync(`evernet/v1/maria/${d}/announce`, `{"d":"${d}"}`, { qos: 1, retain: true });
    }
    // cleared: an empty retained payload removes it
    await pub.publishAsync('evernet/v1/maria/washer/announce', '', { qos: 1, retain: true });
    await pub.endAsync();
    expect(await retainedFor(broker.url, 'evernet/v1/maria/fridge/availability', 1)).toEqual(['evernet/v1/maria/fridge/availability']);
    expect(await retainedFor(broker.url, 'evernet/v1/maria/washer/announce', 0)).toEqual([]);
    expect(await retainedFor(broker.url, 'evernet/v1/nobody/car/availability', 0)).toEqual([]);
    expect(await retainedFor(broker.url, 'evernet/v1/maria/+/announce', 2)).toEqual(['evernet/v1/maria/car/announce', 'evernet/v1/maria/fridge/announce']);
    expect(await retainedFor(broker.url, 'evernet/v1/#', 5)).toHaveLength(5);
  });
});
