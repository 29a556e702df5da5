/**
 * A helpdesk partition's side of end-to-end acknowledgements, in a test: a real mqtt.js client on the
 * broker stands in for the partition's stream (it can lose the next messages of a channel, as a stream
 * did when a NATS node was killed), the partition's real gate (cluster/acks.ts) orders and dedupes what
 * it hands on, and confirmations go out every 100 ms (unless `confirms` is off).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { AckGate } from '../../cluster/acks.js';

export interface AckPartition {
  client: MqttClient;
  gate: AckGate;
  /** channel of every message handed on to the helpdesk, in order */
  received: string[];
  /** telemetry and event bodies handed on, in order (their seq says what arrived) */
  data: Array<{ channel: string; seq: number }>;
  /** availability bodies handed on */
  availability: Array<{ state: string; reason: string; seq: number }>;
  /** per channel (an availability by its state: `availability:online`): how many of the next arrivals the stream loses */
  lose: Map<string, number>;
  /** confirmations are sent (default true) */
  confirms: boolean;
  stop(): Promise<void>;
}

/** `startedAt`: the event time the gate's confirmations are stamped from */
export async function ackPartition(brokerUrl: string, startedAt: number): Promise<AckPartition> {
  const client = await mqtt.connectAsync(brokerUrl, { clientId: 'partition', reconnectPeriod: 50 });
  const part: AckPartition = {
    client, gate: new AckGate({ gapWaitMs: 60_000 }), received: [], data: [], availability: [], lose: new Map(), confirms: true,
    stop: async () => {
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
  const deliver = (topic: string, payload: Uint8Array): void => {
    const channel = topic.slice(topic.lastIndexOf('/') + 1);
    part.received.push(channel);
    const body = JSON.parse(Buffer.from(payload).toString()) as { seq: number; state: string; reason: string };
    if (channel === 'availability') part.availability.push(body);
    if (channel === 'telemetry' || channel === 'event') part.data.push({ channel, seq: body.seq });
  };
  client.on('message', (topic, payload) => {
    const channel = topic.slice(topic.lastIndexOf('/') + 1);
    const key = channel === 'availability' ? `availability:${(JSON.parse(payload.toString()) as { state: string }).state}` : channel;
    const lose = part.lose.get(key) ?? 0;
    if (lose > 0) {
      part.lose.set(key, lose - 1);
      return;
    }
    part.gate.offer(topic, payload, performance.now(), deliver);
  });
  await client.subscribeAsync(['evernet/v1/+/+/telemetry', 'evernet/v1/+/+/event', 'evernet/v1/+/+/announce', 'evernet/v1/+/+/availability'], { qos: 1 });
  const timer = setInterval(() => {
    if (!part.confirms) return;
    for (const [topic, payload] of part.gate.due(performance.now(), startedAt, deliver)) void client.publishAsync(topic, payload, { qos: 0 });
  }, 100);
  return part;
}
