/**
 * Announces devices to Home Assistant over MQTT: retained discovery configs (QoS 1), empty retained
 * configs when a device is removed, and everything again when Home Assistant says it is online on
 * <prefix>/status (its birth message, after a restart). One connection of its own: discovery is not
 * a device, so it must not share (or trip) a device's last will.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { DEFAULT_PREFIX, discoveryMessages, nodeId, removalMessages, type DiscoveryDevice, type DiscoveryMessage } from './config.js';

export interface DiscoveryOptions {
  brokerUrl: string;
  log: Logger;
  /** Home Assistant's discovery prefix (default "homeassistant") */
  prefix?: string;
  clientId?: string;
}

export function createDiscovery(options: DiscoveryOptions) {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const statusTopic = `${prefix}/status`;
  const devices = new Map<string, DiscoveryDevice>();
  const stats = { announced: 0, removed: 0, reannouncements: 0 };
  let client: MqttClient | null = null;

  async function publishAll(messages: DiscoveryMessage[]): Promise<void> {
    const c = client;
    if (!c) return;
    await Promise.all(messages.map((m) => c.publishAsync(m.topic, m.config ? JSON.stringify(m.config) : '', { qos: 1, retain: true })));
  }

  async function announce(d: DiscoveryDevice): Promise<void> {
    devices.set(nodeId(d), d);
    const messages = discoveryMessages(d, prefix);
    await publishAll(messages);
    stats.announced += messages.length;
  }

  return {
    async start(): Promise<void> {
      client = await mqtt.connectAsync(options.brokerUrl, {
        clientId: options.clientId ?? `evernet-discovery-${process.pid}-${Math.floor(Math.random() * 1e6)}`,
        clean: true,
        reconnectPeriod: 1000,
      });
      client.on('message', (topic, payload) => {
        if (topic !== statusTopic || payload.toString() !== 'online') return;
        stats.reannouncements++;
        options.log.info({ devices: devices.size }, 'Home Assistant is online: announcing devices again');
        void Promise.all([...devices.values()].map((d) => announce(d))).catch((e: Error) =>
          options.log.warn({ code: 'EVN_ERR_DISCOVERY', err: e.message }, 're-announcement failed'),
        );
      });
      await client.subscribeAsync(statusTopic, { qos: 1 });
      // devices added before start()
      await Promise.all([...devices.values()].map((d) => announce(d)));
    },
    /** Announces a device (again): retained configs for all its entities. */
    async add(device: DiscoveryDevice): Promise<void> {
      devices.set(nodeId(device), device);
      if (client) await announce(device);
    },
    /** Removes a device from Home Assistant: empty retained configs clear the retained ones. */
    async remove(device: Pick<DiscoveryDevice, 'customerId' | 'deviceId' | 'kind'>): Promise<void> {
      devices.delete(nodeId(device));
      const messages = removalMessages(device, prefix);
      await publishAll(messages);
      stats.removed += messages.length;
    },
    stats: () => ({ ...stats, devices: devices.size }),
    async stop(): Promise<void> {
      const c = client;
      client = null;
      await c?.endAsync();
    },
  };
}

export type Discovery = ReturnType<typeof createDiscovery>;
