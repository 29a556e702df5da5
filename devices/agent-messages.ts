/**
 * What a message on a device agent's subscriptions is to it (devices/agent.ts): a confirmation (with
 * acknowledgements, its ack topic), a command, or neither, which it rejects with the contract's code and
 * never applies. Pure: the agent counts, queues and logs.
 */
import { decode, ERR, type AckBody, type Command, type Rejection } from '../contracts/index.js';

export type Inbound =
  | { type: 'ack'; body: AckBody }
  | { type: 'command'; cmd: Command }
  /** `onAck`: it came on the ack topic of an agent with acks (a confirmation that does not hold); else a command rejected */
  | { type: 'rejected'; onAck: boolean; error: Rejection | { code: typeof ERR.TOPIC } };

export function inbound(topic: string, payload: Buffer, acks: boolean): Inbound {
  const result = decode(topic, payload);
  if (!result.ok) return { type: 'rejected', onAck: acks && topic.endsWith('/ack'), error: result.error };
  const { value } = result;
  if (value.channel === 'ack') return { type: 'ack', body: value.payload };
  if (value.channel === 'command') return { type: 'command', cmd: value.payload };
  // a valid message of another channel: not the device's to take
  return { type: 'rejected', onAck: false, error: { code: ERR.TOPIC } };
}
