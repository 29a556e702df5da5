/**
 * Packets on disk: every field but the payload as JSON text, the payload as a BLOB next to it.
 * Buffers inside the fields (MQTT 5 correlation data, ...) survive the round trip.
 */

/** The fields of a packet aedes hands to its persistence (aedes-packet's Packet, loosely). */
export interface QueuedPacket {
  cmd: string;
  brokerId?: string | null;
  brokerCounter?: number;
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  [field: string]: unknown;
}

export interface StoredPacket {
  packet: string;
  payload: Buffer;
}

type Loose = Record<string, unknown>;

function reviveBuffers(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as Loose).type === 'Buffer' && Array.isArray((value as Loose).data)) {
    return Buffer.from((value as { data: number[] }).data);
  }
  return value;
}

const asBuffer = (p: unknown): Buffer =>
  Buffer.isBuffer(p) ? p : typeof p === 'string' ? Buffer.from(p) : p instanceof Uint8Array ? Buffer.from(p) : Buffer.alloc(0);

/** marks a payload that was not a Buffer (aedes always has one; the conformance suite tries the rest) */
const PAYLOAD_KIND = '$payload';

/** Splits a packet (any object aedes hands over) into its JSON fields and its payload. */
export function toStored(packet: object): StoredPacket {
  const { payload, ...fields } = packet as Loose;
  if (payload === undefined) fields[PAYLOAD_KIND] = 'none';
  else if (typeof payload === 'string') fields[PAYLOAD_KIND] = 'string';
  return { packet: JSON.stringify(fields), payload: asBuffer(payload) };
}

/** The object as it was stored (a plain object: retained messages and wills keep every field they had). */
export function fromStored(row: StoredPacket): Loose & { payload: Buffer } {
  const fields = JSON.parse(row.packet, reviveBuffers) as Loose;
  const kind = fields[PAYLOAD_KIND];
  delete fields[PAYLOAD_KIND];
  if (kind === 'none') return fields as Loose & { payload: Buffer };
  return { ...fields, payload: (kind === 'string' ? row.payload.toString() : row.payload) as Buffer };
}

const OPTIONAL_FIELDS = ['clientId', 'nl', 'properties', 'messageExpiry'] as const;

/**
 * The copy of a packet that goes into a client's queue: the fields aedes-packet's Packet copies
 * (the in-memory persistence stores `new Packet(packet)`), with no message id: an id belongs to one
 * delivery attempt, and aedes assigns a fresh one (outgoingUpdate) before it sends the packet.
 */
export function queuedCopy(packet: Loose): QueuedPacket {
  const p: QueuedPacket = {
    cmd: (packet.cmd as string) || 'publish',
    brokerId: packet.brokerId as string,
    brokerCounter: (packet.brokerCounter as number) || 0,
    topic: packet.topic as string,
    payload: (packet.payload || Buffer.alloc(0)) as Buffer, // kept as given, like aedes-packet
    qos: (packet.qos as number) || 0,
    retain: (packet.retain as boolean) || false,
    dup: (packet.dup as boolean) || false,
    messageId: undefined,
  };
  for (const f of OPTIONAL_FIELDS) if (Object.prototype.hasOwnProperty.call(packet, f)) p[f] = packet[f];
  return p;
}

/** A queued row back as a packet; a PUBREL (QoS 2, second half) keeps its message id, its only identity. */
export function queuedFromStored(row: StoredPacket): QueuedPacket {
  const o = fromStored(row);
  if (o.cmd !== undefined && o.cmd !== 'publish') return o as unknown as QueuedPacket;
  return queuedCopy(o);
}
