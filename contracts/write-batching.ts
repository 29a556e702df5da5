/**
 * Batched socket writes: the first write of an event-loop turn corks the stream and the turn's end
 * uncorks it, so every MQTT packet written in one turn (a broker forwarding a window's telemetry to
 * the helpdesk, the helpdesk acknowledging it) leaves in one writev instead of one syscall each.
 * Nothing waits longer than the turn that wrote it. Works on any Writable (a net.Socket, a TLS socket).
 */
import type { Writable } from 'node:stream';

const batched = new WeakSet<Writable>();

/** idempotent: a stream already batched is returned as it is */
export function batchWrites<S extends Writable>(stream: S): S {
  if (batched.has(stream)) return stream;
  batched.add(stream);
  const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    if (!stream.destroyed) stream.uncork();
  };
  stream.write = ((...args: unknown[]) => {
    if (!corked && !stream.destroyed) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as S['write'];
  return stream;
}
