/**
 * Group `replay`: the whole day in 2020 through the embedded broker, against plain aedes
 * publish -> subscribe of the same number of messages with the same payload size, in the same run.
 */
import mqtt from 'mqtt';
import { silentLogger } from '../log/logger.js';
import { createBroker } from '../broker/server.js';
import { round } from '../contracts/round.js';
import { loadScenario } from '../scenarios/load.js';
import { EMBEDDED_SUBSCRIBE_QOS } from '../scenarios/replay-helpdesk.js';
import { replay } from '../scenarios/runner.js';

/**
 * One publisher at QoS 1, like a device, and one subscriber at the QoS the replay's helpdesk subscribes at
 * (0: no acknowledgement from it); returns messages per second.
 */
export async function rawBroker(count: number, payloadBytes: number): Promise<number> {
  const broker = await createBroker({ port: 0 }).start();
  const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-pub' });
  const sub = await mqtt.connectAsync(broker.url, { clientId: 'bench-sub' });
  await sub.subscribeAsync('bench/#', { qos: EMBEDDED_SUBSCRIBE_QOS });
  const payload = Buffer.alloc(payloadBytes, 'x');
  let got = 0;
  const done = new Promise<void>((resolve) => sub.on('message', () => ++got === count && resolve()));
  const t0 = performance.now();
  // publish in windows like the replay does, so neither side is flooded without bound
  for (let i = 0; i < count; i += 30) {
    for (let j = i; j < Math.min(i + 30, count); j++) pub.publish('bench/maria/car/telemetry', payload, { qos: 1 });
    await new Promise<void>((r) => (got >= Math.min(i + 30, count) ? r() : setImmediate(() => r())));
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  await pub.endAsync();
  await sub.endAsync();
  await broker.stop();
  return count / seconds;
}

export async function benchReplay(): Promise<Record<string, number>> {
  const scenario = loadScenario('scenarios/day-in-2020.yaml');
  const { report, wall } = await replay({ scenario, log: silentLogger() });
  const raw = await rawBroker(report.messages.published, 200);
  return {
    'replay.messages': report.messages.published,
    'replay.wallSeconds': round(wall.seconds, 3),
    'replay.messagesPerSecond': Math.round(wall.messagesPerSecond),
    'replay.rawBrokerMessagesPerSecond': Math.round(raw),
    'replay.ratio': round(wall.messagesPerSecond / raw, 3),
  };
}
