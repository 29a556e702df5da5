/**
 * End-to-end acknowledgements on a partition (docs/scale.md#end-to-end-acknowledgements). nats-server
 * 2.9 sends a device its MQTT PUBACK before the stream has stored the message, so a device that
 * announced `acks` keeps every telemetry message and event until the partition confirms it, on the
 * device's `ack` topic: "received up to seq N", N the highest seq below which the partition has read
 * every one of the device's messages from the stream (the stream keeps them, replicated, for days: a
 * worker that takes the partition over reads them again from its checkpoint).
 *
 * The gate between the stream and the helpdesk, for such devices only (any other message passes as
 * it is, and costs one lookup):
 * - the next seq (N + 1) is handed on, and with it what was held after it;
 * - a seq past the next is held (a gap: what the device sent meanwhile was lost on the way and will
 *   come again), until the gap fills, or for `gapWaitMs` at most (then handed on in order: a device
 *   whose outbox dropped the missing ones, or that restarted without them);
 * - a seq at or below N is a copy the helpdesk has had: dropped here, counted in `copies`, so that a
 *   replay's barrier (messages received) counts each message once and the helpdesk sees each once.
 * What the device says at every connect, its announce and its "online", goes straight to its
 * connection, outside the sequence: the device says both again, the same bytes, until a confirmation
 * names the connection (`connection`); the gate hands on the first copy of each and drops the rest
 * (an announce whose envelope is not newer than the last one's, an "online" whose envelope is the last one's).
 *
 * So the helpdesk receives such a device's messages once each and in seq order, whatever was lost
 * and sent again; its own dedupe (helpdesk/ingest) is unchanged. A device's announce says where its
 * sequence starts (`acks.after`: it holds nothing at or below it): N moves there.
 *
 * Confirmations are batched: every `everyMs`, one for each device whose messages (new or copies)
 * arrived since the last batch. A copy is confirmed again, so a confirmation lost on the way (the
 * device reconnecting, its session clean) is repeated. Pure but for the wall clock it is handed.
 */
import { deviceTopic, encode, stamp, TOPIC_ROOT } from '../contracts/index.js';

/** what the gate keeps of one device */
interface DeviceGate {
  /** every seq <= upTo has been handed on (or given up after gapWaitMs) */
  upTo: number;
  /** messages past a gap, by seq */
  held: Map<number, { topic: string; data: Uint8Array }>;
  /** wall ms since the oldest held message waits; 0: none held */
  heldSince: number;
  /** something arrived since the last confirmation */
  dirty: boolean;
  /** the envelope (ts, seq) of the last announce handed on: one said again unchanged is a copy */
  announce?: [number, number];
  /** the envelope (ts, seq) of the last "online" handed on: the same again is a copy */
  online?: [number, number];
}

export interface AckGateState {
  devices: Array<[string, { upTo: number; held: Array<[number, string, string]>; announce?: [number, number]; online?: [number, number] }]>;
  copies: number;
  released: number;
}

export interface AckGateOptions {
  /** wall ms a gap is waited for before what is held after it is handed on; default 30,000 */
  gapWaitMs?: number;
}

export interface AckGateStats {
  /** devices that announced acks */
  devices: number;
  /** copies dropped (already handed on) */
  copies: number;
  /** messages held past a gap now */
  held: number;
  /** gaps given up after gapWaitMs */
  released: number;
}

const SEQ = /"seq":(\d+)/;
const TS_SEQ = /"ts":(\d+),"seq":(\d+)/;
const ONLINE = '"state":"online"';

/** a message's envelope (ts, seq), read from its start (contracts/envelope.ts stamp), or null */
function envelopeOf(head: string): [number, number] | null {
  const m = TS_SEQ.exec(head);
  return m ? [Number(m[1]), Number(m[2])] : null;
}
const utf8 = new TextDecoder();
const text = (data: Uint8Array): string => utf8.decode(data);

/** hands a message on to the helpdesk */
export type Deliver = (topic: string, data: Uint8Array) => void;

const ROOT = `${TOPIC_ROOT}/`;

/** the device key and channel of a device topic `evernet/v1/<c>/<d>/<channel>`, or null (no validation: the helpdesk's ingest does that) */
function split(topic: string): { key: string; channel: string } | null {
  const last = topic.lastIndexOf('/');
  if (last <= ROOT.length || !topic.startsWith(ROOT)) return null;
  return { key: topic.slice(ROOT.length, last), channel: topic.slice(last + 1) };
}

/** the seqs a device's gate holds past a gap, in order */
const heldSeqs = (d: DeviceGate): number[] => [...d.held.keys()].sort((a, b) => a - b);

export class AckGate {
  private readonly devices = new Map<string, DeviceGate>();
  private readonly gapWaitMs: number;
  private copies = 0;
  private released = 0;
  /**
   * the last "online" envelope of devices the gate does not know (yet): a device whose announce was lost
   * says its "online" again with it, and that copy must not reach the helpdesk twice
   */
  private readonly onlineOf = new Map<string, [number, number]>();

  constructor(options: AckGateOptions = {}) {
    this.gapWaitMs = options.gapWaitMs ?? 30_000;
  }

  /**
   * One message read from the stream (topic as MQTT, payload as text). Hands on, in order, what the
   * helpdesk is to receive now (none, this one, or this one and what it releases).
   */
  offer(topic: string, data: Uint8Array, now: number, deliver: Deliver): void {
    const t = split(topic);
    if (!t) return deliver(topic, data);
    if (t.channel === 'announce') {
      // a device that got no confirmation announces again (its first may have been lost): the gate reads it,
      // but one whose envelope is not newer than the last is a copy the helpdesk's ingest would count a duplicate
      const copy = this.announceCopy(t.key, data);
      this.announced(t.key, data, deliver, copy);
      if (!copy) return deliver(topic, data);
      this.copies++;
      return;
    }
    const d = this.devices.get(t.key);
    if (t.channel === 'availability') {
      if (this.onlineCopy(t.key, d, data)) return void this.copies++;
      return deliver(topic, data);
    }
    if (!d || (t.channel !== 'telemetry' && t.channel !== 'event')) return deliver(topic, data);
    // the envelope comes first (contracts/envelope.ts stamp): {"v":1,"ts":…,"seq":N
    const m = SEQ.exec(text(data.subarray(0, 64)));
    // not one of ours to order (the helpdesk rejects it with its code)
    if (!m) return deliver(topic, data);
    const seq = Number(m[1]);
    d.dirty = true;
    if (seq <= d.upTo || d.held.has(seq)) {
      this.copies++;
      return;
    }
    if (seq !== d.upTo + 1) {
      if (d.held.size === 0) d.heldSince = now;
      d.held.set(seq, { topic, data });
      return;
    }
    d.upTo = seq;
    deliver(topic, data);
    this.drain(d, deliver);
  }

  /** what is held right after upTo, in order */
  private drain(d: DeviceGate, deliver: Deliver): void {
    for (let next = d.held.get(d.upTo + 1); next; next = d.held.get(d.upTo + 1)) {
      d.held.delete(++d.upTo);
      deliver(next.topic, next.data);
    }
    if (d.held.size === 0) d.heldSince = 0;
  }

  /** an "online" whose envelope is the last one's (said again); else it is remembered as the last */
  private onlineCopy(key: string, d: DeviceGate | undefined, raw: Uint8Array): boolean {
    const head = text(raw.subarray(0, 96));
    const env = envelopeOf(head);
    if (!env || !head.includes(ONLINE)) return false;
    const last = d ? d.online : this.onlineOf.get(key);
    if (last && last[0] === env[0] && last[1] === env[1]) {
      if (d) d.dirty = true;
      return true;
    }
    if (d) {
      d.online = env;
      d.dirty = true;
    } else this.onlineOf.set(key, env);
    return false;
  }

  /** an announce of a device the gate knows whose envelope (ts, seq) is not newer than the last one's */
  private announceCopy(key: string, raw: Uint8Array): boolean {
    const d = this.devices.get(key);
    const env = envelopeOf(text(raw.subarray(0, 64)));
    if (!d || !env) return false;
    const last = d.announce;
    const copy = !!last && env[0] <= last[0] && env[1] <= last[1];
    if (!copy) d.announce = env;
    return copy;
  }

  /** `copy`: said again on the same connection (announceCopy), so `after: 0` is not a new sequence */
  private announced(key: string, raw: Uint8Array, deliver: Deliver, copy = false): void {
    let after: number | null = null;
    const d = this.devices.get(key);
    const data = text(raw);
    if (!d && !data.includes('"acks"')) return;
    try {
      const a = (JSON.parse(data) as { acks?: { after?: unknown } }).acks;
      if (a && typeof a.after === 'number' && Number.isSafeInteger(a.after) && a.after >= 0) after = a.after;
    } catch {
      // not JSON: the helpdesk rejects it with its code
    }
    if (after === null) {
      // it no longer asks for confirmations: what was held goes on now, in order, before the announce
      if (d) {
        this.devices.delete(key);
        for (const seq of heldSeqs(d)) deliver(d.held.get(seq)!.topic, d.held.get(seq)!.data);
      }
      return;
    }
    if (!d) {
      const announce = envelopeOf(data.slice(0, 64));
      const online = this.onlineOf.get(key);
      this.onlineOf.delete(key);
      this.devices.set(key, { upTo: after, held: new Map(), heldSince: 0, dirty: true, ...(announce ? { announce } : {}), ...(online ? { online } : {}) });
    }
    else {
      // the device's word: it holds nothing at or below `after`. 0: a new sequence (a device restarted
      // without a persistent outbox); else its sequence goes on, and a confirmation it missed does not
      // move the gate back. What was held at or below `after` (the device gave up on what came before
      // it) goes on now, in order
      const fresh = after === 0 && d.upTo > 0 && !copy;
      d.upTo = fresh ? 0 : Math.max(d.upTo, after);
      for (const seq of heldSeqs(d)) {
        if (seq > d.upTo && !fresh) break;
        deliver(d.held.get(seq)!.topic, d.held.get(seq)!.data);
        d.held.delete(seq);
      }
      this.drain(d, deliver);
      d.dirty = true;
    }
  }

  /**
   * Hands on what waited past a gap for longer than gapWaitMs (in seq order), and devices that no
   * longer ask for confirmations; then returns the confirmations due: [topic, payload] for each device
   * heard from since the last call, stamped at event time `at`.
   */
  due(now: number, at: number, deliver: Deliver): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [key, d] of this.devices) {
      if (d.held.size && now - d.heldSince >= this.gapWaitMs) {
        d.upTo = heldSeqs(d)[0]! - 1;
        this.released++;
        this.drain(d, deliver);
        // what is past a second gap waits again
        if (d.held.size) d.heldSince = now;
      }
      if (!d.dirty) continue;
      d.dirty = false;
      const slash = key.indexOf('/');
      const topic = deviceTopic(key.slice(0, slash), key.slice(slash + 1), 'ack');
      // the connection whose announce and "online" both arrived
      const connection = d.announce && d.online ? Math.min(d.announce[1], d.online[1]) : undefined;
      out.push([topic, encode(topic, stamp(connection === undefined ? { upTo: d.upTo } : { upTo: d.upTo, connection }, at, d.upTo))]);
    }
    return out;
  }

  stats(): AckGateStats {
    let held = 0;
    for (const d of this.devices.values()) held += d.held.size;
    return { devices: this.devices.size, copies: this.copies, held, released: this.released };
  }

  /** the gate's state for a checkpoint (held messages included: their stream sequences are behind the checkpoint's) */
  snapshot(): AckGateState {
    return {
      devices: [...this.devices].map(([k, d]) => [k, { upTo: d.upTo, held: [...d.held].map(([s, m]): [number, string, string] => [s, m.topic, text(m.data)]), ...(d.announce ? { announce: d.announce } : {}), ...(d.online ? { online: d.online } : {}) }]),
      copies: this.copies,
      released: this.released,
    };
  }

  /** takes a checkpoint's state over (before any message is offered); held messages wait gapWaitMs from `now` */
  restore(s: AckGateState, now: number): void {
    this.copies = s.copies;
    this.released = s.released;
    for (const [k, v] of s.devices) {
      this.devices.set(k, { upTo: v.upTo, held: new Map(v.held.map(([seq, topic, data]) => [seq, { topic, data: Buffer.from(data) }])), heldSince: v.held.length ? now : 0, dirty: true, ...(v.announce ? { announce: v.announce } : {}), ...(v.online ? { online: v.online } : {}) });
    }
  }
}
