/**
 * The partition's acknowledgement gate (cluster/acks.ts): between the stream and the helpdesk, a
 * device that announced `acks` gets its messages handed on once each and in seq order, whatever was
 * lost and sent again, and confirmations "received up to N" with no gap below N. Pure: no cluster.
 */
import { describe, expect, it } from 'vitest';
import { AckGate } from '../../cluster/acks.js';
import { decode, deviceTopic, encode, stamp } from '../../contracts/index.js';

const T0 = Date.parse('2020-11-02T08:00:00Z');
const tel = deviceTopic('maria', 'car', 'telemetry');
const bytes = (s: string) => new TextEncoder().encode(s);
const reading = (seq: number) =>
  bytes(encode(tel, stamp({ kind: 'fridge', readings: { cabinetTempC: 4, ambientTempC: 20, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 1 } }, T0 + seq * 1000, seq)));
const announce = (after: number | null, ts = T0, seq = 1) => {
  const topic = deviceTopic('maria', 'car', 'announce');
  return [topic, bytes(encode(topic, stamp({ kind: 'fridge', name: 'f', measures: [], extra: [], reportEveryS: 1, source: 'simulator', ...(after === null ? {} : { acks: { after } }) }, ts, seq)))] as const;
};

function harness(gapWaitMs = 1000) {
  const gate = new AckGate({ gapWaitMs });
  const out: Array<[string, number]> = [];
  const deliver = (topic: string, data: Uint8Array) => {
    const r = decode(topic, data);
    out.push([topic.slice(topic.lastIndexOf('/') + 1), r.ok ? r.value.payload.seq : -1]);
  };
  const offer = (seqs: number[], now = 0) => seqs.forEach((s) => gate.offer(tel, reading(s), now, deliver));
  const seqs = () => out.filter(([c]) => c === 'telemetry').map(([, s]) => s);
  const confirms = (now = 0) =>
    gate.due(now, T0, deliver).map(([topic, payload]) => {
      const r = decode(topic, payload);
      if (!r.ok || r.value.channel !== 'ack') throw new Error(`not an ack: ${topic}`);
      return [r.value.topic.deviceId, r.value.payload.upTo] as const;
    });
  return { gate, out, offer, seqs, confirms, deliver };
}

describe('the acknowledgement gate', () => {
  it('passes the messages of a device that did not announce acks as they come, and confirms nothing', () => {
    const h = harness();
    h.gate.offer(...announce(null), 0, h.deliver);
    h.offer([1, 3, 2, 2]);
    expect(h.seqs()).toEqual([1, 3, 2, 2]);
    expect(h.confirms()).toEqual([]);
  });

  it('drops an announce said again unchanged (a device that got no confirmation) as a copy, and confirms; a newer one goes on', () => {
    const h = harness();
    h.gate.offer(...announce(0), 0, h.deliver);
    h.offer([1, 2]);
    expect(h.confirms()).toEqual([['car', 2]]);
    h.gate.offer(...announce(0), 0, h.deliver);
    expect(h.out.filter(([c]) => c === 'announce')).toHaveLength(1);
    expect(h.gate.stats().copies).toBe(1);
    // confirmed again: the device learns where it stands
    expect(h.confirms()).toEqual([['car', 2]]);
    // a later one (the device moved on, or a new connection) is the helpdesk's to see
    h.gate.offer(...announce(2, T0 + 5000, 1), 0, h.deliver);
    h.gate.offer(...announce(2, T0 + 5000, 2), 0, h.deliver);
    expect(h.out.filter(([c]) => c === 'announce')).toHaveLength(3);
    // and it survives a checkpoint
    const again = harness();
    again.gate.restore(JSON.parse(JSON.stringify(h.gate.snapshot())), 0);
    again.gate.offer(...announce(2, T0 + 5000, 2), 0, again.deliver);
    expect(again.out).toEqual([]);
  });

  it('drops an "online" said again (the same envelope) and names the connection whose announce and "online" both arrived', () => {
    const h = harness();
    const avail = deviceTopic('maria', 'car', 'availability');
    const online = (ts: number, seq: number) => bytes(encode(avail, stamp({ state: 'online', kind: 'fridge', reason: 'connected' }, ts, seq)));
    const connections = () => h.gate.due(0, T0, h.deliver).map(([topic, payload]) => {
      const r = decode(topic, payload);
      return r.ok && r.value.channel === 'ack' ? r.value.payload.connection : 'not an ack';
    });
    // the announce lost: the "online" comes first, then both again
    h.gate.offer(avail, online(T0, 1), 0, h.deliver);
    h.gate.offer(...announce(0), 0, h.deliver);
    h.gate.offer(avail, online(T0, 1), 0, h.deliver);
    expect(h.out.map(([c]) => c)).toEqual(['availability', 'announce']);
    expect(connections()).toEqual([1]);
    // the next connection: its announce arrived, its "online" not yet
    h.gate.offer(...announce(0, T0 + 1000, 2), 0, h.deliver);
    expect(connections()).toEqual([1]);
    h.gate.offer(avail, online(T0 + 1000, 2), 0, h.deliver);
    h.gate.offer(avail, online(T0 + 1000, 2), 0, h.deliver);
    expect(connections()).toEqual([2]);
    expect(h.out.map(([c]) => c)).toEqual(['availability', 'announce', 'announce', 'availability']);
    expect(h.gate.stats().copies).toBe(2);
    // across a checkpoint
    const again = harness();
    again.gate.restore(JSON.parse(JSON.stringify(h.gate.snapshot())), 0);
    again.gate.offer(avail, online(T0 + 1000, 2), 0, again.deliver);
    expect(again.out).toEqual([]);
  });

  it('holds what comes after a gap until the gap fills, drops copies, and confirms up to the gap', () => {
    const h = harness();
    h.gate.offer(...announce(0), 0, h.deliver);
    h.offer([1, 2, 3, 6, 7]);
    expect(h.seqs()).toEqual([1, 2, 3]);
    expect(h.confirms()).toEqual([['car', 3]]);
    expect(h.gate.stats()).toMatchObject({ devices: 1, held: 2, copies: 0 });
    // the device sends again from 4: 4 and 5 fill the gap, 6 and 7 are copies of what is held
    h.offer([4, 5, 6, 7, 8]);
    expect(h.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(h.confirms()).toEqual([['car', 8]]);
    // nothing new: nothing to confirm; a copy of something confirmed is confirmed again (a lost confirmation)
    expect(h.confirms()).toEqual([]);
    h.offer([2]);
    expect(h.seqs()).toHaveLength(8);
    expect(h.confirms()).toEqual([['car', 8]]);
    expect(h.gate.stats()).toMatchObject({ copies: 3, held: 0, released: 0 });
  });

  it('hands on what waited past a gap longer than gapWaitMs, in order', () => {
    const h = harness(1000);
    h.gate.offer(...announce(0), 0, h.deliver);
    h.offer([1, 4, 3], 0);
    expect(h.confirms(500)).toEqual([['car', 1]]);
    expect(h.seqs()).toEqual([1]);
    h.offer([5], 600);
    expect(h.confirms(1000)).toEqual([['car', 5]]);
    expect(h.seqs()).toEqual([1, 3, 4, 5]);
    expect(h.gate.stats()).toMatchObject({ released: 1, held: 0 });
  });

  it("moves to where the device's announce says its sequence starts: ahead, or anew from 0", () => {
    const h = harness();
    h.gate.offer(...announce(10), 0, h.deliver);
    h.offer([9, 11, 13]);
    expect(h.seqs()).toEqual([11]);
    // the device gave up on 12 and below: 13 goes on
    h.gate.offer(...announce(12, T0 + 1000, 2), 0, h.deliver);
    expect(h.seqs()).toEqual([11, 13]);
    // a missed confirmation does not move it back
    h.gate.offer(...announce(5, T0 + 2000, 3), 0, h.deliver);
    h.offer([6]);
    expect(h.seqs()).toEqual([11, 13]);
    // restarted without a persistent outbox: a new sequence (and its connections counted anew)
    h.gate.offer(...announce(0, T0 + 3000, 1), 0, h.deliver);
    h.offer([1, 2]);
    expect(h.seqs()).toEqual([11, 13, 1, 2]);
    expect(h.confirms()).toEqual([['car', 2]]);
  });

  it('keeps what it holds across a checkpoint', () => {
    const a = harness();
    a.gate.offer(...announce(0), 0, a.deliver);
    a.offer([1, 3]);
    const state = JSON.parse(JSON.stringify(a.gate.snapshot())) as ReturnType<AckGate['snapshot']>;
    const b = harness();
    b.gate.restore(state, 0);
    b.offer([2]);
    expect(b.seqs()).toEqual([2, 3]);
    expect(b.confirms()).toEqual([['car', 3]]);
  });
});
