/**
 * A guard between a connection and aedes that reads only MQTT's fixed headers and cuts the connection
 * as soon as a packet announces more than `maxPacketBytes`: the MQTT parser would otherwise buffer up
 * to 256 MiB per client before any hook could look at it. Data passes through unchanged.
 */
import { Duplex } from 'node:stream';

/** Follows packet boundaries across chunks; `feed` returns the announced size of a packet too large, else null. */
export function createFrameMeter(maxPacketBytes: number) {
  let state: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let left = 0;
  return {
    feed(chunk: Uint8Array): number | null {
      let i = 0;
      while (i < chunk.length) {
        if (state === 'type') {
          i++;
          state = 'length';
          length = 0;
          multiplier = 1;
          lengthBytes = 0;
        } else if (state === 'length') {
          const byte = chunk[i++]!;
          length += (byte & 0x7f) * multiplier;
          multiplier *= 128;
          lengthBytes++;
          if (length > maxPacketBytes) return length;
          if (byte & 0x80) {
            if (lengthBytes === 4) return Infinity; // a malformed remaining length
          } else if (length === 0) state = 'type';
          else {
            left = length;
            state = 'body';
          }
        } else {
          const step = Math.min(left, chunk.length - i);
          i += step;
          left -= step;
          if (left === 0) state = 'type';
        }
      }
      return null;
    },
  };
}

export interface GuardedStream extends Duplex {
  remoteAddress?: string | undefined;
}

/** Wraps `inner`; `onTooLarge(size)` is called once before the connection is destroyed. */
export function guardPackets(inner: Duplex, maxPacketBytes: number, onTooLarge: (size: number) => void, remoteAddress?: string): GuardedStream {
  const meter = createFrameMeter(maxPacketBytes);
  let peerEnded = false;
  const outer: GuardedStream = new Duplex({
    read() {
      inner.resume();
    },
    write(chunk, encoding, callback) {
      inner.write(chunk, encoding, callback);
    },
    // MQTT writers cork, write a packet in pieces and uncork: pass the pieces on as one write, or
    // Nagle's algorithm holds the tail back until the peer's delayed ACK (~40 ms per packet)
    writev(chunks, callback) {
      inner.write(Buffer.concat(chunks.map((c) => (Buffer.isBuffer(c.chunk) ? c.chunk : Buffer.from(c.chunk, c.encoding)))), callback);
    },
    final(callback) {
      inner.end(callback);
    },
    destroy(err, callback) {
      inner.destroy();
      callback(err);
    },
  });
  outer.remoteAddress = remoteAddress;
  inner.on('data', (chunk: Buffer) => {
    const tooLarge = meter.feed(chunk);
    if (tooLarge !== null) {
      onTooLarge(tooLarge);
      outer.destroy();
      return;
    }
    if (!outer.push(chunk)) inner.pause();
  });
  inner.on('end', () => {
    peerEnded = true;
    outer.push(null);
  });
  inner.on('error', (err) => outer.destroy(err));
  // after a clean end, let the reader drain what is buffered; aedes closes on 'end' itself
  inner.on('close', () => {
    if (!peerEnded) outer.destroy();
  });
  return outer;
}
