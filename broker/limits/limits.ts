/**
 * Edge limits: what one client may cost the broker. Pure checks; the hooks enforce them by
 * disconnecting the client (MQTT 3.1.1 has no way to refuse a single PUBLISH with a reason).
 */
import { MAX_PAYLOAD_BYTES } from '../../contracts/validate.js';
import { codeTable } from '../../contracts/errors.js';

export const LIMIT_ERR = codeTable({
  PACKET_TOO_LARGE: 'EVN_ERR_PACKET_TOO_LARGE',
  PAYLOAD_TOO_LARGE: 'EVN_ERR_TOO_LARGE',
  TOPIC_TOO_LONG: 'EVN_ERR_TOPIC_TOO_LONG',
  TOPIC_TOO_DEEP: 'EVN_ERR_TOPIC_TOO_DEEP',
  RATE_LIMIT: 'EVN_ERR_RATE_LIMIT',
  KEEPALIVE: 'EVN_ERR_KEEPALIVE',
});
export type LimitCode = (typeof LIMIT_ERR)[keyof typeof LIMIT_ERR];

export interface EdgeLimits {
  /** largest PUBLISH payload (bytes); default 64 KiB, the contract's own limit */
  maxPayloadBytes: number;
  /** largest MQTT packet on the wire (bytes after the fixed header): bigger ones are cut off unread */
  maxPacketBytes: number;
  /** longest topic or filter (characters) */
  maxTopicLength: number;
  /** most topic levels (our tree has 5) */
  maxTopicLevels: number;
  /** sustained publishes per second per identity (devices and apps; helpdesk and admin are exempt) */
  publishPerSecond: number;
  /** token-bucket size: the burst a client may send at once */
  publishBurst: number;
  /** largest keep-alive a client may ask for (s); 0 (no keep-alive) is refused too */
  keepaliveLimitS: number;
}

export const DEFAULT_LIMITS: EdgeLimits = {
  maxPayloadBytes: MAX_PAYLOAD_BYTES,
  maxPacketBytes: MAX_PAYLOAD_BYTES + 1024,
  maxTopicLength: 256,
  maxTopicLevels: 8,
  publishPerSecond: 50,
  publishBurst: 200,
  keepaliveLimitS: 300,
};

export type LimitDecision = { ok: true } | { ok: false; code: LimitCode; reason: string };

export function checkTopic(topic: string, limits: EdgeLimits): LimitDecision {
  if (topic.length > limits.maxTopicLength) {
    return { ok: false, code: LIMIT_ERR.TOPIC_TOO_LONG, reason: `topic of ${topic.length} characters exceeds ${limits.maxTopicLength}` };
  }
  const levels = topic.split('/').length;
  if (levels > limits.maxTopicLevels) {
    return { ok: false, code: LIMIT_ERR.TOPIC_TOO_DEEP, reason: `topic of ${levels} levels exceeds ${limits.maxTopicLevels}` };
  }
  return { ok: true };
}

export function checkPayload(size: number, limits: EdgeLimits): LimitDecision {
  if (size > limits.maxPayloadBytes) {
    return { ok: false, code: LIMIT_ERR.PAYLOAD_TOO_LARGE, reason: `payload of ${size} bytes exceeds ${limits.maxPayloadBytes}` };
  }
  return { ok: true };
}
