/**
 * An aedes persistence on SQLite (better-sqlite3): the broker's state survives a restart, kill -9
 * included. It keeps what MQTT promises to keep: retained messages, the subscriptions of persistent
 * sessions (clean: false), the QoS 1/2 messages queued for them while they are away or have not yet
 * acknowledged, QoS 2 packets awaiting release, and last wills.
 *
 * Why SQLite and not a LevelDB (aedes-persistence-level), Redis or a journal file of our own:
 * better-sqlite3 is already a dependency (no new native module, no server to run), every change is
 * one transaction that a killed process either committed or did not (WAL), and the file can be
 * inspected with any SQLite tool. Writes are synchronous: when a method's promise resolves, the
 * change is committed. synchronous=NORMAL (the default here) survives the process dying at any
 * instruction; `sync: 'full'` also survives the machine losing power, at one fsync per commit.
 *
 * Hot paths stay in memory: the subscription index (every QoS > 0 publish asks it), the retained
 * messages (every SUBSCRIBE asks), and the message ids of packets in flight (they belong to one
 * connection; after a restart aedes assigns new ones, so they are never written).
 *
 * One gap in aedes itself is closed with journal.ts: for QoS 1 it writes PUBACK *before* it routes
 * the message into the persistent queues; `guardPublish` journals such a publish first. Reading a
 * queue past damaged rows is queue-pages.ts.
 *
 * One process per data directory (see db.ts).
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import { BROKER_DB_FILE, PAGE, openDb, prepare, type Row, type SqlitePersistenceOptions, type Statements } from './db.js';
import { createInflight } from './inflight.js';
import { createJournal, type AuthorizePublish } from './journal.js';
import { createSessionOwners, type SessionOwners } from './owners.js';
import { createQueuePages } from './queue-pages.js';
import { createRetainedIndex } from './retained.js';
import { fromStored, queuedCopy, queuedFromStored, toStored, type QueuedPacket, type StoredPacket } from './packets.js';
import { createSubscriptionIndex, type MatchedSubscription, type SubscriptionOptions } from './subscriptions.js';

export { BROKER_DB_FILE, PERSISTENCE_ERR, PersistenceError, type SqlitePersistenceOptions } from './db.js';

interface Client {
  id: string;
}
/** a drain that gets no progress for this long lets the session go live (see drain) */
const DRAIN_STALL_MS = 5_000;

interface Holding {
  gen: number;
  /** rows the drain handed to aedes that it has not yet prepared for sending (outgoingUpdate) */
  awaiting: Set<number>;
  wake: (() => void) | null;
}

export class SqlitePersistence {
  /** the database file, or ':memory:' */
  readonly file: string;
  /** on disk (a data directory), so worth journaling what aedes acknowledges before it routes */
  private readonly durable: boolean;
  private readonly db: Database.Database;
  private readonly s: Statements;
  private readonly subs = createSubscriptionIndex();
  private readonly retained = createRetainedIndex();
  /** message ids of queued packets handed to the current connection and not yet acknowledged */
  private readonly inflight = createInflight();
  private readonly journal: ReturnType<typeof createJournal>;
  private readonly pages: ReturnType<typeof createQueuePages>;
  /** persistent sessions that resumed and whose queue is being sent: live copies wait (see forwardable) */
  private readonly holding = new Map<string, Holding>();
  private generation = 0;
  private brokerRef: { id: string } | null = null;
  private closed = false;
  /** which identity owns each persistent session; in the same file, so it survives a restart */
  readonly owners: SessionOwners;

  constructor(options: SqlitePersistenceOptions) {
    this.durable = options.dir !== undefined;
    this.file = this.durable ? path.join(options.dir!, BROKER_DB_FILE) : ':memory:';
    const db = (this.db = openDb(options));
    this.s = prepare(db);
    this.owners = createSessionOwners(db, () => this.closed);
    this.journal = createJournal({ s: this.s, durable: this.durable, closed: () => this.closed, kept: (topic) => this.subs.matchesAny(topic) });
    this.pages = createQueuePages(db, this.s, options.onUnreadable);
    for (const r of this.s.allRetained.all()) this.retained.set(r.topic, { packet: r.packet, payload: r.payload });
    for (const r of this.s.allSubs.all()) this.subs.add(r.client_id, r.topic, JSON.parse(r.options) as SubscriptionOptions);
  }

  private enqueueTx(subs: Array<{ clientId: string }>, stored: StoredPacket, brokerId: string | null, counter: number | null, journalId: number | undefined): void {
    this.db.transaction(() => {
      for (const sub of subs) this.s.enqueue.run(sub.clientId, brokerId, counter, stored.packet, stored.payload);
      if (journalId !== undefined) this.s.unjournal.run(journalId);
    })();
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async setup(broker: { id: string }): Promise<void> {
    this.brokerRef = broker;
  }

  /** the broker given to setup (the conformance suite reads it) */
  get broker(): { id: string } | null {
    return this.brokerRef;
  }

  async destroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.holding.values()) h.wake?.();
    this.holding.clear();
    this.db.close();
  }

  /** journals a QoS 1 publish that will be kept before aedes can acknowledge it (see journal.ts) */
  guardPublish(inner: AuthorizePublish): AuthorizePublish {
    return this.journal.guard(inner);
  }

  /** Publishes, oldest first, what was acknowledged but not routed when the broker stopped. */
  replay(publish: (packet: QueuedPacket, done: (err?: Error | null) => void) => void): Promise<number> {
    return this.journal.replay(publish);
  }

  /** queued messages moved aside because they could not be read back */
  get unreadableCount(): number {
    return this.pages.unreadable;
  }

  /** figures for logs and tests */
  stats() {
    return { ...this.subs.counts(), unreadable: this.pages.unreadable, queued: this.s.countQueued.get()!.n, retained: this.retained.size, journaled: this.s.countJournaled.get()!.n };
  }

  // ---- retained ----------------------------------------------------------------------------------

  async storeRetained(packet: QueuedPacket): Promise<void> {
    if (packet.payload.length === 0) {
      this.s.delRetained.run(packet.topic);
      this.retained.delete(packet.topic);
      return;
    }
    const stored = toStored(packet);
    this.s.putRetained.run(packet.topic, stored.packet, stored.payload);
    this.retained.set(packet.topic, stored);
  }

  createRetainedStream(pattern: string): Readable {
    return Readable.from(this.retained.matching([pattern]));
  }

  createRetainedStreamCombi(patterns: string[]): Readable {
    return Readable.from(this.retained.matching(patterns));
  }

  // ---- subscriptions of persistent sessions ------------------------------------------------------

  async addSubscriptions(client: Client, subs: Array<{ topic: string } & SubscriptionOptions>): Promise<void> {
    const add = this.db.transaction(() => {
      for (const sub of subs) {
        const options: SubscriptionOptions = { qos: sub.qos, rh: sub.rh, rap: sub.rap, nl: sub.nl };
        if (sub.subscriptionIdentifier !== undefined) options.subscriptionIdentifier = sub.subscriptionIdentifier;
        this.s.putSub.run(client.id, sub.topic, JSON.stringify(options));
      }
    });
    add();
    for (const sub of subs) {
      const options: SubscriptionOptions = { qos: sub.qos, rh: sub.rh, rap: sub.rap, nl: sub.nl };
      if (sub.subscriptionIdentifier !== undefined) options.subscriptionIdentifier = sub.subscriptionIdentifier;
      this.subs.add(client.id, sub.topic, options);
    }
  }

  async removeSubscriptions(client: Client, topics: string[]): Promise<void> {
    this.db.transaction(() => {
      for (const t of topics) this.s.delSub.run(client.id, t);
    })();
    for (const t of topics) this.subs.remove(client.id, t);
  }

  /** aedes asks this when a persistent session (clean: false) connects, before it restores its subscriptions */
  async subscriptionsByClient(client: Client) {
    this.inflight.forget(client.id); // message ids of an earlier connection mean nothing now
    this.holding.get(client.id)?.wake?.();
    this.holding.set(client.id, { gen: ++this.generation, awaiting: new Set(), wake: null });
    return this.subs.ofClient(client.id);
  }

  async countOffline() {
    return this.subs.counts();
  }

  async subscriptionsByTopic(topic: string): Promise<MatchedSubscription[]> {
    return this.subs.match(topic);
  }

  async cleanSubscriptions(client: Client): Promise<void> {
    this.inflight.forget(client.id);
    this.s.delSubsOf.run(client.id);
    this.subs.removeClient(client.id);
  }

  getClientList(topic: string): Readable {
    return Readable.from(this.subs.clientsOf(topic));
  }

  // ---- queued messages ---------------------------------------------------------------------------

  async outgoingEnqueue(sub: { clientId: string }, packet: QueuedPacket): Promise<void> {
    return this.outgoingEnqueueCombi([sub], packet);
  }

  async outgoingEnqueueCombi(subs: Array<{ clientId: string }>, packet: QueuedPacket): Promise<void> {
    const journalId = this.journal.idOf(packet.payload);
    if (subs.length === 0 && journalId === undefined) return;
    const copy = queuedCopy(packet);
    this.enqueueTx(subs, toStored(copy), copy.brokerId ?? null, copy.brokerCounter ?? null, journalId);
    if (journalId !== undefined) this.journal.forget(packet.payload);
  }

  /**
   * Called before a queued packet is sent, with the message id it goes out under. Found by its origin
   * (broker id and counter); a packet without that origin (a QoS 2 PUBREL) replaces the queued packet
   * that went out under the same message id, as in aedes' in-memory persistence.
   */
  async outgoingUpdate(client: Client, packet: QueuedPacket): Promise<void> {
    const rows = packet.brokerId ? this.s.findQueued.all(client.id, packet.brokerId, packet.brokerCounter ?? null) : [];
    let rowId: number | undefined;
    if (rows.length > 0) {
      // two subscriptions of one client matching one publish queue two rows of the same origin
      rowId = (rows.find((r) => !this.inflight.has(client.id, r.id)) ?? rows[0]!).id;
    } else if (packet.messageId !== undefined) {
      rowId = this.inflight.row(client.id, packet.messageId);
      if (rowId !== undefined) {
        const stored = toStored(packet.cmd === 'publish' ? { ...queuedCopy(packet), messageId: packet.messageId } : packet);
        this.s.replaceQueued.run(stored.packet, stored.payload, rowId);
      }
    }
    if (rowId === undefined) throw new Error('no such packet');
    const h = this.holding.get(client.id);
    if (h?.awaiting.delete(rowId) && h.awaiting.size === 0) h.wake?.();
    if (packet.messageId !== undefined) this.inflight.set(client.id, packet.messageId, rowId);
  }

  async outgoingClearMessageId(client: Client, packet: { messageId?: number }): Promise<QueuedPacket | undefined> {
    if (packet.messageId === undefined) return undefined;
    const rowId = this.inflight.row(client.id, packet.messageId);
    if (rowId === undefined) return undefined;
    this.inflight.delete(client.id, packet.messageId);
    const row = this.s.queuedById.get(rowId);
    if (!row) return undefined;
    this.s.delQueued.run(rowId);
    return this.packetOf(client.id, row, packet.messageId);
  }

  /** the packet of a queued row, or null when it cannot be read back (it is then moved aside) */
  private readable(clientId: string, row: Row): QueuedPacket | null {
    try {
      return this.packetOf(clientId, row);
    } catch (e) {
      this.pages.setAside(clientId, row, `packet unreadable: ${(e as Error).message.slice(0, 120)}`);
      return null;
    }
  }

  /** a queued row as aedes gets it back, with the message id it went out under on this connection */
  private packetOf(clientId: string, row: Row, messageId = this.inflight.messageId(clientId, row.id)): QueuedPacket {
    const p = queuedFromStored(row);
    if (p.messageId !== undefined && p.cmd !== 'publish') this.inflight.set(clientId, p.messageId, row.id); // a PUBREL keeps its id
    else p.messageId = messageId;
    return p;
  }

  /**
   * The client's queue, oldest first, read page by page. For a resumed persistent session this is
   * the drain: it also picks up what arrives while it runs, and only when nothing older is left
   * unsent does the session go live.
   */
  outgoingStream(client: Client): Readable {
    const h = this.holding.get(client.id);
    if (h) return Readable.from(this.drain(client.id, h.gen));
    const last = this.s.lastQueued.get()!.id ?? 0;
    return Readable.from(this.queuedUpTo(client.id, last));
  }

  /** The client's queue up to row `last`, page by page. */
  private *queuedUpTo(clientId: string, last: number): Generator<QueuedPacket> {
    let after = 0;
    for (;;) {
      const rows = this.pages.page(clientId, after, last);
      for (const r of rows) {
        const p = this.readable(clientId, r);
        if (p) yield p;
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  private async *drain(clientId: string, gen: number): AsyncGenerator<QueuedPacket> {
    let after = 0;
    for (;;) {
      const h = this.holding.get(clientId);
      if (!h || h.gen !== gen || this.closed) return;
      const rows = this.pages.page(clientId, after, Number.MAX_SAFE_INTEGER);
      for (const r of rows) {
        after = r.id;
        const p = this.readable(clientId, r);
        if (!p) continue;
        h.awaiting.add(r.id);
        yield p;
      }
      if (rows.length > 0) continue;
      if (h.awaiting.size > 0) {
        // wait until aedes has prepared every packet handed out (it writes each right after), so that
        // no live copy can overtake one of them on the wire. If it stops taking them (the connection
        // went; a new one starts a new drain), stop holding rather than hold live copies forever.
        let timer: NodeJS.Timeout | undefined;
        const woke = await new Promise<boolean>((resolve) => {
          h.wake = () => resolve(true);
          timer = setTimeout(() => resolve(false), DRAIN_STALL_MS);
          timer.unref();
        });
        clearTimeout(timer);
        h.wake = null;
        if (!woke && this.holding.get(clientId) === h) this.holding.delete(clientId);
        continue;
      }
      this.holding.delete(clientId); // nothing older unsent: live delivery from now on
      return;
    }
  }

  /**
   * For aedes' authorizeForward: may this copy go to the client now? No while a resumed persistent
   * session's queue is being drained and the copy is queued there anyway (the drain sends it, in
   * order). Otherwise aedes would send live messages before older queued ones, and a receiver that
   * drops what is older than the newest it has seen (sequence numbers) would lose them.
   */
  forwardable(client: { id: string; clean?: boolean }, packet: { topic: string; qos?: number; retain?: boolean; messageId?: number }): boolean {
    if (client.clean !== false || !this.holding.has(client.id)) return true;
    if (packet.retain || packet.messageId !== undefined || !packet.qos) return true; // retained on subscribe, or the drain's own
    return !this.subs.match(packet.topic).some((m) => m.clientId === client.id);
  }

  // ---- QoS 2 packets awaiting release ------------------------------------------------------------

  async incomingStorePacket(client: Client, packet: QueuedPacket): Promise<void> {
    const copy = { ...queuedCopy(packet), messageId: packet.messageId };
    const stored = toStored(copy);
    this.s.putIncoming.run(client.id, packet.messageId!, stored.packet, stored.payload);
  }

  async incomingGetPacket(client: Client, packet: { messageId?: number }): Promise<QueuedPacket> {
    const row = this.s.getIncoming.get(client.id, packet.messageId!);
    if (!row) throw new Error('no such packet');
    return { ...queuedFromStored(row), messageId: packet.messageId };
  }

  async incomingDelPacket(client: Client, packet: { messageId?: number }): Promise<void> {
    if (this.s.delIncoming.run(client.id, packet.messageId!).changes === 0) throw new Error('no such packet');
  }

  async cleanIncoming(client: Client): Promise<void> {
    this.s.delIncomingOf.run(client.id);
  }

  // ---- last wills --------------------------------------------------------------------------------

  async putWill(client: Client, packet: Record<string, unknown>): Promise<void> {
    packet.brokerId = this.brokerRef?.id;
    packet.clientId = client.id;
    const stored = toStored(packet);
    this.s.putWill.run(client.id, stored.packet, stored.payload);
  }

  async getWill(client: Client) {
    const row = this.s.getWill.get(client.id);
    return row ? fromStored(row) : undefined;
  }

  async delWill(client: Client) {
    const row = this.s.getWill.get(client.id);
    if (!row) return undefined;
    this.s.delWill.run(client.id);
    return fromStored(row);
  }

  streamWill(brokers: Record<string, unknown> = {}): Readable {
    const wills = this.s.allWills.all().map(fromStored).filter((w) => !brokers[w.brokerId as string]);
    return Readable.from(wills);
  }
}

export function openSqlitePersistence(options: SqlitePersistenceOptions): SqlitePersistence {
  return new SqlitePersistence(options);
}
