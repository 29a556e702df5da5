import { silentLogger } from '../../../log/logger.js';
import { describe, expect, it } from 'vitest';
import { ERR, MAX_PAYLOAD_BYTES, deviceKey, deviceTopic, serviceTopic, type Decoded } from '../../../contracts/index.js';
import { createIngest } from '../../../helpdesk/ingest/ingest.js';

const T0 = Date.UTC(2020, 0, 15, 7, 0, 0);
const at = (s: number) => T0 + s * 1000;

const newIngest = () => createIngest({ log: silentLogger() });
/** a fresh ingest that has accepted `messages`, in order */
function ingestOf(...messages: Array<[string, Buffer]>) {
  const ingest = newIngest();
  for (const m of messages) ingest.accept(...m);
  return ingest;
}
const bytes = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));

const readings = { voltageV: 14.1, currentA: 5, loadA: 30, temperatureC: 15, engineRunning: true, speedKmh: 50, batterySaver: false };
function telemetry(customer: string, device: string, seq: number, s: number): [string, Buffer] {
  return [deviceTopic(customer, device, 'telemetry'), bytes({ v: 1, ts: at(s), seq, kind: 'car-battery', readings })];
}
/** one sender's telemetry: a message for each [seq, seconds after T0] */
function telemetries(customer: string, device: string, seqAt: Array<[seq: number, s: number]>): Array<[string, Buffer]> {
  return seqAt.map(([seq, s]) => telemetry(customer, device, seq, s));
}
function tripEvent(customer: string, device: string, seq: number, s: number): [string, Buffer] {
  return [deviceTopic(customer, device, 'event'), bytes({ v: 1, ts: at(s), seq, type: 'trip', state: 'started' })];
}
function availability(customer: string, device: string, seq: number, s: number): [string, Buffer] {
  return [deviceTopic(customer, device, 'availability'), bytes({ v: 1, ts: at(s), seq, state: 'online', kind: 'car-battery', reason: 'connected' })];
}
function request(customer: string, seq: number, s: number): [string, Buffer] {
  return [
    serviceTopic(customer, 'request'),
    bytes({
      v: 1,
      ts: at(s),
      seq,
      type: 'recipe',
      requestId: `r-${seq}`,
      recipe: { name: 'Pancakes', ingredients: [{ name: 'milk', quantity: 0.5, unit: 'l' }] },
      location: { lat: 52.5, lon: 13.4 },
    }),
  ];
}

/** a short, readable label of a drained message: "<customer>/<device or _>/<channel>#<seq>@<s>" */
function label(d: Decoded): string {
  const who = d.topic.scope === 'device' ? deviceKey(d.topic.customerId, d.topic.deviceId) : `${d.topic.customerId}/_`;
  return `${who}/${d.topic.channel}#${d.payload.seq}@${(d.payload.ts - T0) / 1000}`;
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createIngest', () => {
  it('buffers valid messages and hands them on only once the watermark passes them', () => {
    const ingest = ingestOf(
      telemetry('cust-1', 'car-1', 1, 1),
      telemetry('cust-1', 'car-1', 2, 2),
      telemetry('cust-1', 'car-1', 3, 3),
    );
    expect(ingest.drain(at(0))).toEqual([]);
    expect(ingest.drain(at(2)).map(label)).toEqual(['cust-1/car-1/telemetry#1@1', 'cust-1/car-1/telemetry#2@2']);
    expect(ingest.drain(at(2))).toEqual([]);
    expect(ingest.drain(at(10)).map(label)).toEqual(['cust-1/car-1/telemetry#3@3']);
    expect(ingest.drain(at(10))).toEqual([]);
    expect(ingest.stats()).toMatchObject({ received: 3, accepted: 3, rejected: 0, duplicates: 0, gaps: 0, byCode: {} });
  });

  it('hands on the decoded channel, topic and payload', () => {
    const ingest = newIngest();
    ingest.accept(...telemetry('cust-1', 'car-1', 1, 1));
    expect(ingest.drain(at(1))).toEqual([
      {
        channel: 'telemetry',
        topic: { scope: 'device', customerId: 'cust-1', deviceId: 'car-1', channel: 'telemetry', key: 'cust-1/car-1', stream: 'cust-1/car-1/data' },
        payload: { v: 1, ts: at(1), seq: 1, kind: 'car-battery', readings },
      },
    ]);
  });

  it('includes a message whose ts equals the watermark', () => {
    const ingest = newIngest();
    ingest.accept(...telemetry('cust-1', 'car-1', 1, 5));
    expect(ingest.drain(at(5) - 1)).toEqual([]);
    expect(ingest.drain(at(5)).map(label)).toEqual(['cust-1/car-1/telemetry#1@5']);
  });

  it('sorts by event time, then sender, then seq, regardless of how senders interleave on the wire', () => {
    const msgs = [
      /* 0 */ telemetry('cust-2', 'car-9', 1, 1),
      /* 1 */ tripEvent('cust-1', 'car-1', 1, 2),
      /* 2 */ telemetry('cust-1', 'car-1', 2, 2),
      /* 3 */ telemetry('cust-1', 'car-2', 1, 2),
      /* 4 */ availability('cust-1', 'car-1', 1, 2),
      /* 5 */ request('cust-1', 1, 2),
      /* 6 */ telemetry('cust-1', 'car-1', 3, 3),
      /* 7 */ telemetry('cust-1', 'car-2', 2, 3),
      /* 8 */ telemetry('cust-1', 'car-2', 3, 4),
    ];
    const expected = [
      'cust-2/car-9/telemetry#1@1',
      // ts 2, by sender: "cust-1/_/request" < "cust-1/car-1/availability" < "cust-1/car-1/data" < "cust-1/car-2/data"
      'cust-1/_/request#1@2',
      'cust-1/car-1/availability#1@2',
      // one sender (a device's telemetry and events share its counter), same ts: by seq
      'cust-1/car-1/event#1@2',
      'cust-1/car-1/telemetry#2@2',
      'cust-1/car-2/telemetry#1@2',
      'cust-1/car-1/telemetry#3@3',
      'cust-1/car-2/telemetry#2@3',
    ];
    // each sender's own messages arrive in the order it published them, as MQTT delivers them
    const arrivals = [
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
      [5, 4, 3, 7, 8, 1, 2, 6, 0],
      [3, 1, 7, 5, 2, 8, 6, 4, 0],
    ];
    for (const order of arrivals) {
      const ingest = newIngest();
      for (const i of order) ingest.accept(...msgs[i]!);
      expect(ingest.stats()).toMatchObject({ accepted: 9, duplicates: 0, rejected: 0, gaps: 0 });
      expect(ingest.drain(at(3)).map(label)).toEqual(expected);
      expect(ingest.drain(at(4)).map(label)).toEqual(['cust-1/car-2/telemetry#3@4']);
    }
  });

  it('counts a redelivered message (same seq and ts) as a duplicate and hands it on once', () => {
    const ingest = newIngest();
    const m = telemetry('cust-1', 'car-1', 1, 1);
    ingest.accept(...m);
    ingest.accept(...m);
    expect(ingest.stats()).toEqual({ received: 2, accepted: 1, duplicates: 1, rejected: 0, gaps: 0, byCode: { [ERR.DUPLICATE]: 1 } });
    expect(ingest.drain(at(10)).map(label)).toEqual(['cust-1/car-1/telemetry#1@1']);
  });

  it('counts a redelivery of an older message, arriving after newer ones, as a duplicate', () => {
    const ingest = newIngest();
    const m1 = telemetry('cust-1', 'car-1', 1, 1);
    ingest.accept(...m1);
    ingest.accept(...telemetry('cust-1', 'car-1', 2, 2));
    ingest.accept(...m1);
    expect(ingest.stats()).toMatchObject({ accepted: 2, duplicates: 1 });
    expect(ingest.drain(at(10)).map(label)).toEqual(['cust-1/car-1/telemetry#1@1', 'cust-1/car-1/telemetry#2@2']);
  });

  it('does not hand on a message redelivered after it was drained', () => {
    const ingest = newIngest();
    const m1 = telemetry('cust-1', 'car-1', 1, 1);
    ingest.accept(...m1);
    expect(ingest.drain(at(10))).toHaveLength(1);
    ingest.accept(...m1);
    expect(ingest.drain(at(10))).toEqual([]);
    expect(ingest.stats()).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it('tells duplicates apart per sender: the same seq and ts from another sender is not a duplicate', () => {
    const ingest = ingestOf(
      telemetry('cust-1', 'car-1', 1, 1),
      telemetry('cust-1', 'car-2', 1, 1),
      telemetry('cust-2', 'car-1', 1, 1),
      availability('cust-1', 'car-1', 1, 1),
      request('cust-1', 1, 1),
    );
    expect(ingest.stats()).toMatchObject({ accepted: 5, duplicates: 0 });
    expect(ingest.drain(at(1))).toHaveLength(5);
  });

  it('counts the messages missing in a sequence gap', () => {
    const ingest = ingestOf(...telemetries('cust-1', 'car-1', [[1, 1], [2, 2], [5, 5]])); // 3 and 4 lost
    expect(ingest.stats().gaps).toBe(2);
    ingest.accept(...tripEvent('cust-1', 'car-1', 6, 6)); // events share the device's counter: no gap
    expect(ingest.stats().gaps).toBe(2);
    ingest.accept(...telemetry('cust-1', 'car-1', 10, 10)); // 7, 8 and 9 lost
    expect(ingest.stats()).toMatchObject({ gaps: 5, accepted: 5, duplicates: 0 });
    expect(ingest.drain(at(10))).toHaveLength(5);
  });

  it('counts gaps per sender, not across senders', () => {
    const ingest = ingestOf(
      telemetry('cust-1', 'car-1', 1, 1),
      telemetry('cust-1', 'car-2', 7, 1),
      telemetry('cust-1', 'car-1', 2, 2),
      telemetry('cust-1', 'car-2', 8, 2),
      availability('cust-1', 'car-1', 1, 3),
    );
    expect(ingest.stats()).toMatchObject({ gaps: 0, accepted: 5 });
  });

  it("accepts a restarted sender's seq starting over at a later time", () => {
    const ingest = ingestOf(...telemetries('cust-1', 'car-1', [[41, 1], [42, 2], [1, 100], [2, 101]]));
    expect(ingest.stats()).toMatchObject({ accepted: 4, duplicates: 0, gaps: 0 });
  });

  it('rejects invalid messages with coded counts and never throws', () => {
    const ingest = newIngest();
    const valid = telemetry('cust-1', 'car-1', 1, 1)[1];
    const topic = deviceTopic('cust-1', 'car-1', 'telemetry');
    expect(() => {
      ingest.accept('home/kitchen/fridge', valid);
      ingest.accept('evernet/v1/cust-1/Car-1/telemetry', valid);
      ingest.accept(topic, bytes('{"v":1,'));
      ingest.accept(topic, bytes({ v: 1, ts: at(1), seq: 1, kind: 'toaster', readings }));
      ingest.accept(topic, bytes({ v: 1, ts: Date.UTC(1999, 0, 1), seq: 1, kind: 'car-battery', readings }));
      ingest.accept(topic, Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20));
    }).not.toThrow();
    expect(ingest.stats()).toEqual({
      received: 6,
      accepted: 0,
      rejected: 6,
      duplicates: 0,
      gaps: 0,
      byCode: { [ERR.TOPIC]: 2, [ERR.JSON]: 1, [ERR.SCHEMA]: 2, [ERR.TOO_LARGE]: 1 },
    });
    expect(ingest.drain(Infinity)).toEqual([]);
  });

  it('does not let a rejected message disturb duplicate and gap tracking', () => {
    const ingest = newIngest();
    ingest.accept(...telemetry('cust-1', 'car-1', 1, 1));
    ingest.accept(deviceTopic('cust-1', 'car-1', 'telemetry'), bytes({ v: 1, ts: at(2), seq: 2, kind: 'car-battery', readings: { ...readings, voltageV: 'x' } }));
    ingest.accept(...telemetry('cust-1', 'car-1', 2, 2));
    expect(ingest.stats()).toMatchObject({ accepted: 2, rejected: 1, duplicates: 0, gaps: 0 });
    expect(ingest.drain(at(2))).toHaveLength(2);
  });

  it('never throws on random bytes from the wire', () => {
    const ingest = newIngest();
    let x = 987654321;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 1000; i++) {
      const b = Buffer.alloc(Math.floor(rnd() * 200));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
      expect(() => ingest.accept(deviceTopic('cust-1', 'car-1', 'telemetry'), b)).not.toThrow();
    }
    const s = ingest.stats();
    expect(s).toMatchObject({ received: 1000, rejected: 1000, accepted: 0 });
    expect(Object.values(s.byCode).reduce((a, n) => a + (n ?? 0), 0)).toBe(1000);
  });

  it('counts rejections made later by the helpdesk under their code', () => {
    const ingest = newIngest();
    ingest.reject(ERR.UNKNOWN_DEVICE, 'cust-1/car-9', 'device is not in the directory');
    ingest.reject(ERR.UNKNOWN_DEVICE, 'cust-1/car-8', 'device is not in the directory');
    ingest.reject(ERR.KIND_MISMATCH, 'cust-1/car-1', 'telemetry of kind fridge from a car-battery');
    expect(ingest.stats()).toMatchObject({ received: 0, rejected: 3, byCode: { [ERR.UNKNOWN_DEVICE]: 2, [ERR.KIND_MISMATCH]: 1 } });
  });

  it('returns a copy of its stats', () => {
    const ingest = newIngest();
    ingest.accept('bad/topic', bytes('{}'));
    const s = ingest.stats();
    s.rejected = 99;
    s.byCode[ERR.TOPIC] = 99;
    expect(ingest.stats()).toMatchObject({ rejected: 1, byCode: { [ERR.TOPIC]: 1 } });
  });

  it('resolves received(n) once n messages have arrived, rejected and duplicate ones included', async () => {
    const ingest = newIngest();
    let done = false;
    const p = ingest.received(3).then(() => (done = true));
    ingest.accept(...telemetry('cust-1', 'car-1', 1, 1));
    ingest.accept(...telemetry('cust-1', 'car-1', 1, 1)); // duplicate
    await flush();
    expect(done).toBe(false);
    ingest.accept('not/ours', bytes('nonsense')); // rejected
    await p;
    expect(done).toBe(true);
  });

  it('resolves received(n) at once when n messages have already arrived', async () => {
    const ingest = newIngest();
    await expect(ingest.received(0)).resolves.toBeUndefined();
    ingest.accept(...telemetry('cust-1', 'car-1', 1, 1));
    ingest.accept(...telemetry('cust-1', 'car-1', 2, 2));
    let done = false;
    void ingest.received(2).then(() => (done = true));
    await flush();
    expect(done).toBe(true);
  });

  it('resolves several waiters each at its own count', async () => {
    const ingest = newIngest();
    const resolved: number[] = [];
    for (const n of [3, 1, 2, 5]) void ingest.received(n).then(() => resolved.push(n));
    for (let i = 1; i <= 4; i++) {
      ingest.accept(...telemetry('cust-1', 'car-1', i, i));
      await flush();
    }
    expect(resolved).toEqual([1, 2, 3]);
    ingest.accept('x', bytes(''));
    await flush();
    expect(resolved).toEqual([1, 2, 3, 5]);
  });
});

describe('availability and the last will', () => {
  it('hands on a last will that carries the same connection number and time as the online message', () => {
    const ingest = newIngest();
    const topic = 'evernet/v1/maria/car/availability';
    const base = { v: 1, ts: Date.parse('2020-11-02T08:00:00Z'), seq: 1, kind: 'car-battery' };
    ingest.accept(topic, Buffer.from(JSON.stringify({ ...base, state: 'online', reason: 'connected' })));
    ingest.accept(topic, Buffer.from(JSON.stringify({ ...base, state: 'offline', reason: 'will' })));
    ingest.accept(topic, Buffer.from(JSON.stringify({ ...base, state: 'offline', reason: 'will' })));
    const out = ingest.drain(base.ts);
    expect(out.map((m) => (m.payload as { state: string }).state)).toEqual(['offline', 'online']);
    expect(ingest.stats().duplicates).toBe(1);
  });
});

describe('ingest counting received messages through an event time (a pipelined replay’s barrier)', () => {
  it('counts toward a window only the messages of event time up to its end, whenever the later ones arrive', async () => {
    const ingest = createIngest({ log: silentLogger(), countThrough: true });
    // the next window's message arrives first; it does not stand in for the one still on its way
    ingest.accept(...telemetry('c1', 'car', 2, 90));
    let done = false;
    const waiting = ingest.received(1, at(60)).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    ingest.accept(...telemetry('c2', 'car', 1, 60));
    await waiting;
    // the next window counts both, and a malformed message (no event time) counts at once
    ingest.accept('evernet/v1/c3/car/telemetry', bytes('not json'));
    await ingest.received(3, at(120));
    expect(ingest.stats().received).toBe(3);
  });

  it('counts every message, whatever its event time, when off (a replay that waits for each window)', async () => {
    const ingest = newIngest();
    ingest.accept(...telemetry('c1', 'car', 2, 90));
    await ingest.received(1, at(60));
  });
});

describe('ingest in a checkpoint', () => {
  it('keeps what a snapshot says of a sender when later messages of that sender arrive (each sender’s record changes in place)', () => {
    const ingest = newIngest();
    ingest.accept(...telemetry('c1', 'car', 1, 1));
    const snap = ingest.snapshot();
    ingest.accept(...telemetry('c1', 'car', 2, 2));
    expect(snap.last.get('c1/car/data')).toEqual({ seq: 1, ts: at(1) });
    // restored, it de-duplicates from the snapshot's record, and the snapshot stays as it was
    const again = newIngest();
    again.restore(snap);
    again.accept(...telemetry('c1', 'car', 1, 1));
    again.accept(...telemetry('c1', 'car', 2, 2));
    expect(again.stats()).toMatchObject({ duplicates: 1, accepted: 2 });
    expect(snap.last.get('c1/car/data')).toEqual({ seq: 1, ts: at(1) });
  });
});
