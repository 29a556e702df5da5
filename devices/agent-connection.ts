/**
 * A device agent's MQTT connection, the parts that do not depend on its model: the mqtt.js options it
 * connects with (its client id, a clean session, its last will, a cluster's other nodes), its command
 * subscription, what it says at a connect, and a goodbye that a broker which never acknowledges cannot hold up (devices/agent.ts).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { deviceTopic } from '../contracts/index.js';
import { brokerTarget, mqttLog, serversOf, type AgentOptions, type Hello } from './agent-options.js';
import { subscribePersistently } from './subscribe.js';
import { InflightStore } from './outbox/inflight-store.js';

/**
 * What a device's mqtt.js client costs a message depends on these: a clean session, its in-flight packets
 * over a ring (outbox/inflight-store.ts), mqtt.js' debug log off, and its resubscription off. With it on,
 * 3,000 clients each subscribed to its own command topic took about a quarter longer for every QoS 1
 * publish, in rfdc's copy of the packet (mqtt.js keeps the topics in an object keyed by them; likely the
 * thousands of hidden classes that makes off V8's empty object, docs/fleets.md).
 * The device subscribes again itself at every new connection (agent.ts). The fleet bench's bare hosts
 * connect with these options too, so that its bare pattern differs from the replay in the replay's own work only.
 */
export function deviceClientOptions(clientId: string): IClientOptions {
  return { clientId, clean: true, resubscribe: false, outgoingStore: new InflightStore(), ...mqttLog() };
}

/** what of a device's options its connection depends on */
export type ConnectionOptions = Pick<AgentOptions, 'brokerUrl' | 'failoverUrls' | 'reconnectPeriodMs' | 'credentials'>;

/** Connects as the device `clientId`, with its last will (retained, QoS 1); the fleet bench's bare hosts connect so too */
export async function connectDevice(options: ConnectionOptions, clientId: string, will: { topic: string; payload: string }): Promise<MqttClient> {
  const target = brokerTarget(options.brokerUrl);
  const opts: IClientOptions = {
    ...(options.failoverUrls?.length ? { servers: serversOf([options.brokerUrl, ...options.failoverUrls.filter((u) => u !== options.brokerUrl)]) } : {}),
    ...deviceClientOptions(clientId),
    reconnectPeriod: options.reconnectPeriodMs ?? 1000,
    ...(options.credentials ? { username: options.credentials.username, password: options.credentials.password } : {}),
    will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true },
  };
  return typeof target === 'string' ? await mqtt.connectAsync(target, opts) : await mqtt.connectAsync({ ...target, ...opts });
}

/**
 * Says `payload` on `topic` (retained, QoS 1) and disconnects once the broker has acknowledged it and
 * what is in flight; after `timeoutMs` without that (a busy cluster node, a half-open connection) it lets
 * go of the connection instead, and says so in the log. `onSaid` once the broker has acknowledged the goodbye.
 */
export async function sayGoodbye(c: MqttClient, topic: string, payload: string, o: { timeoutMs: number; log: Logger; deviceId: string; onSaid: () => unknown }): Promise<void> {
  const goodbye = async (): Promise<void> => {
    await c.publishAsync(topic, payload, { qos: 1, retain: true });
    o.onSaid();
    await c.endAsync();
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), o.timeoutMs)));
  const outcome = await Promise.race([goodbye().then(() => 'said' as const), late]).finally(() => clearTimeout(timer));
  if (outcome === 'said') return;
  o.log.warn({ deviceId: o.deviceId }, 'the broker did not acknowledge the offline within the stop timeout: connection let go');
  await c.endAsync(true);
}

/**
 * Lets go of a device's connection without a goodbye; its outbox keeps what was not sent. `drop`: the
 * stream is destroyed first, so that the broker publishes the last will (a board unplugged).
 */
export async function letGo(c: MqttClient, outbox: { detach(): void }, drop: boolean): Promise<void> {
  outbox.detach();
  if (drop) c.stream.destroy();
  await c.endAsync(true);
}

/** Subscribes to its commands (and with acks, its ack topic): asked again while the broker refuses for now (subscribe.ts) */
export async function subscribeCommands(c: MqttClient, customerId: string, deviceId: string, acks: boolean, log: Logger): Promise<void> {
  // with end-to-end acknowledgements (a NATS cluster), its ack topic in the same SUBSCRIBE, and both at
  // QoS 0: a QoS 1 subscription there is a JetStream consumer, which a node killed elsewhere can stall
  // for good, and its session is clean, so QoS 1 would only redeliver within one connection
  const command = deviceTopic(customerId, deviceId, 'command');
  const topics = acks ? [command, deviceTopic(customerId, deviceId, 'ack')] : [command];
  await subscribePersistently(c, topics, acks ? 0 : 1, (attempt, err) =>
    log.warn({ deviceId, attempt, err: err.message }, 'the broker refused the command subscription: asked again'),
  );
}

/**
 * At a new connection after the first: a clean session, so the broker forgot the command subscription, and
 * mqtt.js does not make it again (its own resubscription is off, deviceClientOptions): subscribed again
 * here, a failure logged (the device goes on; commands then do not reach it).
 */
export function subscribeAgain(c: MqttClient, customerId: string, deviceId: string, acks: boolean, log: Logger): void {
  subscribeCommands(c, customerId, deviceId, acks, log).catch((err: Error) =>
    log.warn({ deviceId, err: err.message }, 'the command subscription was not made again on the new connection'),
  );
}

/** what was said at a connect has gone unconfirmed for `periods` resend periods: said once, where acknowledgements cannot work */
export function warnNotConfirmed(log: Logger, deviceId: string, periods: number, outbox: unknown): void {
  log.warn(
    { code: 'EVN_ERR_NOT_CONFIRMED', deviceId, periods, outbox },
    'no confirmation from the helpdesk: acknowledgements need a helpdesk on a NATS cluster (evernet helpdesk --cluster); the readings wait in the outbox',
  );
}

/** What a device says at a connect, straight to its connection, retained: its announce (when it has one), then "online" */
export function publishHello(c: MqttClient, customerId: string, deviceId: string, h: Hello): void {
  if (h.announce !== null) c.publish(deviceTopic(customerId, deviceId, 'announce'), h.announce, { qos: 1, retain: true });
  c.publish(deviceTopic(customerId, deviceId, 'availability'), h.online, { qos: 1, retain: true });
}
