/**
 * One partition served by this worker: a helpdesk (helpdesk/service.ts) whose stores live in the
 * partition's PostgreSQL schema (partition-db.ts) and whose messages come from the partition's
 * subjects in the stream, in stream order, through an ordered consumer.
 *
 * Resuming: the helpdesk's in-memory state (helpdesk.checkpoint()) and the stream sequence it
 * includes are one row of the partition's database (checkpoint-store.ts). The database is written only
 * at checkpoints (the mirror flushes on demand): every few seconds, and before anything the helpdesk
 * decided is published (its `durable` hook). So PostgreSQL always holds the stores exactly as they
 * were at the checkpoint row it holds. A worker that opens the partition loads the database, restores
 * the helpdesk from that row and reads the stream from the next sequence: the messages after the
 * checkpoint are processed again on exactly the state that saw them first, so they are decided the
 * same way — the same tickets (no second one: the state knows the first), the same commands and
 * contacts with the same ids, which may go out a second time (at least once; devices drop a command
 * id they have seen).
 *
 * Time: live, the helpdesk's watermark follows the clock (helpdesk.start({ live })). In a replay the
 * runner publishes a mark into every partition at each window's end (`evernet.part.<p>.mark`, with
 * the window's end and how many messages the partition has been sent by then); the partition
 * advances to it once it has received that many, so its decisions are those of the embedded run.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { saidByConnection, type Clock } from '../contracts/index.js';
import type { HelpdeskCheckpoint } from '../helpdesk/checkpoint.js';
import type { Helpdesk } from '../helpdesk/service.js';
import type { HelpdeskTransport } from '../helpdesk/transport/transport.js';
import type { HelpdeskStack, HelpdeskStackOptions } from '../stack/helpdesk-stack.js';
import { AckGate, type AckGateState, type AckGateStats } from './acks.js';
import { openCheckpointStore, type CheckpointStore } from './checkpoint-store.js';
import { readPartition, type PartitionReader } from './nats/reader.js';
import { partitionSubjectPrefix, topicOfSubject } from './nats/subjects.js';

/**
 * A replay's mark: the window's end, and the messages the partition had been sent by then (cumulative):
 * all of them, and of them what connections said (announce, availability: contracts saidByConnection).
 * A connection made again says its hello when it is made, and the host counts it in its next window:
 * counted with the rest, a hello that arrived first would stand in for telemetry still on its way (a
 * node killed under a fleet: 59 silence tickets the embedded run has not). The partition reaches a mark
 * once it has the telemetry and events, and what connections said, each in full. Without `said` (a mark
 * of an older runner) it counts all together.
 */
export interface ReplayMark {
  run: string;
  w: number;
  expected: number;
  said?: number;
}

export const markSubject = (p: number): string => `${partitionSubjectPrefix(p)}.mark`;

/** what the checkpoint row holds: the helpdesk's state, the marks read but not yet reached, and the acknowledgement gate's state */
interface StoredState {
  helpdesk: HelpdeskCheckpoint;
  marks: ReplayMark[];
  acks?: AckGateState;
  /** of the messages the helpdesk received, what connections said */
  said?: number;
}

export interface PartitionOptions {
  partition: number;
  nc: NatsConnection;
  /** sends what the helpdesk decided to the devices and apps (MQTT on the cluster's listeners) */
  publish: HelpdeskTransport['publish'];
  /** sends a confirmation to a device (acks.ts; QoS 0); default `publish` */
  publishAck?: (topic: string, payload: string) => void;
  /** the partition's stack: the caller's options, to which the partition adds its db, lock, transport and checkpoint */
  stack: (add: Pick<HelpdeskStackOptions, 'extend' | 'helpdesk'>) => Promise<HelpdeskStack>;
  /** 'live': the watermark follows the clock; 'replay': it follows the runner's marks (the clock is set to each) */
  mode: 'live' | 'replay';
  /** a replay's clock, set to each mark's time; live: unused */
  setClock?: (t: number) => void;
  clock: Clock;
  worker: string;
  log: Logger;
  /** without a checkpoint: read the stream after this sequence (a replay: where it ended when the replay began); default 0 */
  startAfterSeq?: number;
  /** a replay's run: marks of other runs are passed over */
  run?: string;
  /** wall ms between checkpoints (at a window's end); default 2000 */
  checkpointEveryMs?: number;
  /**
   * end-to-end acknowledgements to the devices that announced `acks` (acks.ts): wall ms between two
   * batches of confirmations (default 500), and how long a gap in a device's sequence is waited for
   * before what follows it is handed on (default 30,000)
   */
  ackEveryMs?: number;
  /** wall ms without a message, while the stream holds newer ones, before the consumer is made again (nats/reader.ts); default 2,000 */
  consumerStallMs?: number;
  ackGapWaitMs?: number;
  /** a replay mark processed: the runner hears of it (and of the devices commanded) */
  onMark?: (p: number, mark: ReplayMark, helpdesk: Helpdesk) => void;
  /** the partition cannot go on (its database lost or taken over): the worker closes it */
  onFatal: (p: number, err: Error) => void;
}

export interface RunningPartition {
  partition: number;
  helpdesk: Helpdesk;
  /** the stream sequence of the last message handed to the helpdesk */
  lastSeq(): number;
  /** the end-to-end acknowledgement gate: devices, copies dropped, messages held past a gap */
  ackStats(): AckGateStats;
  /** a checkpoint now (between windows), flushed to the database */
  checkpoint(): Promise<void>;
  /** graceful: a last checkpoint, then the stores flushed and the lock released */
  stop(): Promise<void>;
}

export async function openPartition(o: PartitionOptions): Promise<RunningPartition> {
  const p = o.partition;
  const log = o.log.child({ partition: p });
  let store: CheckpointStore | null = null;
  let startSeq = o.startAfterSeq ?? 0;
  let lastSeq = startSeq;
  let reader: PartitionReader | null = null;
  let helpdesk: Helpdesk | null = null;
  let stack: HelpdeskStack | null = null;
  let closed = false;
  const marks: ReplayMark[] = [];
  let lastCheckpointAt = performance.now();
  /** the stream sequence the last checkpoint holds */
  let checkpointSeq = -1;
  const everyMs = o.checkpointEveryMs ?? 2000;
  const gate = new AckGate({ gapWaitMs: o.ackGapWaitMs ?? 30_000 });
  /** the helpdesk's door, once the transport has started */
  let deliver: ((topic: string, data: Uint8Array) => void) | null = null;

  let flushed: () => Promise<void> = () => Promise.resolve();
  /**
   * The state now (never inside advance()): the helpdesk's checkpoint, the marks read but not yet
   * reached, and the last sequence read. Everything read up to it is in there (the ingest's buffer too).
   */
  const writeCheckpoint = (): void => {
    if (!store || !helpdesk) return;
    const cp = helpdesk.checkpoint();
    const state: StoredState = { helpdesk: cp, marks, acks: gate.snapshot(), said };
    store.write({ seq: lastSeq, watermark: Number.isFinite(cp.watermark) ? cp.watermark : 0, state: JSON.stringify(state), worker: o.worker });
    lastCheckpointAt = performance.now();
    checkpointSeq = lastSeq;
  };
  /** a checkpoint, and the database brought to exactly that state (the mirror flushes on demand only) */
  const durable = (): Promise<void> => {
    writeCheckpoint();
    return flushed();
  };

  /** replay: a mark waited for longer than 20 s is logged once, with what is missing (a stall says where) */
  let waitedSince = 0;
  let waitedMark: ReplayMark | undefined;
  const waitingFor = (m: ReplayMark | undefined): void => {
    if (m !== waitedMark) {
      waitedMark = m;
      waitedSince = performance.now();
    } else if (m && waitedSince > 0 && performance.now() - waitedSince > 20_000) {
      waitedSince = 0;
      log.warn({ w: new Date(m.w).toISOString(), expected: m.expected, received: helpdesk?.stats().received, read: lastSeq, acks: gate.stats() }, 'the window\'s end waits for messages the partition has not received');
    }
  };

  /** what connections said, of the messages handed to the helpdesk (a mark counts them apart) */
  let said = 0;
  const reached = (m: ReplayMark, received: number): boolean =>
    m.said === undefined ? received >= m.expected : said >= m.said && received - said >= m.expected - m.said;
  /** replay: advances to every mark whose messages have all arrived */
  const drainMarks = (): void => {
    const h = helpdesk!;
    while (marks.length && reached(marks[0]!, h.stats().received)) {
      const m = marks.shift()!;
      o.setClock?.(m.w);
      h.advance(m.w);
      o.onMark?.(p, m, h);
    }
    if (performance.now() - lastCheckpointAt >= everyMs) void durable().catch(() => undefined);
  };

  const transport: HelpdeskTransport = {
    async start(onMessage) {
      deliver = (topic, data) => {
        if (saidByConnection(topic)) said++;
        onMessage(topic, data);
      };
      reader = await readPartition({
        nc: o.nc, partition: p, after: startSeq, log,
        ...(o.consumerStallMs !== undefined ? { stallMs: o.consumerStallMs } : {}),
        onMessage: (m) => {
          lastSeq = m.seq;
          const topic = topicOfSubject(m.subject);
          if (topic) gate.offer(topic, m.data, performance.now(), deliver!);
          else if (m.subject === markSubject(p)) {
            const mark = m.json<ReplayMark>();
            if (o.run === undefined || mark.run === o.run) marks.push(mark);
          }
          if (o.mode === 'replay' && marks.length) drainMarks();
        },
        onFatal: (err) => {
          if (!closed) o.onFatal(p, err);
        },
      });
    },
    publish: (topic, payload, retain) => o.publish(topic, payload, retain),
    async stop() {
      closed = true;
      reader?.stop();
    },
    abort() {
      closed = true;
      reader?.stop();
    },
  };

  stack = await o.stack({
    extend: ({ path, keep, onStop, flushed: dbFlushed }) => {
      flushed = dbFlushed;
      const s = keep(openCheckpointStore({ path, check: false }));
      store = s;
      onStop(() => s.close());
      const row = s.read();
      if (!row) return {};
      startSeq = row.seq;
      lastSeq = row.seq;
      // the helpdesk is made at the checkpoint's event time, as the one that wrote it was then
      o.setClock?.(row.watermark);
      log.info({ seq: row.seq, by: row.worker, watermark: row.watermark }, 'partition resumes from its checkpoint');
      const state = JSON.parse(row.state) as StoredState;
      marks.push(...state.marks);
      if (state.acks) gate.restore(state.acks, performance.now());
      said = state.said ?? 0;
      return { restore: state.helpdesk };
    },
    // what the helpdesk decided leaves only once the state that decided it is stored: a checkpoint first
    helpdesk: { transport, durable, onFatal: (err) => o.onFatal(p, err) },
  });
  helpdesk = stack.helpdesk;
  // confirmations to the devices that ask for them, batched; and what waited past a gap too long goes on
  const ackTimer = setInterval(() => {
    if (closed || !deliver) return;
    try {
      for (const [topic, payload] of gate.due(performance.now(), o.clock.now(), deliver)) {
        if (o.publishAck) o.publishAck(topic, payload);
        else o.publish(topic, payload, false);
      }
      if (o.mode === 'replay' && marks.length) {
        drainMarks();
        waitingFor(marks[0]);
      }
      // a replay writes its checkpoints at marks; one read since the last checkpoint and no mark for
      // everyMs (the runner paused, a drill waiting for this very checkpoint): written now
      else if (o.mode === 'replay' && lastSeq !== checkpointSeq && performance.now() - lastCheckpointAt >= everyMs) void durable().catch(() => undefined);
    } catch (e) {
      log.error({ err: (e as Error).message }, 'confirming to the devices failed');
    }
  }, o.ackEveryMs ?? 500);
  let timer: NodeJS.Timeout | null = null;
  if (o.mode === 'live') {
    // live: the helpdesk advances every second (stack live); a checkpoint between two of its turns
    timer = setInterval(() => {
      try {
        void durable().catch(() => undefined);
      } catch (e) {
        o.onFatal(p, e as Error);
      }
    }, everyMs);
  }
  log.info({ from: startSeq + 1 }, 'partition served');
  const running: RunningPartition = {
    partition: p,
    helpdesk,
    lastSeq: () => lastSeq,
    ackStats: () => gate.stats(),
    checkpoint: () => durable(),
    async stop() {
      clearInterval(ackTimer);
      if (timer) clearInterval(timer);
      timer = null;
      closed = true;
      reader?.stop();
      try {
        await durable();
      } catch (e) {
        log.error({ err: (e as Error).message }, 'the last checkpoint failed');
      }
      await stack!.stop();
    },
  };
  return running;
}
