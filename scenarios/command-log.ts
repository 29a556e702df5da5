/**
 * The helpdesk's commands to devices as they crossed the broker, for the report's counterfactuals
 * (ground-truth.ts) only: a connection of its own subscribed to every device's command topic. A
 * device applies a command at its event time (the helpdesk stamps it with the window's end, which
 * the device has reached), so the time stamped is the time applied; in a pipelined replay, a window later.
 *
 * On a NATS cluster (`cluster`), a command published on any node reaches a subscriber on every node:
 * the log has a connection on each, subscribed at QoS 0 (a QoS 1 subscription there is a JetStream
 * consumer, which a node killed elsewhere can stall), and counts a command once by its id. So it hears
 * every command while one node is down. A command id is counted once anywhere: a partition taken over
 * by another worker may send its commands again, with the same ids.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { decode, deviceKey, TOPIC_ROOT } from '../contracts/index.js';
import type { AppliedCommand } from './ground-truth.js';

export interface CommandLog {
  start(): Promise<void>;
  /** resolves once n commands have arrived (all the helpdesk sent: helpdesk.commandCount()) */
  received(n: number): Promise<void>;
  /** one device's commands in the order they were sent */
  of(customerId: string, deviceId: string): AppliedCommand[];
  stop(): Promise<void>;
}

/** `brokerUrls`: every broker the helpdesk publishes commands on (a fleet's shards), one connection each */
/** `appliedAfterMs`: how long after its time stamp a device applies a command (a pipelined replay: a window; default 0) */
export function createCommandLog(options: { brokerUrls: readonly string[]; clientId: string; log: Logger; cluster?: boolean; appliedAfterMs?: number }): CommandLog {
  const byDevice = new Map<string, AppliedCommand[]>();
  let count = 0;
  /** the command ids heard: a copy (another node's connection, a command sent again) is not counted twice */
  const seen = new Set<string>();
  // a broker that refuses the wildcard (an ACL): the counterfactuals run without commands, as before
  let refused = false;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let clients: MqttClient[] = [];

  function onMessage(topic: string, payload: Buffer): void {
    const r = decode(topic, payload);
    if (r.ok && r.value.channel === 'command') {
      if (seen.has(r.value.payload.commandId)) return;
      seen.add(r.value.payload.commandId);
      const { v: _v, ts, seq: _s, ...body } = r.value.payload;
      const key = deviceKey(r.value.topic.customerId, r.value.topic.deviceId);
      const list = byDevice.get(key) ?? [];
      list.push({ at: ts + (options.appliedAfterMs ?? 0), body });
      byDevice.set(key, list);
    }
    count++;
    for (let i = waiters.length - 1; i >= 0; i--) if (count >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve();
  }

  return {
    async start() {
      for (const [i, url] of options.brokerUrls.entries()) {
        const client = await mqtt.connectAsync(url, { clientId: options.brokerUrls.length > 1 ? `${options.clientId}-${i}` : options.clientId, clean: true });
        clients.push(client);
        client.on('message', onMessage);
        const granted = await client.subscribeAsync(`${TOPIC_ROOT}/+/+/command`, { qos: options.cluster ? 0 : 1 });
        if (granted.some((g) => g.qos === 128)) {
          refused = true;
          options.log.warn({ clientId: options.clientId }, "the broker refused the replay's command log: counterfactuals run without the helpdesk's commands");
        }
      }
    },
    received(n) {
      if (refused || count >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    of: (customerId, deviceId) => byDevice.get(deviceKey(customerId, deviceId)) ?? [],
    async stop() {
      // it only listens: nothing of its own in flight to wait for
      await Promise.all(clients.map((c) => c.endAsync(true)));
      clients = [];
    },
  };
}
