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

export function createSender(options: SenderOptions) {
  const { store } = options;
  const capacity = Math.max(1, options.capacity ?? OUTBOX_DEFAULTS.capacity);
  const window = Math.max(1, options.window ?? OUTBOX_DEFAULTS.window);
  let client: MqttClient | null = null;
  /** a new connection (attach/detach) starts a new generation; callbacks of an older one only remove acknowledged entries */
  let generation = 0;
  /** highest seq handed to the current connection */
  let cursor = 0;
  let inFlight = 0;
  let acknowledged = 0;
  /**
   * Between connack and the 'connect' event mqtt.js resends its own in-flight packets and reuses
   * their message ids; a publish in that gap would overtake them (and could take one of their ids).
   * So the sender hands over only between 'connect' and 'close'.
   */
  let ready = false;
  const idle: Array<() => void> = [];

  const onConnect = (): void => {
    ready = true;
    pump();
  };
  const onClose = (): void => {
    ready = false;
  };

  function settle(): void {
    if (store.size() > 0) return;
    for (const resolve of idle.splice(0)) resolve();
  }

  function done(gen: number, seq: number, err: Error | undefined): void {
    if (!err && store.remove(seq)) acknowledged++;
    if (gen === generation) {
      inFlight--;
      // mqtt.js gave up on it (connection ended): hand it over again, in order, with what follows it
      if (err) cursor = Math.min(cursor, seq - 1);
      pump();
    }
    settle();
  }

  function pump(): void {
    const c = client;
    if (!c || !ready || !c.connected || c.disconnecting) return;
    const gen = generation;
    while (inFlight < window) {
      const batch = store.after(cursor, window - inFlight);
      if (batch.length === 0) break;
      for (const e of batch) {
        cursor = e.seq;
        inFlight++;
        c.publish(e.topic, e.payload, { qos: 1 }, (err) => done(gen, e.seq, err));
      }
    }
  }

  return {
    /** Takes the connection (connected or about to be) and starts sending from the oldest entry. */
    attach(c: MqttClient): void {
      if (client) this.detach();
      client = c;
      generation++;
      cursor = 0;
      inFlight = 0;
      ready = c.connected; // connectAsync resolves after 'connect'
      c.on('connect', onConnect);
      c.on('close', onClose);
      pump();
    },
    /** Lets go of the connection before it is ended: entries not acknowledged stay for the next one. */
    detach(): void {
      client?.off('connect', onConnect);
      client?.off('close', onClose);
      client = null;
      ready = false;
      generation++;
    },
    /** Stores one message and sends it when the connection allows. */
    enqueue(seq: number, topic: string, payload: string): void {
      if (store.size() >= capacity) {
        const gone = store.dropOldest(cursor);
        if (gone) options.log?.warn({ code: 'EVN_ERR_OUTBOX_FULL', deviceId: options.deviceId, seq: gone.seq, capacity }, 'outbox full: oldest message dropped');
      }
      store.append({ seq, topic, payload });
      pump();
    },
    /** Resolves once every stored entry has been acknowledged. */
    drained(): Promise<void> {
      if (store.size() === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
    stats: (): OutboxStats => ({ queued: store.size(), inFlight, acknowledged, dropped: store.dropped() }),
  };
}
export type Sender = ReturnType<typeof createSender>;
