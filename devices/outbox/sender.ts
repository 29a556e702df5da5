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
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { OutboxStore } from './store.js';

export const OUTBOX_DEFAULTS = { capacity: 10_000, window: 100 } as const;

export interface SenderOptions {
  store: OutboxStore;
  /** most entries kept while the broker is away (default 10,000) */
  capacity?: number;
  /** most entries handed to the connection and not yet acknowledged (default 100) */
  window?: number;
  log?: Logger;
  deviceId?: string;
}

export interface OutboxStats {
  /** entries waiting or in flight */
  queued: number;
  inFlight: number;
  /** acknowledged by the broker (this process) */
  acknowledged: number;
  /** dropped because the outbox was full (over the store's life) */
  dropped: number;
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
  /** drained() callers waiting; null: none (most devices, most of the time) */
  private idle: Array<() => void> | null = null;
  private readonly onConnect = this.connected.bind(this);
  private readonly onClose = this.closed.bind(this);

  constructor(options: SenderOptions) {
    this.store = options.store;
    this.capacity = Math.max(1, options.capacity ?? OUTBOX_DEFAULTS.capacity);
    this.window = Math.max(1, options.window ?? OUTBOX_DEFAULTS.window);
    this.log = options.log;
    this.deviceId = options.deviceId;
  }

  private connected(): void {
    this.ready = true;
    this.pump();
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
    if (!err && this.store.remove(seq)) this.acknowledged++;
    if (gen === this.generation) {
      this.inFlight--;
      // mqtt.js gave up on it (connection ended): hand it over again, in order, with what follows it
      if (err) this.cursor = Math.min(this.cursor, seq - 1);
      this.pump();
    }
    this.settle();
  }

  private pump(): void {
    const c = this.client;
    if (!c || !this.ready || !c.connected || c.disconnecting) return;
    const gen = this.generation;
    while (this.inFlight < this.window) {
      const batch = this.store.after(this.cursor, this.window - this.inFlight);
      if (batch.length === 0) break;
      for (const e of batch) {
        this.cursor = e.seq;
        this.inFlight++;
        c.publish(e.topic, e.payload, { qos: 1 }, (err) => this.done(gen, e.seq, err));
      }
    }
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
    this.pump();
  }

  /** Lets go of the connection before it is ended: entries not acknowledged stay for the next one. */
  detach(): void {
    this.client?.off('connect', this.onConnect);
    this.client?.off('close', this.onClose);
    this.client = null;
    this.ready = false;
    this.generation++;
  }

  /** Stores one message and sends it when the connection allows. */
  enqueue(seq: number, topic: string, payload: string): void {
    if (this.store.size() >= this.capacity) {
      const gone = this.store.dropOldest(this.cursor);
      if (gone) this.log?.warn({ code: 'EVN_ERR_OUTBOX_FULL', deviceId: this.deviceId, seq: gone.seq, capacity: this.capacity }, 'outbox full: oldest message dropped');
    }
    this.store.append({ seq, topic, payload });
    this.pump();
  }

  /** Resolves once every stored entry has been acknowledged. */
  drained(): Promise<void> {
    if (this.store.size() === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idle ??= []).push(resolve));
  }

  stats(): OutboxStats {
    return { queued: this.store.size(), inFlight: this.inFlight, acknowledged: this.acknowledged, dropped: this.store.dropped() };
  }
}

export function createSender(options: SenderOptions): OutboxSender {
  return new OutboxSender(options);
}
export type Sender = OutboxSender;
