/**
 * MQTT 3.1.1 packets encoded by hand (no packet library), so the security tests can write exact bytes,
 * valid or broken, to a raw TCP socket; a seeded random source and the mutations the fuzzer applies.
 */
import { prng } from '../../devices/kinds/rng.js';

/** The variable-length "remaining length" of a fixed header. */
export function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

const str = (s: string | Buffer): Buffer => {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

const packet = (first: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([first]), remainingLength(body.length), body]);

export interface ConnectFields {
  clientId: string;
  username?: string;
  password?: string;
  keepalive?: number;
  clean?: boolean;
  will?: { topic: string; payload: string; qos?: 0 | 1; retain?: boolean };
}

export function connect(f: ConnectFields): Buffer {
  let flags = f.clean === false ? 0 : 0x02;
  if (f.will) flags |= 0x04 | ((f.will.qos ?? 0) << 3) | (f.will.retain ? 0x20 : 0);
  if (f.username !== undefined) flags |= 0x80;
  if (f.password !== undefined) flags |= 0x40;
  const parts = [str('MQTT'), Buffer.from([4, flags]), u16(f.keepalive ?? 60), str(f.clientId)];
  if (f.will) parts.push(str(f.will.topic), str(f.will.payload));
  if (f.username !== undefined) parts.push(str(f.username));
  if (f.password !== undefined) parts.push(str(f.password));
  return packet(0x10, Buffer.concat(parts));
}

export function publish(topic: string, payload: string | Buffer, opts: { qos?: 0 | 1 | 2; id?: number; retain?: boolean; dup?: boolean } = {}): Buffer {
  const qos = opts.qos ?? 0;
  const first = 0x30 | (opts.dup ? 0x08 : 0) | (qos << 1) | (opts.retain ? 1 : 0);
  const parts = [str(topic)];
  if (qos > 0) parts.push(u16(opts.id ?? 1));
  parts.push(typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload);
  return packet(first, Buffer.concat(parts));
}

export function subscribe(id: number, filters: Array<{ topic: string; qos: 0 | 1 | 2 }>): Buffer {
  return packet(0x82, Buffer.concat([u16(id), ...filters.map((f) => Buffer.concat([str(f.topic), Buffer.from([f.qos])]))]));
}

export function unsubscribe(id: number, topics: string[]): Buffer {
  return packet(0xa2, Buffer.concat([u16(id), ...topics.map(str)]));
}

export const puback = (id: number): Buffer => packet(0x40, u16(id));
export const pingreq = (): Buffer => Buffer.from([0xc0, 0x00]);
export const disconnect = (): Buffer => Buffer.from([0xe0, 0x00]);

/** Hex with optional whitespace -> bytes (the corpus keeps packets as readable hex). */
export function fromHex(hex: string): Buffer {
  const clean = hex.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${hex.slice(0, 40)}`);
  return Buffer.from(clean, 'hex');
}

/** a seeded random source (the tests' prng), so a fuzz run is the same run every time */
export function seededRandom(seed: number) {
  const next = prng(seed);
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    /** an integer in [0, n) */
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!,
    bytes(n: number): Buffer {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}
export type Random = ReturnType<typeof seededRandom>;

/** Interesting values for a remaining-length field: 0, boundaries of 1-4 byte encodings, MQTT's maximum, beyond. */
const EDGE_LENGTHS: Buffer[] = [
  Buffer.from([0x00]),
  Buffer.from([0x7f]),
  Buffer.from([0x80, 0x01]),
  Buffer.from([0xff, 0x7f]),
  Buffer.from([0xff, 0xff, 0x7f]),
  Buffer.from([0xff, 0xff, 0xff, 0x7f]), // 256 MiB - 1, MQTT's maximum
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]), // five length bytes: malformed
  Buffer.from([0x80, 0x80, 0x80, 0x80]), // continuation without end
];

/** One random mutation of a packet: flip, replace, insert, delete, truncate, duplicate, or a new length field. */
export function mutate(rnd: Random, input: Buffer): Buffer {
  const b = Buffer.from(input);
  switch (rnd.int(8)) {
    case 0: {
      // flip 1-4 bits
      for (let k = 0, n = 1 + rnd.int(4); k < n && b.length; k++) b[rnd.int(b.length)]! ^= 1 << rnd.int(8);
      return b;
    }
    case 1: {
      // replace a byte with an extreme value
      if (b.length) b[rnd.int(b.length)] = rnd.pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x2f, 0x23, 0x2b]);
      return b;
    }
    case 2: {
      // insert random bytes
      const at = rnd.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), rnd.bytes(1 + rnd.int(16)), b.subarray(at)]);
    }
    case 3: {
      // delete a run of bytes
      const at = rnd.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rnd.int(8))]);
    }
    case 4:
      // truncate
      return b.subarray(0, rnd.int(b.length + 1));
    case 5:
      // duplicate a slice
      {
        const at = rnd.int(b.length + 1);
        const len = rnd.int(Math.max(1, b.length - at));
        return Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
      }
    case 6: {
      // swap in an edge-case remaining length (keeps the type byte and the body)
      let i = 1;
      while (i < b.length && b[i]! & 0x80 && i < 5) i++;
      return Buffer.concat([b.subarray(0, 1), rnd.pick(EDGE_LENGTHS), b.subarray(i + 1)]);
    }
    default:
      // a different packet type and flags
      if (b.length) b[0] = rnd.int(256);
      return b;
  }
}
