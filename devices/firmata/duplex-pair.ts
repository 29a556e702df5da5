/**
 * Two connected in-memory Duplex streams: what one writes, the other reads. Node 20 has no
 * stream.duplexPair, so this is the small version. Destroying either end closes both, which is
 * how a test "unplugs" a board. Bytes arrive asynchronously (on a later turn of the event loop), as
 * they do on a serial line: a synchronous pair would answer a request inside the call that sent it,
 * before the caller has registered its listener. Part of devices/firmata/ (imports nothing of evernet).
 */
import { Duplex } from 'node:stream';

export function createDuplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (peerIndex: number) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const peer = ends[peerIndex]!;
        setImmediate(() => {
          if (!peer.destroyed) peer.push(chunk);
        });
        callback();
      },
      final(callback) {
        const peer = ends[peerIndex]!;
        setImmediate(() => {
          if (!peer.destroyed) peer.push(null);
        });
        callback();
      },
      destroy(error, callback) {
        const peer = ends[peerIndex]!;
        if (!peer.destroyed) peer.destroy();
        callback(error);
      },
    });
  ends.push(make(1), make(0));
  return [ends[0]!, ends[1]!];
}
