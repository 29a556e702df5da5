/**
 * The ACL matrix on a real broker: 3 devices of 2 customers (and each customer's app) try every topic
 * that is not theirs. 0 accepted: each denied SUBSCRIBE gets SUBACK 128 and no message, each denied
 * PUBLISH closes the connection and reaches nobody (an admin watching '#' and the helpdesk see nothing).
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPDESK_FILTERS, TOPIC_ROOT, deviceTopic, serviceTopic, type DeviceChannel, type ServiceChannel } from '../../contracts/topics.js';
import { closed, pause, secureBroker, validPayload, type SecureBroker } from './fixture.js';

const CUSTOMERS = ['anna', 'ben'];
const DEVICES = ['fridge', 'washer', 'car'];
const CHANNELS: DeviceChannel[] = ['telemetry', 'event', 'command', 'availability'];
const SERVICES: ServiceChannel[] = ['request', 'answer', 'contact', 'ticket'];
const devices = CUSTOMERS.flatMap((c) => DEVICES.map((d) => ({ c, d, username: `${c}/${d}` })));

/** every topic of the tree that exists in this world, plus a few outside it */
const ALL_TOPICS = [
  ...devices.flatMap(({ c, d }) => CHANNELS.map((ch) => deviceTopic(c, d, ch))),
  ...CUSTOMERS.flatMap((c) => SERVICES.map((ch) => serviceTopic(c, ch))),
  '$SYS/broker/uptime',
  'homeassistant/sensor/anna-fridge/config',
  'evernet/v2/anna/fridge/telemetry',
];
const WILDCARDS = ['#', `${TOPIC_ROOT}/#`, ...HELPDESK_FILTERS, `${TOPIC_ROOT}/anna/+/command`, `${TOPIC_ROOT}/+/fridge/command`, '$SYS/#'];

describe('the ACL matrix', () => {
  let s: SecureBroker;
  let admin: MqttClient;
  let helpdesk: MqttClient;
  const watched: string[] = [];

  beforeAll(async () => {
    s = await secureBroker([...devices.map((d) => [d.username] as [string]), ['anna/_app'], ['ben/_app'], ['helpdesk', 'helpdesk'], ['root', 'admin']]);
    admin = await s.connect('root');
    helpdesk = await s.connect('helpdesk');
    for (const c of [admin, helpdesk]) c.on('message', (topic) => watched.push(topic));
    await admin.subscribeAsync('#', { qos: 1 });
    await helpdesk.subscribeAsync([...HELPDESK_FILTERS], { qos: 1 });
  });
  afterAll(async () => {
    await admin.endAsync();
    await helpdesk.endAsync();
    await s.stop();
  });

  /** the topics an attacker may legitimately publish to (left out of its attack list) */
  const own = (username: string) => {
    const [c, d] = username.split('/') as [string, string];
    if (d === '_app') return [serviceTopic(c, 'request')];
    return (['telemetry', 'event', 'availability'] as const).map((ch) => deviceTopic(c, d, ch));
  };
  const attackers = [...devices.map((d) => d.username), 'anna/_app', 'ben/_app'];

  it('accepts none of the publishes to topics that are not the sender’s own', async () => {
    let attempts = 0;
    await Promise.all(
      attackers.map(async (username) => {
        for (const topic of ALL_TOPICS.filter((t) => !own(username).includes(t))) {
          const client = await s.connect(username);
          client.publish(topic, validPayload(topic), { qos: 1 });
          expect(await closed(client), `${username} -> ${topic} should be cut off`).toBe(true);
          attempts++;
        }
      }),
    );
    await pause(100);
    expect(watched).toEqual([]);
    const { byCode } = s.broker.stats();
    expect(byCode.EVN_ERR_ACL_PUBLISH).toBe(attempts);
    expect(attempts).toBe(devices.length * (ALL_TOPICS.length - 3) + 2 * (ALL_TOPICS.length - 1));
  });

  it('grants none of the subscriptions outside the subscriber’s own, and nothing arrives on them', async () => {
    const clients = new Map<string, MqttClient>();
    const received = new Map<string, string[]>();
    let denied = 0;
    const before = s.broker.stats().byCode.EVN_ERR_ACL_SUBSCRIBE ?? 0;
    for (const username of attackers) {
      const client = await s.connect(username);
      clients.set(username, client);
      received.set(username, []);
      client.on('message', (topic) => received.get(username)!.push(topic));
      const [c, d] = username.split('/') as [string, string];
      const mine = d === '_app' ? (['answer', 'contact', 'ticket'] as const).map((ch) => serviceTopic(c, ch)) : [deviceTopic(c, d, 'command')];
      for (const filter of [...ALL_TOPICS.filter((t) => !mine.includes(t)), ...WILDCARDS]) {
        const granted = await client.subscribeAsync(filter, { qos: 1 }).then(
          (g) => g.map((x) => x.qos),
          (e: Error & { packet?: { granted?: number[] } }) => e.packet?.granted,
        );
        expect(granted, `${username} subscribing to ${filter}`).toEqual([128]);
        denied++;
      }
      await client.subscribeAsync(mine, { qos: 1 }); // its own topics are granted
    }
    expect(s.broker.stats().byCode.EVN_ERR_ACL_SUBSCRIBE).toBe(before + denied);

    // now every legitimate message of the world flows once: each must reach only its owner
    for (const { c, d } of devices) helpdesk.publish(deviceTopic(c, d, 'command'), validPayload(deviceTopic(c, d, 'command')), { qos: 1 });
    for (const c of CUSTOMERS) for (const ch of ['answer', 'contact', 'ticket'] as const) helpdesk.publish(serviceTopic(c, ch), validPayload(serviceTopic(c, ch)), { qos: 1 });
    for (const [username, client] of clients) for (const topic of own(username)) client.publish(topic, validPayload(topic), { qos: 1 });
    await pause(300);
    for (const { c, d, username } of devices) expect(received.get(username)).toEqual([deviceTopic(c, d, 'command')]);
    for (const c of CUSTOMERS) expect(received.get(`${c}/_app`)!.sort()).toEqual(['answer', 'contact', 'ticket'].map((ch) => serviceTopic(c, ch as ServiceChannel)).sort());
    for (const client of clients.values()) expect(client.connected).toBe(true);
    await Promise.all([...clients.values()].map((c) => c.endAsync()));
  });
});
