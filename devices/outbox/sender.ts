/**
 * Sends a device's outbox over its mqtt.js connection, in sequence order, at QoS 1, and removes an
 * entry only once the broker has acknowledged it. While the connection is down nothing is handed to
 * mqtt.js (whose own offline queue is in memory, unbounded, and limited to 65,535 message ids): the
 * entries wait in the store, bounded by `capacity` (when full, the oldest entry not yet handed over
 * is dropped and counted; the helpdesk sees the hole as a sequence gap). At most `window` entries are
 * in flight; mqtt.js resends those itself after a reconnect, before the sender goes on with the rest,
 * so the broker receives every device's messages in order. After a restart of the device process
 * (a new connection), everything still in the store is sent again: at least once, and the receiver
 * drops the copies it has already seen by sequence number.
 *
 * End-to-end acknowledgements (`acks`, opt-in; docs/scale.md#end-to-end-acknowledgements): a broker's
 * PUBACK is then not enough (nats-server 2.9 sends it before its stream has stored the message). An
 * entry the broker acknowledged stays in the store until the helpdesk confirms it ("received up to
 * seq N", confirm()). The sender goes back and sends again, in order from the oldest entry not
 * confirmed, on every reconnect and whenever `resendAfterMs` passes without any confirmation while
 * entries the broker acknowledged wait for one. The copies keep their sequence numbers; the helpdesk
 * drops those it has. Off (the default) a sender has no timer and one more field, null.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { OutboxEntry, OutboxStore } from './store.js';

export const OUTBOX_DEFAULTS = { capacity: 10_000, window: 100, resendAfterMs: 5000 } as const;

export interface OutboxAckOptions {
  /** ms without any confirmation, with entries the broker acknowledged waiting for one, before they are sent again (default 5000) */
  resendAfterMs?: number;
  /**
   * the MQTT QoS entries are sent at (default 1). 0: the helpdesk's confirmation is the only
   * acknowledgement, no PUBACK is waited for: on nats-server 2.9 a QoS 1 publish costs the node a
   * round trip to the stream per message (4x the time of QoS 0 in a test of 600 windows of 30
   * messages). A connection then counts as stalled after six periods without a confirmation, not two
   * without a PUBACK
   */
  qos?: 0 | 1;
}

/** what a sender with end-to-end acknowledgements keeps (one object, only when on) */
interface AckState {
  resendAfterMs: number;
  /** the highest seq the helpdesk confirmed */
  upTo: number;
  /** a confirmation came since the last look */
  progressed: boolean;
  /** the cursor at the last look: entries at or below it that are still stored had a whole period to be confirmed */
  mark: number;
  timer: NodeJS.Timeout | null;
  /** entries handed to the connection again (resends), and the highest seq ever handed over */
  resent: number;
  handed: number;
  /** times the sender went back to the oldest unconfirmed entry */
  rounds: number;
  /** PUBACKs received, and their count at the last look */
  pubacks: number;
  pubacksAtLook: number;
  /** looks in a row with entries in flight and neither a PUBACK nor a confirmation */
  stalled: number;
  /** connections dropped because they acknowledged nothing */
  dropped: number;
  qos: 0 | 1;
}

export interface SenderOptions {
  store: OutboxStore;
  /** most entries kept while the broker is away (default 10,000) */
  capacity?: number;
  /** most entries handed to the connection and not yet acknowledged (default 100) */
  window?: number;
  log?: Logger;
  deviceId?: string;
  /** end-to-end acknowledgements: keep every entry until confirm() (the helpdesk's `ack`); default off */
  acks?: OutboxAckOptions | boolean;
  /**
   * end-to-end: called every resend period while connected (before it sends again what is not confirmed):
   * the device says again what it said at connect and the helpdesk has not confirmed (DeviceAgent)
   */
  onPeriod?: () => void;
}

export interface OutboxStats {
  /** entries waiting or in flight */
  queued: number;
  inFlight: number;
  /** acknowledged by the broker (this process) */
  acknowledged: number;
  /** dropped because the outbox was full (over the store's life) */
  dropped: number;
  /** end-to-end acknowledgements only: the highest seq the helpdesk confirmed, the entries sent again, and in how many rounds */
  confirmedUpTo?: number;
  resent?: number;
  resendRounds?: number;
  /** connections it dropped because they acknowledged nothing for two periods */
  reconnectsForced?: number;
  /** present: it holds everything back, until the helpdesk confirms its connection (hold()) */
  held?: true;
}

/** MQTT's DISCONNECT: a connection that ends with it leaves no last will (MQTT 3.1.1, 3.14) */
const DISCONNECT = Buffer.from([0xe0, 0x00]);

/**
 * Ends a connection the sender gives up on with DISCONNECT, so that the broker does not publish its
 * will: the device goes on (mqtt.js connects again), and a will would tell the helpdesk it went away,
 * a message the device did not send and a replay's barrier did not count. A socket that does not
 * flush within a second is destroyed.
 */
function hangUp(c: MqttClient): void {
  const s = c.stream;
  s.end(DISCONNECT);
  setTimeout(() => s.destroy(), 1000).unref();
}

/** One per device: a class, so that its methods live on the prototype and a fleet pays only for its fields. */
export class OutboxSender {
  private readonly store: OutboxStore;
  private readonly capacity: number;
  private readonly window: number;
  private readonly log: Logger | undefined;
  private readonly deviceId: string | undefined;
  private client: MqttClient | null = null;
  /** a new connection (attach/detach) starts a new generation; callbacks of an older one only remove acknowledged entries */
  private generation = 0;
  /** highest seq handed to the current connection */
  private cursor = 0;
  private inFlight = 0;
  private acknowledged = 0;
  /**
   * Between connack and the 'connect' event mqtt.js resends its own in-flight packets and reuses
   * their message ids; a publish in that gap would overtake them (and could take one of their ids).
   * So the sender hands over only between 'connect' and 'close'.
   */
  private ready = false;
  /** held back (end-to-end: until the helpdesk knows the device's connection, see hold()) */
  private held = false;
  /** drained() callers waiting; null: none (most devices, most of the time) */
  private idle: Array<() => void> | null = null;
  /** end-to-end acknowledgements; null: off (the broker's PUBACK removes an entry) */
  private readonly ack: AckState | null;
  private readonly onPeriod: (() => void) | undefined;
  private readonly onConnect = this.connected.bind(this);
  private readonly onClose = this.closed.bind(this);

  constructor(options: SenderOptions) {
    this.store = options.store;
    this.capacity = Math.max(1, options.capacity ?? OUTBOX_DEFAULTS.capacity);
    this.window = Math.max(1, options.window ?? OUTBOX_DEFAULTS.window);
    this.log = options.log;
    this.deviceId = options.deviceId;
    this.onPeriod = options.onPeriod;
    const acks = options.acks;
    this.ack = acks
      ? { resendAfterMs: Math.max(1, (acks === true ? undefined : acks.resendAfterMs) ?? OUTBOX_DEFAULTS.resendAfterMs), upTo: 0, progressed: false, mark: 0, timer: null, resent: 0, handed: 0, rounds: 0, pubacks: 0, pubacksAtLook: 0, stalled: 0, dropped: 0, qos: (acks === true ? undefined : acks.qos) ?? 1 }
      : null;
  }

  private connected(): void {
    this.ready = true;
    // a new connection: what the helpdesk has not confirmed may have died with the old one's node
    if (this.ack) this.goBack();
    this.pump();
  }

  /** end-to-end: hand over again from the oldest entry not confirmed (its copies keep their seq) */
  private goBack(): void {
    const a = this.ack!;
    if (this.cursor === 0 || this.store.size() === 0) return;
    a.rounds++;
    this.cursor = 0;
    this.log?.debug({ deviceId: this.deviceId, confirmedUpTo: a.upTo, queued: this.store.size() }, 'outbox: sending again what the helpdesk has not confirmed');
  }

  /** end-to-end: every resendAfterMs, entries handed over a whole period ago and no confirmation since: back to the oldest */
  private look(): void {
    const a = this.ack!;
    // a connection that takes messages and acknowledges none for two periods (a NATS node whose
    // JetStream lost its leader can keep a session in that state): dropped, mqtt.js connects again,
    // to the next of its servers
    const c = this.client;
    const oldest = this.oldest();
    // handed over a whole period ago and not confirmed
    const waiting = oldest !== undefined && oldest.seq <= a.mark;
    // QoS 0 has no PUBACK to go by: the confirmations are the only sign of life, waited for longer
    const silent = a.qos === 0 ? waiting : this.inFlight > 0 && a.pubacks === a.pubacksAtLook;
    a.stalled = silent && !a.progressed ? a.stalled + 1 : 0;
    a.pubacksAtLook = a.pubacks;
    if (a.stalled >= (a.qos === 0 ? 6 : 2) && c && this.ready) {
      a.stalled = 0;
      a.dropped++;
      this.log?.warn({ deviceId: this.deviceId, inFlight: this.inFlight, qos: a.qos }, 'outbox: nothing acknowledged or confirmed for too long: connecting again');
      hangUp(c);
    }
    if (this.ready) this.onPeriod?.();
    if (!a.progressed && waiting && this.ready) {
      this.goBack();
      this.pump();
    }
    a.progressed = false;
    a.mark = this.cursor;
  }

  /** the oldest entry stored, if any */
  private oldest(): OutboxEntry | undefined {
    return this.store.size() > 0 ? this.store.after(0, 1)[0] : undefined;
  }

  /** end-to-end: the seq at or below which it holds nothing (announced at every connect, `acks.after`) */
  heldAfter(): number {
    const oldest = this.oldest();
    return oldest ? oldest.seq - 1 : this.store.lastSeq();
  }

  /**
   * The helpdesk holds every entry with seq <= upTo (end-to-end acknowledgements): they leave the
   * store. Without `acks` a confirmation is ignored. Returns how many entries it removed.
   */
  confirm(upTo: number): number {
    const a = this.ack;
    if (!a || upTo <= a.upTo) return 0;
    a.upTo = upTo;
    a.progressed = true;
    const n = this.store.removeThrough(upTo);
    this.acknowledged += n;
    this.settle();
    return n;
  }

  private closed(): void {
    this.ready = false;
  }

  private settle(): void {
    if (this.store.size() > 0 || !this.idle) return;
    const idle = this.idle;
    this.idle = null;
    for (const resolve of idle) resolve();
  }

  private done(gen: number, seq: number, err: Error | undefined): void {
    // end-to-end: the broker's PUBACK is not enough, the entry waits for the helpdesk's confirmation
    if (!err && this.ack) this.ack.pubacks++;
    else if (!err && this.store.remove(seq)) this.acknowledged++;
    if (gen === this.generation) {
      this.inFlight--;
      // mqtt.js gave up on it (connection ended): hand it over again, in order, with what follows it
      if (err) this.cursor = Math.min(this.cursor, seq - 1);
      // only when something waits to be handed over: most of the time nothing does
      if (this.store.lastSeq() > this.cursor) this.pump();
    }
    this.settle();
  }

  private pump(): void {
    const c = this.client;
    if (!c || !this.ready || this.held || !c.connected || c.disconnecting) return;
    const gen = this.generation;
    while (this.inFlight < this.window) {
      const batch = this.store.after(this.cursor, this.window - this.inFlight);
      if (batch.length === 0) break;
      for (const e of batch) this.hand(c, gen, e);
    }
  }

  /** hands one entry to the connection, the next after the cursor */
  private hand(c: MqttClient, gen: number, e: OutboxEntry): void {
    const a = this.ack;
    this.cursor = e.seq;
    this.inFlight++;
    if (a) {
      if (e.seq <= a.handed) a.resent++;
      else a.handed = e.seq;
    }
    c.publish(e.topic, e.payload, { qos: a?.qos ?? 1 }, (err) => this.done(gen, e.seq, err));
  }

  /** Takes the connection (connected or about to be) and starts sending from the oldest entry. */
  attach(c: MqttClient): void {
    if (this.client) this.detach();
    this.client = c;
    this.generation++;
    this.cursor = 0;
    this.inFlight = 0;
    this.ready = c.connected; // connectAsync resolves after 'connect'
    c.on('connect', this.onConnect);
    c.on('close', this.onClose);
    const a = this.ack;
    if (a) {
      a.mark = 0;
      a.progressed = false;
      a.timer ??= setInterval(() => this.look(), a.resendAfterMs);
      a.timer.unref();
    }
    this.pump();
  }

  /** Lets go of the connection before it is ended: entries not acknowledged stay for the next one. */
  detach(): void {
    this.client?.off('connect', this.onConnect);
    this.client?.off('close', this.onClose);
    this.client = null;
    this.ready = false;
    this.generation++;
    if (this.ack?.timer) {
      clearInterval(this.ack.timer);
      this.ack.timer = null;
    }
  }

  /**
   * Holds everything back (true) or sends on (false). End-to-end: a device holds its sequence until
   * the helpdesk has confirmed its announce on this connection; before it, the partition's gate does
   * not know where the sequence starts, and would pass copies on as new messages.
   */
  hold(on: boolean): void {
    this.held = on;
    if (!on) this.pump();
  }

  /** Stores one message and sends it when the connection allows. */
  enqueue(seq: number, topic: string, payload: string): void {
    if (this.store.size() >= this.capacity) {
      const gone = this.store.dropOldest(this.cursor);
      if (gone) this.log?.warn({ code: 'EVN_ERR_OUTBOX_FULL', deviceId: this.deviceId, seq: gone.seq, capacity: this.capacity }, 'outbox full: oldest message dropped');
    }
    // everything before it handed over already (the usual case): it goes out, window allowing, without a pass over the store
    const alone = this.store.lastSeq() <= this.cursor;
    const entry = { seq, topic, payload };
    this.store.append(entry);
    if (!alone) return this.pump();
    const c = this.client;
    if (c && this.ready && !this.held && c.connected && !c.disconnecting && this.inFlight < this.window) this.hand(c, this.generation, entry);
  }

  /** Resolves once every stored entry has been acknowledged (end-to-end: confirmed by the helpdesk). */
  drained(): Promise<void> {
    if (this.store.size() === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idle ??= []).push(resolve));
  }

  stats(): OutboxStats {
    const out: OutboxStats = { queued: this.store.size(), inFlight: this.inFlight, acknowledged: this.acknowledged, dropped: this.store.dropped() };
    const a = this.ack;
    if (a) Object.assign(out, { confirmedUpTo: a.upTo, resent: a.resent, resendRounds: a.rounds, reconnectsForced: a.dropped });
    if (this.held) out.held = true;
    return out;
  }
}

export function createSender(options: SenderOptions): OutboxSender {
  return new OutboxSender(options);
}
export type Sender = OutboxSender;
