/**
 * The ring under a device's outbox and its connection's in-flight packets (devices/outbox/ring.ts):
 * against a plain array over thousands of random operations, growing and shrinking; the in-flight
 * store's contract (mqtt.js's own Store's); and, through a real aedes broker, a packet the broker never
 * acknowledged is sent again from it after a reconnect, once, before what follows.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { InflightStore } from '../../devices/outbox/inflight-store.js';
import { Ring } from '../../devices/outbox/ring.js';
import { nextFloat, rngFrom } from '../../devices/kinds/rng.js';
import { until } from '../helpers/until.js';


describe('a ring', () => {
  it('does what an array does, over 20,000 random pushes, removals and replacements, through growth and shrinking', () => {
    // seeded (the models' generator), so a failure can be replayed
    const rng = rngFrom(13);
    const rand = (): number => nextFloat(rng);
    const ring = new Ring<number>();
    const ref: number[] = [];
    let next = 0;
    let largest = 0;
    for (let op = 0; op < 20_000; op++) {
      const r = rand();
      // phases: a backlog builds up to a few hundred, then drains, then builds again
      const building = Math.floor(op / 2500) % 2 === 0;
      if (r < (building ? 0.7 : 0.3)) {
        ring.push(next);
        ref.push(next++);
      } else if (r < 0.85) {
        const i = ref.length === 0 ? 0 : rand() < 0.7 ? 0 : Math.floor(rand() * ref.length);
        expect(ring.removeAt(i)).toBe(ref.splice(i, 1)[0]);
      } else if (ref.length > 0) {
        const i = Math.floor(rand() * ref.length);
        ring.set(i, -op);
        ref[i] = -op;
      }
      largest = Math.max(largest, ref.length);
      expect(ring.size).toBe(ref.length);
      if (op % 97 === 0) expect(ring.toArray()).toEqual(ref);
    }
    expect(largest).toBeGreaterThan(200);
    expect(ring.toArray()).toEqual(ref);
    expect(ring.at(-1)).toBeUndefined();
    expect(ring.at(ref.length)).toBeUndefined();
    expect(ring.removeAt(ref.length)).toBeUndefined();
    expect(() => ring.set(ref.length, 1)).toThrow(RangeError);
  });

  it('finds the first entry above a key by bisection, in increasing order', () => {
    const ring = new Ring<{ seq: number }>();
    for (const seq of [2, 3, 5, 8, 13]) ring.push({ seq });
    ring.removeAt(0); // the front moved: positions are from the new front
    const above = (k: number): number => ring.firstAbove(k, (e) => e.seq);
    expect([0, 3, 4, 5, 12, 13, 99].map(above)).toEqual([0, 1, 1, 2, 3, 4, 4]);
  });
});

const packet = (messageId: number, payload = `m${messageId}`) => ({ cmd: 'publish' as const, messageId, topic: 't', payload, qos: 1 as const, dup: false, retain: false });

describe('the in-flight store of a device’s connection', () => {
  it('keeps packets in the order put, a packet put again under its id in its place, and finds them by id', async () => {
    const s = new InflightStore();
    for (const id of [7, 8, 9]) s.put(packet(id), () => undefined);
    s.put(packet(8, 'again'), () => undefined);
    const got: unknown[] = [];
    s.get({ messageId: 8 }, (err, p) => got.push(err ?? (p as { payload: string }).payload));
    s.get({ messageId: 5 }, (err) => got.push(err?.message));
    s.del({ messageId: 7 }, (err, p) => got.push(err ?? p?.messageId));
    s.del({ messageId: 7 }, (err) => got.push(err?.message));
    expect(got).toEqual(['again', 'missing packet', 7, 'missing packet']);
    const streamed: unknown[] = [];
    for await (const p of s.createStream()) streamed.push([(p as { messageId: number }).messageId, (p as { payload: string }).payload]);
    expect(streamed).toEqual([[8, 'again'], [9, 'm9']]);
    expect(s.size).toBe(2);
    s.close(() => undefined);
    expect(s.size).toBe(0);
  });

  describe('under mqtt.js, with a broker that leaves a packet unacknowledged and drops the connection', () => {
    let stop: (() => Promise<void>) | null = null;
    afterEach(async () => {
      await stop?.();
      stop = null;
    });

    it('sends the packet again after the reconnect, once, before the ones after it', async () => {
      const aedes = await Aedes.createBroker({
        // the first 'held' publish is never acknowledged: its connection is dropped instead
        authorizePublish: (client, p, done) => {
          if (p.topic === 'dev/held' && !held) {
            held = true;
            setTimeout(() => (client as unknown as { conn: Socket }).conn.destroy(), 50);
            return;
          }
          done(null);
        },
      });
      let held = false;
      const server = createServer((s) => aedes.handle(s));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const seen: string[] = [];
      const watcher = await mqtt.connectAsync(url, { clientId: 'watcher' });
      await watcher.subscribeAsync('dev/#', { qos: 1 });
      watcher.on('message', (topic, payload) => seen.push(`${topic}:${payload.toString()}`));
      const store = new InflightStore();
      const device = await mqtt.connectAsync(url, { clientId: 'device', outgoingStore: store, reconnectPeriod: 100 });
      stop = async () => {
        await device.endAsync(true);
        await watcher.endAsync(true);
        await new Promise<void>((r) => aedes.close(() => r()));
        await new Promise<void>((r) => server.close(() => r()));
      };
      const acked: string[] = [];
      device.publish('dev/held', 'one', { qos: 1 }, (err) => acked.push(err ? `error ${err.message}` : 'one'));
      await until(() => held);
      expect(store.size).toBe(1);
      await until(() => acked.length === 1, 5000);
      device.publish('dev/after', 'two', { qos: 1 }, (err) => acked.push(err ? `error ${err.message}` : 'two'));
      await until(() => acked.length === 2 && seen.length === 2, 5000);
      expect(acked).toEqual(['one', 'two']);
      expect(seen).toEqual(['dev/held:one', 'dev/after:two']);
      expect(store.size).toBe(0);
    });
  });
});
