/**
 * The bare-broker side of bench `fleet`: one process of plain mqtt.js clients, as many as a device
 * host of the replay has, each publishing QoS 1 telemetry-sized messages to its customer's shard.
 * Its clients connect and subscribe as a device does (devices/agent-connection.ts): a device agent's client
 * options and last will (retained, QoS 1) on its availability topic, and a QoS 1 subscription to its
 * command topic, which nothing publishes to here. Started with one JSON
 * argument; on stdin a number per line (messages to publish now, dealt round-robin over its clients),
 * answered "sent" on stdout; "ready N" once all are connected, N the command subscriptions the broker
 * granted at QoS 1.
 */
import type { MqttClient, Packet } from 'mqtt';
import { createInterface } from 'node:readline';
import { partitionOf } from '../contracts/partition.js';
import { deviceTopic } from '../contracts/topics.js';
import { connectDevice, subscribeCommands } from '../devices/agent-connection.js';
import { silentLogger } from '../log/logger.js';

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
  const log = silentLogger();
  const mine: number[] = [];
  for (let i = o.index; i < o.devices; i += o.hosts) mine.push(i);
  for (let k = 0; k < mine.length; k += 100) {
    const batch = await Promise.all(
      mine.slice(k, k + 100).map(async (i) => {
        const customer = `home-${i}`;
        // the connection a device agent holds, made as the agent makes it: only the replay's own work differs
        const c = await connectDevice({ brokerUrl: o.urls[partitionOf(customer, o.urls.length)]! }, `raw-${i}`, { topic: deviceTopic(customer, 'dev', 'availability'), payload: 'offline' });
        // what the broker answered, not what was asked (heard only while subscribing: no listener on the publishes' acks)
        const onSuback = (p: Packet): void => {
          if (p.cmd === 'suback' && p.granted[0] === 1) granted++;
        };
        c.on('packetreceive', onSuback);
        await subscribeCommands(c, customer, 'dev', false, log);
        c.off('packetreceive', onSuback);
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
