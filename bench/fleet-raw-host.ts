/**
 * The bare-broker side of bench `fleet`: one process of plain mqtt.js clients, one for each device of a
 * replay's device host, replaying that host's message trace (scenarios/engine/message-trace.ts): in each
 * window, each device that published in the replay publishes as many QoS 1 telemetry-sized messages on
 * its own client to its customer's shard. Its clients connect and subscribe as a device does
 * (devices/agent-connection.ts): a device agent's client options and last will (retained, QoS 1) on its
 * availability topic, and a QoS 1 subscription to its command topic, which nothing publishes to here.
 * Started with one JSON argument ({ urls, trace, payloadBytes }); the trace is read whole before the
 * clients connect; "ready N W" on stdout once all are connected, N the command subscriptions the broker
 * granted at QoS 1, W the trace's windows; then on stdin a window's index per line, answered "sent N" (N that window's messages).
 */
import type { MqttClient, Packet } from 'mqtt';
import { createInterface } from 'node:readline';
import { partitionOf } from '../contracts/partition.js';
import { deviceTopic } from '../contracts/topics.js';
import { connectDevice, subscribeCommands } from '../devices/agent-connection.js';
import { silentLogger } from '../log/logger.js';
import { readMessageTrace } from '../scenarios/engine/message-trace.js';

interface Start {
  urls: string[];
  /** a replay host's message trace file */
  trace: string;
  payloadBytes: number;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as Start;
  const trace = readMessageTrace(o.trace);
  const clients: { c: MqttClient; topic: string }[] = [];
  let granted = 0;
  const log = silentLogger();
  for (let k = 0; k < trace.devices.length; k += 100) {
    const batch = await Promise.all(
      trace.devices.slice(k, k + 100).map(async ([customer, device]) => {
        // the connection a device agent holds, made as the agent makes it: only the replay's own work differs
        const c = await connectDevice({ brokerUrl: o.urls[partitionOf(customer, o.urls.length)]! }, `raw-${customer}-${device}`, { topic: deviceTopic(customer, device, 'availability'), payload: 'offline' });
        // what the broker answered, not what was asked (heard only while subscribing: no listener on the publishes' acks)
        const onSuback = (p: Packet): void => {
          if (p.cmd === 'suback' && p.granted[0] === 1) granted++;
        };
        c.on('packetreceive', onSuback);
        await subscribeCommands(c, customer, device, false, log);
        c.off('packetreceive', onSuback);
        return { c, topic: deviceTopic(customer, device, 'telemetry') };
      }),
    );
    clients.push(...batch);
  }
  const payload = Buffer.alloc(o.payloadBytes, 'x');
  process.stdout.write(`ready ${granted} ${trace.windows.length}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const window = trace.windows[Number(line)] ?? new Int32Array(0);
    for (let j = 0; j < window.length; j++) {
      const x = clients[window[j]!]!;
      x.c.publish(x.topic, payload, { qos: 1 });
    }
    process.stdout.write(`sent ${window.length}\n`);
  });
  lines.on('close', () => {
    void Promise.all(clients.map((x) => x.c.endAsync(true))).then(() => process.exit(0));
  });
}

await main();
