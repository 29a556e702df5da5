/**
 * The MQTT clients of the security bench, in a process of their own (forked by bench/security.ts), so
 * the broker's process measures only the broker: its heap, its CPU. Driven over IPC:
 *
 *   { type: 'storm', ... }       connect `count` devices, `concurrency` at a time -> { type: 'stormed' }
 *   { type: 'release' }          close them all                                   -> { type: 'released' }
 *   { type: 'throughput', ... }  connect, subscribe, build the payloads          -> { type: 'ready' }
 *   { type: 'go' }               one publisher -> one subscriber, QoS 1          -> { type: 'throughput' }
 *   { type: 'exit' }
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { telemetryPayload } from './payload.js';
import { serveRequests } from './ipc.js';

export interface StormRequest {
  type: 'storm';
  url: string;
  count: number;
  concurrency: number;
  /** every device logs in with this secret (as `cust-<i>/meter`); null: anonymous */
  secret: string | null;
}

export interface ThroughputRequest {
  type: 'throughput';
  url: string;
  count: number;
  /** most messages published but not yet received */
  window: number;
  topic: string;
  filter: string;
  publisher: IClientOptions;
  subscriber: IClientOptions;
}

export type Request = StormRequest | ThroughputRequest | { type: 'go' } | { type: 'release' } | { type: 'exit' };

export type Reply =
  | { type: 'stormed'; seconds: number; connected: number; failed: number; firstError: string | null }
  | { type: 'released' }
  | { type: 'ready' }
  | { type: 'throughput'; seconds: number; received: number }
  | { type: 'error'; message: string };

export const stormUsername = (i: number): string => `cust-${i}/meter`;
export const stormClientId = (i: number): string => `evernet-cust-${i}-meter`;

const held: MqttClient[] = [];
let go: (() => void) | null = null;

async function storm(r: StormRequest): Promise<Reply> {
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < r.count) {
      const i = next++;
      const opts: IClientOptions = { clientId: stormClientId(i), reconnectPeriod: 0, connectTimeout: 120_000, keepalive: 300 };
      if (r.secret !== null) Object.assign(opts, { username: stormUsername(i), password: r.secret });
      try {
        held.push(await mqtt.connectAsync(r.url, opts));
      } catch (e) {
        failed++;
        firstError ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: r.concurrency }, worker));
  return { type: 'stormed', seconds: (performance.now() - t0) / 1000, connected: held.length, failed, firstError };
}

async function release(): Promise<Reply> {
  await Promise.all(held.splice(0).map((c) => c.endAsync(true)));
  return { type: 'released' };
}

async function throughput(r: ThroughputRequest): Promise<Reply> {
  const sub = await mqtt.connectAsync(r.url, { reconnectPeriod: 0, ...r.subscriber });
  const pub = await mqtt.connectAsync(r.url, { reconnectPeriod: 0, ...r.publisher });
  await sub.subscribeAsync(r.filter, { qos: 1 });
  // built before the clock starts: the same valid readings for every run
  const payloads = Array.from({ length: r.count }, (_, i) => Buffer.from(telemetryPayload(i)));
  // the broker's process starts its CPU clock between 'ready' and 'go': logins are not in the figure
  await new Promise<void>((resolve) => {
    go = resolve;
    send({ type: 'ready' });
  });
  let sent = 0;
  let got = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (sent < r.count && sent - got < r.window) pub.publish(r.topic, payloads[sent++]!, { qos: 1 });
    };
    sub.on('message', () => {
      if (++got === r.count) resolve();
      else pump();
    });
    pub.on('close', () => got < r.count && reject(new Error(`publisher closed after ${got} of ${r.count} messages`)));
    pump();
  });
  const seconds = (performance.now() - t0) / 1000;
  await pub.endAsync();
  await sub.endAsync();
  return { type: 'throughput', seconds, received: got };
}

/** a reply in the middle of a request (`ready` before `go`) */
const send = (reply: Reply) => process.send!(reply);

serveRequests<Request, Reply>(async (msg) => {
  switch (msg.type) {
    case 'storm':
      return storm(msg);
    case 'release':
      return release();
    case 'throughput':
      return throughput(msg);
    case 'go':
      go?.();
      go = null;
      return null;
  }
});
