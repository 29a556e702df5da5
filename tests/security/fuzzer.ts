/**
 * The fuzzer: connections drawn from a seeded random source (random bytes, mutated CONNECTs, valid
 * CONNECTs followed by valid and mutated packets), written in random chunks over raw TCP sockets,
 * some of them closed abruptly, a bounded number at a time.
 */
import net from 'node:net';
import { deviceTopic } from '../../contracts/topics.js';
import { FRIDGE_TELEMETRY, T0, fridgeTelemetry } from './fixture.js';
import { connect, disconnect, mutate, pingreq, puback, publish, subscribe, unsubscribe, type Random } from './mqtt-bytes.js';

/** raw connections open at once */
const CONCURRENCY = 25;

export interface Credentials {
  clientId: string;
  username?: string;
  password?: string;
}

/**
 * One connection, drawn from the seeded random source up front (so the bytes do not depend on timing):
 * a valid CONNECT to wait on (or none), the fuzz packets (each counts as one), the chunks they are
 * written in, and the chunk after which the socket is destroyed (abrupt close), if any.
 */
export interface Session {
  hello: Buffer | null;
  packets: Buffer[];
  chunks: Buffer[];
  destroyAfter: number | null;
}

export function session(rnd: Random, who: Credentials[]): Session {
  const { hello, packets } = draw(rnd, who);
  const all = Buffer.concat(packets);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; ) {
    const to = Math.min(all.length, at + 1 + rnd.int(Math.max(1, rnd.next() < 0.5 ? 8 : all.length)));
    chunks.push(all.subarray(at, to));
    at = to;
  }
  const destroyAfter = rnd.next() < 0.2 ? rnd.int(chunks.length + 1) : null;
  return { hello, packets, chunks, destroyAfter };
}

function draw(rnd: Random, who: Credentials[]): { hello: Buffer | null; packets: Buffer[] } {
  const roll = rnd.next();
  if (roll < 0.15) return { hello: null, packets: [rnd.bytes(1 + rnd.int(512))] };
  const me = rnd.pick(who);
  const hello = connect({ ...me, keepalive: 1 + rnd.int(120), clean: rnd.next() < 0.8 });
  if (roll < 0.4) return { hello: null, packets: [mutate(rnd, hello)] };
  const packets: Buffer[] = [];
  const own = me.username?.includes('/') ? deviceTopic(...(me.username.split('/') as [string, string]), 'telemetry') : FRIDGE_TELEMETRY;
  for (let i = 0, n = 1 + rnd.int(6); i < n; i++) {
    const id = 1 + rnd.int(65535);
    const valid = rnd.pick([
      () => publish(rnd.next() < 0.8 ? own : rnd.pick(['evernet/v1/maria/washer/telemetry', 'a/b', '$SYS/x', 'evernet/v1/maria/fridge/command']), fridgeTelemetry(i, T0), { qos: rnd.pick([0, 1] as const), id }),
      () => subscribe(id, [{ topic: rnd.pick(['evernet/v1/maria/fridge/command', '#', 'evernet/v1/+/+/telemetry', '$SYS/#']), qos: rnd.pick([0, 1] as const) }]),
      () => unsubscribe(id, ['evernet/v1/maria/fridge/command']),
      () => pingreq(),
      () => puback(id),
    ])();
    packets.push(rnd.next() < 0.7 ? mutate(rnd, rnd.next() < 0.2 ? mutate(rnd, valid) : valid) : valid);
  }
  if (rnd.next() < 0.3) packets.push(disconnect());
  return { hello, packets };
}

/**
 * Sends the CONNECT and waits for the broker's answer (so the fuzz reaches the session's packet
 * handlers and hooks), writes the rest chunk by chunk, lets the broker react, and closes.
 */
function run(port: number, s: Session): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const deadline = setTimeout(() => socket.destroy(), 1000);
    let answered: () => void = () => undefined;
    socket.on('error', () => undefined);
    socket.on('data', () => answered());
    socket.on('close', () => {
      clearTimeout(deadline);
      answered();
      resolve();
    });
    const wait = (ms: number) =>
      new Promise<void>((r) => {
        const t = setTimeout(r, ms);
        answered = () => {
          clearTimeout(t);
          r();
        };
      });
    socket.on('connect', async () => {
      if (s.hello) {
        socket.write(s.hello);
        await wait(200);
      }
      for (let i = 0; i < s.chunks.length; i++) {
        if (socket.destroyed) return;
        socket.write(s.chunks[i]!);
        if (s.destroyAfter === i) return void socket.destroy();
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, 20));
      socket.end();
    });
  });
}

/** Runs fuzz sessions until `count` packets have been sent, `CONCURRENCY` connections at a time. */
export async function fuzz(port: number, rnd: Random, who: Credentials[], count: number): Promise<number> {
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  while (sent < count) {
    const next = session(rnd, who);
    sent += next.packets.length;
    const p = run(port, next).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return sent;
}

