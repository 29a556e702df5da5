/**
 * The two doors of the wire: `encode` (the one serializer, every message leaves through it) and `decode`
 * (a raw MQTT message checked against the contract). Errors are data with stable codes.
 */
import { describeIssues } from './issues.js';
import { parsedTopic, parseTopic, type DeviceChannel, type ParsedTopic, type ServiceChannel } from './topics.js';
import { Ack, Announce, AppRequest, Availability, Command, DeviceEvent, Telemetry, AssistantAnswer } from './payloads.js';
import { Contact, TicketUpdate } from './service-messages.js';
import { codeTable } from './errors.js';
import { isPlainTelemetry } from './telemetry-check.js';

export const ERR = codeTable({
  TOPIC: 'EVN_ERR_TOPIC',
  JSON: 'EVN_ERR_JSON',
  SCHEMA: 'EVN_ERR_SCHEMA',
  TOO_LARGE: 'EVN_ERR_TOO_LARGE',
  DUPLICATE: 'EVN_ERR_DUPLICATE',
  OUT_OF_ORDER: 'EVN_ERR_OUT_OF_ORDER',
  /** a sequence number further ahead than the sender could have counted since its last message (a spoof or a bug): refused, not adopted */
  SEQ_JUMP: 'EVN_ERR_SEQ_JUMP',
  /** event time further ahead of the helpdesk's clock than the allowed skew (a device clock gone wrong) */
  CLOCK_SKEW: 'EVN_ERR_CLOCK_SKEW',
  UNKNOWN_DEVICE: 'EVN_ERR_UNKNOWN_DEVICE',
  KIND_MISMATCH: 'EVN_ERR_KIND_MISMATCH',
  /** a valid message the helpdesk failed to handle (a bug): counted, logged, never a crash */
  INTERNAL: 'EVN_ERR_INTERNAL',
});
export type ErrorCode = (typeof ERR)[keyof typeof ERR];

export interface Rejection {
  code: ErrorCode;
  topic: string;
  reason: string;
}

export const MAX_PAYLOAD_BYTES = 64 * 1024;

const SCHEMAS = {
  telemetry: Telemetry,
  event: DeviceEvent,
  command: Command,
  availability: Availability,
  announce: Announce,
  ack: Ack,
  request: AppRequest,
  answer: AssistantAnswer,
  contact: Contact,
  ticket: TicketUpdate,
} as const;

/** The payload type of each channel. */
export interface PayloadOf {
  telemetry: Telemetry;
  event: DeviceEvent;
  command: Command;
  availability: Availability;
  announce: Announce;
  ack: Ack;
  request: AppRequest;
  answer: AssistantAnswer;
  contact: Contact;
  ticket: TicketUpdate;
}
type DeviceMessage<C extends DeviceChannel> = { channel: C; topic: Extract<ParsedTopic, { scope: 'device' }> & { channel: C }; payload: PayloadOf[C] };
type ServiceMessage<C extends ServiceChannel> = { channel: C; topic: Extract<ParsedTopic, { scope: 'service' }> & { channel: C }; payload: PayloadOf[C] };

/**
 * A message that passed the contract. `channel` is the discriminant: testing it narrows `payload` (and
 * `topic`, which keeps the parsed customer and device ids).
 */
export type Decoded =
  | DeviceMessage<'telemetry'>
  | DeviceMessage<'event'>
  | DeviceMessage<'command'>
  | DeviceMessage<'availability'>
  | DeviceMessage<'announce'>
  | DeviceMessage<'ack'>
  | ServiceMessage<'request'>
  | ServiceMessage<'answer'>
  | ServiceMessage<'contact'>
  | ServiceMessage<'ticket'>;

export type DecodeResult = { ok: true; value: Decoded } | { ok: false; error: Rejection };

/** the payload as text, without copying its bytes first (mqtt.js hands over Buffers) */
const textOf = (payload: Uint8Array): string =>
  (Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)).toString('utf8');

/** Parses topic and payload; never throws. */
export function decode(topic: string, payload: Uint8Array | string): DecodeResult {
  const parsed = parsedTopic(topic);
  if (!parsed) return { ok: false, error: { code: ERR.TOPIC, topic, reason: 'topic is not part of the evernet/v1 tree' } };
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return { ok: false, error: { code: ERR.TOO_LARGE, topic, reason: `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` } };
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : textOf(payload));
  } catch (e) {
    // the parser's message quotes the start of the payload: say where it broke, never what it holds
    const at = /position (\d+)/.exec((e as Error).message);
    return { ok: false, error: { code: ERR.JSON, topic, reason: `payload is not JSON${at ? ` (syntax error at position ${at[1]})` : ''}` } };
  }
  // most messages are telemetry zod would return as it is: a compiled check takes those (telemetry-check.ts)
  if (parsed.channel === 'telemetry' && isPlainTelemetry(json)) return { ok: true, value: { channel: 'telemetry', topic: parsed, payload: json } as Decoded };
  const schema = SCHEMAS[parsed.channel];
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, error: { code: ERR.SCHEMA, topic, reason: describeIssues(result.error.issues) } };
  return { ok: true, value: { channel: parsed.channel, topic: parsed, payload: result.data } as Decoded };
}

export interface EncodeOptions {
  /**
   * Check topic and payload against the contract first (default true); a failure throws, it is a
   * programming error. `false` only serialises: for the hot path of bodies built from typed values
   * (device telemetry and events, about 260,000 messages in a day's replay) and for simulated senders
   * that must be able to send what the helpdesk then rejects. The helpdesk checks every message on
   * ingest either way.
   */
  check?: boolean;
}

/** Serialises a payload (a body stamped with `stamp`) for its topic: the one serializer of the wire. */
export function encode(topic: string, payload: unknown, options: EncodeOptions = {}): string {
  if (options.check ?? true) {
    const parsed = parseTopic(topic);
    if (!parsed) throw new Error(`${ERR.TOPIC}: ${topic}`);
    const result = SCHEMAS[parsed.channel].safeParse(payload);
    if (!result.success) throw new Error(`${ERR.SCHEMA}: ${topic}: ${describeIssues(result.error.issues)}`);
  }
  return JSON.stringify(payload);
}
