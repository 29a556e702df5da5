/**
 * The helpdesk on MQTT: one connection a broker (one broker, or each of a fleet's broker shards; each
 * customer's messages go through the shard `partitionOf(customer, n)` names).
 *
 * The connection is a persistent session by default (clean: false, a fixed client id): while the
 * helpdesk is away (restart, network, crash) the broker queues its QoS 1 messages and delivers them
 * when it is back. If the broker lost the session (no persistence, or a new broker), the helpdesk
 * subscribes again on reconnect.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { batchWrites, customerOfTopic, HELPDESK_FILTERS, partitionOf } from '../../contracts/index.js';
import { mqttLog } from '../../contracts/mqtt-log.js';
import type { HelpdeskTransport } from './transport.js';

export interface MqttTransportOptions {
  /** one URL a broker shard (one without shards) */
  brokerUrls: readonly string[];
  log: Logger;
  /** fixed per helpdesk, so that its persistent session survives restarts; default 'evernet-helpdesk' (with shards: '-<i>' added) */
  clientId?: string;
  /** true: a clean session (replays); default false: a persistent session, the broker keeps its queue */
  cleanSession?: boolean;
  /** ms between reconnect attempts (default 1000) */
  reconnectPeriodMs?: number;
  credentials?: { username: string; password: string };
  /**
   * the QoS of its subscriptions (default 1). 0: no acknowledgement per message, for a replay, whose
   * clean session loses what was in flight on a dropped connection anyway and whose barrier then stops
   * with EVN_ERR_REPLAY_STALLED; its PUBACKs were 7 % of a 1,000-home fleet replay's helpdesk process
   */
  subscribeQos?: 0 | 1;
}

/** mqtt.connectAsync, with the message listener in place before the connection opens */
function connectListening(url: string, opts: IClientOptions, onMessage: (topic: string, payload: Buffer) => void): Promise<MqttClient> {
  const c = mqtt.connect(url, opts);
  c.on('message', onMessage);
  return new Promise((resolve, reject) => {
    const off = () => {
      c.off('connect', ok);
      c.off('error', fail);
    };
    const ok = () => {
      off();
      resolve(c);
    };
    const fail = (err: Error) => {
      off();
      c.end(true);
      reject(err);
    };
    c.on('connect', ok);
    c.on('error', fail);
  });
}

export function createMqttTransport(options: MqttTransportOptions): HelpdeskTransport {
  const { log, brokerUrls } = options;
  const clean = options.cleanSession ?? false;
  const qos = options.subscribeQos ?? 1;
  let clients: MqttClient[] = [];

  const connectShard = async (url: string, i: number, onMessage: (topic: string, payload: Uint8Array) => void): Promise<MqttClient> => {
    const base = options.clientId ?? 'evernet-helpdesk';
    const c = await connectListening(
      url,
      {
        clientId: brokerUrls.length > 1 ? `${base}-${i}` : base,
        clean,
        reconnectPeriod: options.reconnectPeriodMs ?? 1000,
        ...mqttLog(),
        ...(options.credentials ? { username: options.credentials.username, password: options.credentials.password } : {}),
      },
      onMessage,
    );
    // its acknowledgements of a burst of messages leave in one write (contracts/write-batching.ts), on every connection
    batchWrites(c.stream);
    c.on('connect', () => batchWrites(c.stream));
    // mqtt.js (MQTT 3.1.1) does not subscribe again on its own when a persistent session was lost
    c.on('connect', (connack) => {
      if (clean || connack.sessionPresent) return;
      log.warn({ broker: url }, 'the broker lost the helpdesk session: subscribing again');
      c.subscribe([...HELPDESK_FILTERS], { qos }, (err) => err && log.error({ err: err.message }, 'subscribing again failed'));
    });
    await c.subscribeAsync([...HELPDESK_FILTERS], { qos });
    log.info({ broker: url, session: clean ? 'clean' : 'persistent' }, 'helpdesk subscribed');
    return c;
  };

  return {
    async start(onMessage) {
      // listening before the CONNACK: a resumed session's queue starts flowing right after it, and
      // mqtt.js acknowledges a message whether or not anyone listens
      const connected: MqttClient[] = [];
      try {
        for (const [i, url] of brokerUrls.entries()) connected.push(await connectShard(url, i, onMessage));
      } catch (e) {
        for (const c of connected) c.end(true);
        throw e;
      }
      clients = connected;
    },
    publish(topic, payload, retain) {
      const client = clients.length > 1 ? clients[partitionOf(customerOfTopic(topic) ?? '', clients.length)] : clients[0];
      client?.publish(topic, typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: 1, retain });
    },
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync()));
      clients = [];
    },
    abort() {
      for (const c of clients) c.end(true);
      clients = [];
    },
  };
}
