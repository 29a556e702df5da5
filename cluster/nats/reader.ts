/**
 * Reads one partition's subjects from the stream in stream order, from a sequence on, through an
 * ordered consumer, and makes that consumer again when it goes silent while the stream holds newer
 * messages (docs/scale.md, "What happens on each failure").
 *
 * Why: nats.js makes an ordered consumer with one replica, on one node of the stream. When that node
 * dies nothing moves the consumer (nats-server 2.9.10): the library waits for "consumer not found"
 * and gets timeouts instead, and when its own connection was on that node it stops checking
 * heartbeats until a request succeeds. Measured with a node killed under 4 partitions: every
 * consumer on it stayed silent for good (54 of 54), none on a live node did. A new consumer is placed
 * on any node of the stream, the dead one included (about a third of the creations then time out), so
 * it is made again at once and retried quickly until one answers.
 *
 * Each consumer reads after the last sequence handed on, and a message of a consumer that has been
 * replaced is never handed on: nothing is lost, nothing handed on twice, the order kept.
 */
import { DeliverPolicy, jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { lastSeqOfPartition } from './stream.js';
import { partitionFilter, STREAM } from './subjects.js';

export interface PartitionReaderOptions {
  nc: NatsConnection;
  partition: number;
  /** read the stream after this sequence (0: from its start) */
  after: number;
  log: Logger;
  /** each message, in stream order, once */
  onMessage: (m: JsMsg) => void;
  /** the consumer ended by itself or its reading failed: the caller opens the partition again */
  onFatal: (err: Error) => void;
  /** wall ms without a message, while the stream holds newer ones, before the consumer is made again; default 2,000 */
  stallMs?: number;
  /** wall ms a JetStream request (a consumer made, the stream asked) waits; default 2,000 */
  requestTimeoutMs?: number;
  /** wall ms between two tries to make a consumer; default 500 */
  retryMs?: number;
}

export interface PartitionReader {
  /** the sequence of the last message handed on */
  lastSeq(): number;
  /** consumers made again since the start */
  remade(): number;
  stop(): void;
}

/** consumers tried at once when one is made again (openAny) */
const PARALLEL_TRIES = 3;

/** while silent this long, the stream is asked every second; after it, every 5 s (a quiet partition costs a request now and then) */
const QUIET_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function readPartition(o: PartitionReaderOptions): Promise<PartitionReader> {
  const p = o.partition;
  const stallMs = o.stallMs ?? 2_000;
  const timeout = o.requestTimeoutMs ?? 2_000;
  const js = jetstream(o.nc, { timeout });
  let last = o.after;
  let generation = 0;
  let messages: ConsumerMessages | null = null;
  let closed = false;
  let lastMessageAt = performance.now();
  let lastLookAt = 0;
  let remaking = false;
  let looking = false;
  let remadeCount = 0;

  /** one try at a consumer reading after `last`: its messages, not yet read */
  const open = async (): Promise<ConsumerMessages> => {
    const consumer = await js.consumers.get(STREAM, {
      filter_subjects: partitionFilter(p),
      ...(last > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last + 1 } : { deliver_policy: DeliverPolicy.All }),
    });
    // pulls that expire after 5 s with a heartbeat every second: two missed say the consumer is gone
    return consumer.consume({ expires: 5_000, idle_heartbeat: 1_000 });
  };

  /** reads `it` from now on (generation `mine`), the consumer before it stopped */
  const adopt = (it: ConsumerMessages, mine: number): void => {
    const old = messages;
    messages = it;
    old?.stop();
    void watchStatus(it, mine);
    void read(it, mine);
  };

  /**
   * Several tries at once, the first that answers read and the others stopped. The server places each
   * new consumer on a node of the stream, the dead one included, and not at random: in a test run four
   * creations in a row went there and timed out. Made at once, they land on different nodes.
   */
  const openAny = async (): Promise<ConsumerMessages> => {
    const tries = Array.from({ length: PARALLEL_TRIES }, () => open());
    const it = await Promise.any(tries);
    for (const t of tries) void t.then((x) => void (x !== it && x.stop()), () => undefined);
    return it;
  };

  const read = async (it: ConsumerMessages, mine: number): Promise<void> => {
    try {
      for await (const m of it) {
        if (closed || mine !== generation) break;
        lastMessageAt = performance.now();
        last = m.seq;
        o.onMessage(m);
      }
      if (!closed && mine === generation) o.onFatal(new Error('the stream consumer ended'));
    } catch (e) {
      if (!closed && mine === generation) o.onFatal(e as Error);
    }
  };

  const watchStatus = async (it: ConsumerMessages, mine: number): Promise<void> => {
    try {
      for await (const s of it.status()) {
        if (closed || mine !== generation) return;
        if (s.type === 'heartbeats_missed') void remake('heartbeats missed');
      }
    } catch {
      // the iterator ended with its consumer
    }
  };

  /** a new consumer after `last`, tried again every retryMs until one answers */
  const remake = async (why: string): Promise<void> => {
    if (remaking || closed) return;
    remaking = true;
    try {
      // the consumer being replaced hands nothing on from now: the new one starts after what it handed on last
      const mine = ++generation;
      for (let round = 1; !closed; round++) {
        try {
          const it = await openAny();
          if (closed) return it.stop();
          adopt(it, mine);
          remadeCount++;
          o.log.warn({ partition: p, why, read: last, round }, 'the stream consumer was made again');
          return;
        } catch (e) {
          const err = e instanceof AggregateError ? (e.errors[0] as Error | undefined) : (e as Error);
          o.log.debug({ partition: p, err: err?.message, round }, 'making the stream consumer failed: trying again');
          await sleep(o.retryMs ?? 500);
        }
      }
    } finally {
      lastMessageAt = performance.now();
      remaking = false;
    }
  };

  /** silent while the stream has newer messages of the partition: made again */
  const look = async (): Promise<void> => {
    looking = true;
    lastLookAt = performance.now();
    try {
      const newest = await lastSeqOfPartition(o.nc, p, { timeoutMs: timeout });
      if (!closed && newest > last) await remake(`silent for ${Math.round(performance.now() - lastMessageAt)} ms while the stream holds newer messages`);
    } catch (e) {
      o.log.debug({ partition: p, err: (e as Error).message }, 'the stream could not be asked for its newest message: next time');
    } finally {
      looking = false;
    }
  };

  adopt(await open(), ++generation);
  const watchdog = setInterval(() => {
    const now = performance.now();
    const silent = now - lastMessageAt;
    if (closed || remaking || looking || silent < stallMs) return;
    if (now - lastLookAt < (silent < QUIET_MS ? 1_000 : 5_000)) return;
    void look();
  }, 250);

  return {
    lastSeq: () => last,
    remade: () => remadeCount,
    stop() {
      closed = true;
      clearInterval(watchdog);
      messages?.stop();
    },
  };
}
