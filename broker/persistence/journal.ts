/**
 * The journal of publishes acknowledged but not yet routed (table `accepted`). aedes writes PUBACK
 * for QoS 1 *before* it routes the message into the persistent queues, so a broker killed in between
 * would lose a message its sender already dropped. `guard` journals such a publish before PUBACK can
 * go out; routing deletes the row in the same transaction as it queues the copies (`idOf`), and
 * `replay` publishes whatever is left after a crash (at least once: receivers drop copies by sequence
 * number).
 */
import { fromStored, toStored, type QueuedPacket } from './packets.js';
import type { Statements } from './db.js';

type Client = { id: string };
export type AuthorizePublish = (client: Client | null, packet: QueuedPacket, done: (err?: Error | null) => void) => void;

export interface JournalDeps {
  s: Statements;
  /** on disk: worth journaling (in memory nothing survives anyway) */
  durable: boolean;
  closed: () => boolean;
  /** would a persistent session keep this topic? */
  kept: (topic: string) => boolean;
}

export function createJournal(deps: JournalDeps) {
  const { s } = deps;
  /** payload buffer of a journaled publish -> its `accepted` row (aedes keeps the buffer through routing) */
  const journaled = new WeakMap<Buffer, number>();

  return {
    /** Wraps the broker's publish authorization: a QoS 1 publish that will be kept is journaled before aedes can acknowledge it. */
    guard(inner: AuthorizePublish): AuthorizePublish {
      return (client, packet, done) =>
        inner(client, packet, (err) => {
          if (err || !deps.durable || deps.closed() || packet.qos !== 1 || !Buffer.isBuffer(packet.payload)) return done(err);
          if (!packet.retain && !deps.kept(packet.topic)) return done(null);
          try {
            const stored = toStored({ cmd: packet.cmd, topic: packet.topic, payload: packet.payload, qos: packet.qos, retain: packet.retain, dup: false });
            journaled.set(packet.payload, Number(s.journal.run(stored.packet, stored.payload).lastInsertRowid));
            done(null);
          } catch (e) {
            done(e as Error); // not journaled: refuse rather than acknowledge what might be lost
          }
        });
    },
    /** the journal row of a publish being routed (the caller deletes it with the queued copies, then forgets it) */
    idOf: (payload: unknown): number | undefined => (Buffer.isBuffer(payload) ? journaled.get(payload) : undefined),
    forget(payload: unknown): void {
      if (Buffer.isBuffer(payload)) journaled.delete(payload);
    },
    /** Publishes, oldest first, what was acknowledged but not routed when the broker stopped. */
    async replay(publish: (packet: QueuedPacket, done: (err?: Error | null) => void) => void): Promise<number> {
      const rows = s.journaledRows.all();
      for (const row of rows) {
        const packet = fromStored(row) as unknown as QueuedPacket;
        if (Buffer.isBuffer(packet.payload)) journaled.set(packet.payload, row.id);
        await new Promise<void>((resolve, reject) => publish(packet, (err) => (err ? reject(err) : resolve())));
        s.unjournal.run(row.id); // no-op when routing deleted it already
      }
      return rows.length;
    },
  };
}
