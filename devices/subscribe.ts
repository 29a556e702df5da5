/**
 * A device's subscription, asked again while the broker refuses it for now (a NATS cluster's MQTT
 * listener answers a SUBACK failure while JetStream is busy or electing a leader): 5 times in all,
 * 0.25 s to 4 s apart, as a real device would; then the refusal is thrown. A connection that dropped
 * meanwhile ends the attempts at once.
 */
import type { MqttClient } from 'mqtt';

export const SUBSCRIBE_ATTEMPTS = 5;

export async function subscribePersistently(c: MqttClient, topics: string[], qos: 0 | 1, onRefused: (attempt: number, err: Error) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await c.subscribeAsync(topics, { qos });
      return;
    } catch (e) {
      if (attempt >= SUBSCRIBE_ATTEMPTS || !c.connected) throw e;
      onRefused(attempt, e as Error);
      await new Promise((r) => setTimeout(r, 250 * 2 ** (attempt - 1)));
    }
  }
}
