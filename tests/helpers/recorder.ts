/**
 * What a real mqtt.js client sees: subscribes it (QoS 1) and keeps every message it receives, topic
 * and payload as text, in the order they arrive.
 */
import type { MqttClient } from 'mqtt';

export interface Seen {
  topic: string;
  payload: string;
}

/** subscribes `client` to `filters`; the returned list grows with every message from then on */
export async function record(client: MqttClient, filters: string | string[]): Promise<Seen[]> {
  const seen: Seen[] = [];
  client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  await client.subscribeAsync(filters, { qos: 1 });
  return seen;
}
