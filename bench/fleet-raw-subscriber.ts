/**
 * The bare-broker side of bench `fleet`, the helpdesk's part: one process of one mqtt.js client a broker
 * shard, connected and subscribed as the replay's helpdesk is (its telemetry, at the replay's
 * EMBEDDED_SUBSCRIBE_QOS, mqtt.js' debug log off), counting what arrives and doing nothing else with it.
 * It runs in a process of its own, started with the runner's V8 flags, as the replay's helpdesk runs in
 * the runner started fresh: the baseline does not inherit the heap and the young generation V8 left sized
 * after a replay (docs/fleet-engine-log.md). Started with one JSON argument (`{ urls }`); "ready" on stdout
 * once subscribed; on stdin a number per line, answered "got N" (N the messages received so far) once at
 * least that many have arrived. Ends when stdin closes.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { createInterface } from 'node:readline';
import { mqttLog } from '../contracts/mqtt-log.js';
import { applyRunnerV8Flags } from '../scenarios/engine/node-flags.js';
import { EMBEDDED_SUBSCRIBE_QOS } from '../scenarios/replay-helpdesk.js';

interface Start {
  urls: string[];
}

async function main(): Promise<void> {
  applyRunnerV8Flags();
  const o = JSON.parse(process.argv[2]!) as Start;
  let got = 0;
  const waiting: number[] = [];
  const answer = (): void => {
    while (waiting.length && got >= waiting[0]!) {
      waiting.shift();
      process.stdout.write(`got ${got}\n`);
    }
  };
  const subs: MqttClient[] = [];
  for (const [i, url] of o.urls.entries()) {
    const s = await mqtt.connectAsync(url, { clientId: `raw-helpdesk-${i}`, clean: true, ...mqttLog() });
    s.on('message', () => {
      got++;
      if (waiting.length && got >= waiting[0]!) answer();
    });
    await s.subscribeAsync('evernet/v1/+/+/telemetry', { qos: EMBEDDED_SUBSCRIBE_QOS });
    subs.push(s);
  }
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    waiting.push(Number(line));
    answer();
  });
  lines.on('close', () => {
    void Promise.all(subs.map((s) => s.endAsync())).then(() => process.exit(0));
  });
}

await main();
