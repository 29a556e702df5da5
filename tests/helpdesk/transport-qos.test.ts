/**
 * The helpdesk's MQTT transport (helpdesk/transport/mqtt.ts) and the QoS of its subscriptions: 1 by
 * default (a PUBACK back for every message), 0 for a replay (`subscribeQos: 0`: none). A real aedes
 * broker on port 0, a real mqtt.js device, and a TCP proxy that reads what the helpdesk sends.
 */
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { deviceTopic, encode, stamp } from '../../contracts/index.js';
import { createMqttTransport } from '../../helpdesk/transport/mqtt.js';
import { silentLogger } from '../../log/logger.js';
import { tcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

const T0 = Date.parse('2020-11-02T08:00:00Z');
const topic = deviceTopic('maria', 'fridge', 'event');

/** MQTT packets of one type in a byte stream (fixed header: type in the high nibble, then the remaining length) */
function count(bytes: Buffer, type: number): number {
  let n = 0;
  for (let i = 0; i < bytes.length; ) {
    if (bytes[i]! >> 4 === type) n++;
    let len = 0;
    let mul = 1;
    let j = i + 1;
    for (; ; j++) {
      len += (bytes[j]! & 0x7f) * mul;
      mul *= 128;
      if (!(bytes[j]! & 0x80)) break;
    }
    i = j + 1 + len;
  }
  return n;
}

describe('the helpdesk transport on MQTT', () => {
  let broker: RunningBroker;
  beforeEach(async () => {
    broker = await createBroker({ port: 0 }).start();
  });
  afterEach(async () => {
    await broker.stop();
  });

  it.each([
    [undefined, 20],
    [0 as const, 0],
  ])('subscribing at QoS %s acknowledges %i of 20 QoS 1 messages', async (subscribeQos, pubacks) => {
    const up: Buffer[] = [];
    const proxy = await tcpProxy(broker.port, (chunk) => up.push(chunk));
    const transport = createMqttTransport({ brokerUrls: [`mqtt://127.0.0.1:${proxy.port}`], log: silentLogger(), cleanSession: true, ...(subscribeQos === undefined ? {} : { subscribeQos }) });
    const received: string[] = [];
    await transport.start((t) => void received.push(t));
    const device = await mqtt.connectAsync(broker.url, { clientId: 'fridge' });
    for (let seq = 1; seq <= 20; seq++) await device.publishAsync(topic, encode(topic, stamp({ type: 'crank', minVoltageV: 10.2, restVoltageV: 12.6, currentA: -200, temperatureC: 8, durationMs: 900 }, T0 + seq, seq)), { qos: 1 });
    await until(() => received.length === 20, 5000, () => `received ${received.length} of 20`);
    await new Promise((r) => setTimeout(r, 100));
    expect(count(Buffer.concat(up), 4)).toBe(pubacks);
    await device.endAsync();
    await transport.stop();
    await proxy.close();
  });
});
