/**
 * The bare-broker side of bench `fleet`: one process of plain mqtt.js clients, as many as a device
 * host of the replay has, each publishing QoS 1 telemetry-sized messages to its customer's shard.
 * Its clients are connections as a device's are (devices/agent-connection.ts): a device agent's client
 * options, a last will (retained, QoS 1) on its availability topic, and a QoS 1 subscription to its
 * command topic, which nothing publishes to here. Started with one JSON
 * argument; on stdin a number per line (messages to publish now, dealt round-robin over its clients),
 * answered "sent" on stdout; "ready N" once all are connected, N the command subscriptions the broker
 * granted at QoS 1.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { createInterface } from 'node:readline';
import { partitionOf } from '../contracts/partition.js';
import { deviceTopic } from '../contracts/topics.js';
import { deviceClientOptions } from '../devices/agent-connection.js';

interface Start {
  urls: string[];
  devices: number;
  index: number;
  hosts: number;
  payloadBytes: number;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as Start;
  const clients: { c: MqttClient; topic: string }[] = [];
  let granted = 0;
  const mine: number[] = [];
  for (let i = o.index; i < o.devices; i += o.hosts) mine.push(i);
  for (let k = 0; k < mine.length; k += 100) {
    const batch = await Promise.all(
      mine.slice(k, k + 100).map(async (i) => {
        const customer = `home-${i}`;
        // the connection a device agent holds (its client options, its will, its command subscription): only the replay's own work differs
        const will = { topic: deviceTopic(customer, 'dev', 'availability'), payload: Buffer.from('offline'), qos: 1 as const, retain: true };
        const c = await mqtt.connectAsync(o.urls[partitionOf(customer, o.urls.length)]!, { ...deviceClientOptions(`raw-${i}`), will });
        const [sub] = await c.subscribeAsync(deviceTopic(customer, 'dev', 'command'), { qos: 1 });
        if (sub?.qos === 1) granted++;
        return { c, topic: deviceTopic(customer, 'dev', 'telemetry') };
      }),
    );
    clients.push(...batch);
  }
  const payload = Buffer.alloc(o.payloadBytes, 'x');
  let cursor = 0;
  process.stdout.write(`ready ${granted}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const n = Number(line);
    for (let j = 0; j < n; j++) {
      const x = clients[cursor++ % clients.length]!;
      x.c.publish(x.topic, payload, { qos: 1 });
    }
    process.stdout.write('sent\n');
  });
  lines.on('close', () => {
    void Promise.all(clients.map((x) => x.c.endAsync(true))).then(() => process.exit(0));
  });
}

await main();
