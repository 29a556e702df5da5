/**
 * Discovery over a real aedes broker with real mqtt.js clients: configs are retained (a Home
 * Assistant that connects later gets them), availability follows the device's agent and last will,
 * removal clears the retained configs, and a Home Assistant birth message brings a re-announcement.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { silentLogger } from '../../../log/logger.js';
import { createBroker, type RunningBroker } from '../../../broker/server.js';
import { createAgent } from '../../../devices/agent.js';
import { createDiscovery, type Discovery } from '../../../devices/discovery/publisher.js';
import { KINDS } from '../../../devices/kinds/index.js';
import { until } from '../../helpers/until.js';
import { renderValueTemplate } from './ha-schema.js';

const log = silentLogger();
const T0 = Date.UTC(2020, 10, 2, 7);
const FRIDGE = { customerId: 'maria', deviceId: 'fridge', kind: 'fridge' as const, name: 'Kitchen fridge' };

describe('Home Assistant discovery publisher', () => {
  let broker: RunningBroker;
  let discovery: Discovery;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    broker = await createBroker({ port: 0 }).start();
    discovery = createDiscovery({ brokerUrl: broker.url, log });
  });
  afterEach(async () => {
    await discovery.stop();
    for (const c of clients.splice(0)) await c.endAsync();
    await broker.stop();
  });

  /** A stand-in for Home Assistant: subscribes to discovery and records what it gets. */
  async function homeAssistant(filter = 'homeassistant/#') {
    const c = await mqtt.connectAsync(broker.url, { clientId: `ha-${clients.length}` });
    clients.push(c);
    const got = new Map<string, { payload: string; retain: boolean; count: number }>();
    c.on('message', (topic, payload, packet) => {
      const prev = got.get(topic);
      got.set(topic, { payload: payload.toString(), retain: packet.retain, count: (prev?.count ?? 0) + 1 });
    });
    await c.subscribeAsync(filter, { qos: 1 });
    return { client: c, got };
  }

  it('retains configs, so a Home Assistant that connects later discovers the device', async () => {
    await discovery.add(FRIDGE); // before start: announced on start
    await discovery.start();
    const ha = await homeAssistant();
    await until(() => [...ha.got.keys()].filter((t) => t.endsWith('/config')).length === 6, 3000, 'six retained configs');
    const door = ha.got.get('homeassistant/binary_sensor/evernet_maria_fridge/door/config')!;
    expect(door.retain).toBe(true);
    expect(JSON.parse(door.payload)).toMatchObject({ device_class: 'door', unique_id: 'evernet_maria_fridge_door' });
  });

  it("reports the device available while its agent is connected, and unavailable after its last will", async () => {
    await discovery.start();
    await discovery.add(FRIDGE);
    const agent = createAgent({ customerId: 'maria', deviceId: 'fridge', model: KINDS.fridge, params: {}, seed: 1, brokerUrl: broker.url, startAt: T0, log });
    await agent.start();
    const ha = await homeAssistant('#');
    const configTopic = 'homeassistant/sensor/evernet_maria_fridge/cabinet_temperature/config';
    await until(() => ha.got.has(configTopic), 3000, 'config');
    const { availability } = JSON.parse(ha.got.get(configTopic)!.payload) as {
      availability: Array<{ topic: string; value_template: string; payload_available: string; payload_not_available: string }>;
    };
    const [a] = availability;
    const state = () => {
      const m = ha.got.get(a!.topic);
      return m && renderValueTemplate(a!.value_template, m.payload);
    };
    await until(() => state() === a!.payload_available, 3000, 'available');
    await agent.kill(); // connection lost: the broker publishes the will
    await until(() => state() === a!.payload_not_available, 3000, 'unavailable by last will');
    expect(JSON.parse(ha.got.get(a!.topic)!.payload)).toMatchObject({ reason: 'will' });
  });

  it('removes a device: empty retained configs, so Home Assistant forgets it', async () => {
    await discovery.start();
    await discovery.add(FRIDGE);
    const live = await homeAssistant();
    await until(() => live.got.size === 6, 3000, 'six configs');
    await discovery.remove(FRIDGE);
    await until(() => [...live.got.values()].every((m) => m.payload === ''), 3000, 'six empty configs');
    const late = await homeAssistant();
    await new Promise((r) => setTimeout(r, 150));
    expect(late.got.size).toBe(0);
  });

  it('announces every device again when Home Assistant comes online', async () => {
    await discovery.start();
    await discovery.add(FRIDGE);
    await discovery.add({ customerId: 'maria', deviceId: 'washer', kind: 'washer' });
    const ha = await homeAssistant();
    await until(() => ha.got.size === 14, 3000, 'fourteen configs');
    await ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    const configs = () => [...ha.got].filter(([t]) => t.endsWith('/config')).map(([, m]) => m);
    await until(() => configs().length === 14 && configs().every((m) => m.count === 2), 3000, 'every config twice');
    expect(discovery.stats().reannouncements).toBe(1);
    await ha.client.publishAsync('homeassistant/status', 'offline', { qos: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(discovery.stats().reannouncements).toBe(1);
  });
});
