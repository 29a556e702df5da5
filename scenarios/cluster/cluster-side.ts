/**
 * A replay's helpdesk on a NATS cluster (docs/scale.md): helpdesk workers started here (worker-main.ts),
 * each serving its share of the partitions; the runner talks to the partitions, not to the workers.
 *
 * A window's end: the runner publishes a mark into every partition's stream (the window's end and how
 * many messages the partition has been sent by then) and waits until every partition says it has
 * processed it. The partition advances once it has received that many — wherever the devices' messages
 * entered the cluster and in whatever order they reached the stream — so it decides what the embedded
 * helpdesk decides. A partition whose worker dies is resumed by another from its last checkpoint: the
 * runner waits (up to the stall timeout) and carries on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { connectCluster } from '../../cluster/nats/connect.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { markSubject, type ReplayMark } from '../../cluster/partition.js';
import { heartbeatSubject, ownerOf } from '../../cluster/worker.js';
import { partitionOf } from '../../contracts/index.js';
import type { BookingRecord } from '../../helpdesk/bookings/store.js';
import type { Ticket } from '../../helpdesk/tickets/lifecycle.js';
import { profilingFlags } from '../engine/control.js';
import type { ReplayOutcome, ReplaySide, ReplayStats } from '../replay-side.js';
import { mergeOutcomes } from './outcome.js';
import type { ReportSeries } from '../report-html/collect.js';
import { mergeSeries, SERIES_PARTS, type SeriesPage, type SeriesQuery } from './series.js';
import { replaySubjects, type MarkDone, type WorkerStart } from './protocol.js';

const WORKER_MAIN = fileURLToPath(new URL('./worker-main.ts', import.meta.url));

export interface ClusterReplayOptions {
  /** the cluster's NATS URLs (any of them will do) */
  natsUrls: readonly string[];
  /** the cluster's MQTT listeners: the devices connect to them, spread by customer */
  mqttUrls: readonly string[];
  /** the PostgreSQL database the partitions keep their data in (a schema each) */
  db: string;
  /** the cluster's partition count (the stream's: EVN_ERR_CLUSTER_PARTITIONS otherwise) */
  partitions: number;
  /** helpdesk worker processes to start; default 2 */
  workers?: number;
  /** ms without a heartbeat before a worker is taken for dead; default 3000 */
  deadAfterMs?: number;
  /** wall ms between a partition's checkpoints; default 2000 */
  checkpointEveryMs?: number;
  /** the workers answer a cluster view (a dashboard's, ClusterSide.group); default not */
  view?: boolean;
  /** told the workers' ids and process ids once they serve every partition, and who serves which (drills) */
  onStarted?: (info: { ids: string[]; pids: number[]; owners: Map<number, string> }) => void;
}

export interface ClusterSide {
  side: ReplaySide;
  /** the runner's connection to the cluster */
  nc: NatsConnection;
  /** the workers' group (the run): a cluster view of this replay asks under it */
  group: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startClusterSide(o: ClusterReplayOptions & { file: string; seed: number; log: Logger; logLevel: string }): Promise<ClusterSide> {
  const P = o.partitions;
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const nc: NatsConnection = await connectCluster([...o.natsUrls], { name: `evernet-replay-${run}`, log: o.log });
  const children: ChildProcess[] = [];
  const ids: string[] = [];
  // a worker killed by a signal (a drill) has no exit code but a signal code: it is gone too
  const running = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;
  const stop = async (): Promise<void> => {
    for (const c of children) if (running(c)) c.stdin?.end();
    // a last checkpoint each, then gone; one that hangs is killed after 15 s
    const killer = setTimeout(() => children.forEach((c) => running(c) && c.kill('SIGKILL')), 15_000);
    await Promise.all(children.map((c) => (running(c) ? new Promise((r) => c.once('exit', r)) : null)));
    clearTimeout(killer);
    await nc.drain().catch(() => undefined);
  };
  try {
    // what the stream holds already is another run's: this run's partitions start after it
    const startAfterSeq = (await ensurePartitionStream(nc, { partitions: P })).state.last_seq;
    // who serves what, from the workers' heartbeats
    const owners = new Map<number, { worker: string; at: number }>();
    const hb = nc.subscribe(heartbeatSubject(run), {
      callback: (err, m) => {
        if (err) return;
        const { worker, owned } = m.json<{ worker: string; owned: number[] }>();
        for (const p of owned) owners.set(p, { worker, at: Date.now() });
      },
    });
    // the workers start together, so that none takes every partition only to hand most back
    const firsts: Array<Promise<{ ready?: boolean; error?: { code: string; message: string } }>> = [];
    for (let i = 0; i < (o.workers ?? 2); i++) {
      ids.push(`${run}-w${i}`);
      const start: WorkerStart = {
        file: o.file, seed: o.seed, id: ids[i]!, run, startAfterSeq, natsUrls: [...o.natsUrls], mqttUrls: [...o.mqttUrls], db: o.db, partitions: P, logLevel: o.logLevel,
        ...(o.deadAfterMs ? { deadAfterMs: o.deadAfterMs } : {}), ...(o.checkpointEveryMs ? { checkpointEveryMs: o.checkpointEveryMs } : {}),
        ...(o.view ? { view: true } : {}),
      };
      const c = spawn(process.execPath, [...profilingFlags(), '--import', 'tsx', WORKER_MAIN, JSON.stringify(start)], { stdio: ['pipe', 'pipe', 'inherit'] });
      children.push(c);
      firsts.push(
        new Promise((resolve) => {
          let buf = '';
          c.stdout!.on('data', (d: Buffer) => {
            buf += d.toString();
            const nl = buf.indexOf('\n');
            if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
          });
          c.once('exit', (code) => resolve({ error: { code: 'EVN_ERR_INTERNAL', message: `the worker exited with ${code} before it was ready` } }));
          // a worker that hangs while it opens its connections is not waited for past a minute
          setTimeout(() => resolve({ error: { code: 'EVN_ERR_REPLAY_STALLED', message: `EVN_ERR_REPLAY_STALLED: helpdesk worker ${i} was not ready within 60 s` } }), 60_000).unref();
        }),
      );
    }
    const failed = (await Promise.all(firsts)).find((f) => f.error);
    if (failed?.error) throw Object.assign(new Error(failed.error.message), { code: failed.error.code });
    // every partition served by the worker the share gives it, before the first device speaks: the
    // replay starts on the layout it will keep (unless a worker dies)
    const deadline = Date.now() + 60_000;
    const settled = (): boolean => [...Array(P).keys()].every((p) => owners.get(p)?.worker === ownerOf(p, ids));
    while (!settled()) {
      if (Date.now() > deadline) throw new Error(`the partitions are not served as shared after 60 s: ${[...owners].map(([p, v]) => `${p}: ${v.worker}`).join(', ')}`);
      await sleep(100);
    }
    hb.unsubscribe();
    o.onStarted?.({ ids, pids: children.map((c) => c.pid!), owners: new Map([...owners].map(([p, v]) => [p, v.worker])) });
  } catch (e) {
    await stop();
    throw e;
  }

  const subjects = replaySubjects(run);
  const done = new Map<number, MarkDone>();
  let commanded = new Map<string, number>();
  let waiting: { w: number; resolve: () => void } | null = null;
  nc.subscribe(subjects.done, {
    callback: (err, m) => {
      if (err) return;
      const d = m.json<MarkDone>();
      const prev = done.get(d.p);
      // a partition resumed by another worker processes its marks again from its checkpoint: the latest counts
      if (prev && prev.w > d.w) return;
      done.set(d.p, d);
      for (const [k, n] of d.commanded) commanded.set(k, Math.max(n, commanded.get(k) ?? 0));
      if (waiting && [...Array(P).keys()].every((p) => (done.get(p)?.w ?? -Infinity) >= waiting!.w)) waiting.resolve();
    },
  });

  const request = async <T>(subject: string, body: unknown, stallMs: number): Promise<T> => {
    const until = Date.now() + stallMs;
    for (;;) {
      try {
        const m = await nc.request(subject, JSON.stringify(body), { timeout: 2000 });
        return m.json<T>();
      } catch (e) {
        // no one serves the partition right now (a takeover): asked again
        if (Date.now() > until) throw new Error(`no answer on ${subject}: ${(e as Error).message}`, { cause: e });
        await sleep(200);
      }
    }
  };

  /**
   * A mark into partition p's stream, without waiting for the stream's answer (a round trip a window
   * saved); `window` publishes it again every 2 s while the partition has not processed it (a stream
   * electing a new leader drops what it is sent meanwhile). The message id makes every copy one mark.
   */
  const publishMark = (p: number, mark: ReplayMark): void => {
    const h = headers();
    h.set('Nats-Msg-Id', `${run}-${p}-${mark.w}`);
    nc.publish(markSubject(p), JSON.stringify(mark), { headers: h });
  };

  const side: ReplaySide = {
    takeCommanded() {
      const out = [...commanded];
      commanded = new Map();
      return out;
    },
    async window(to, sent, stallMs) {
      const by = sent.by(P);
      const reached = new Promise<void>((resolve) => (waiting = { w: to, resolve }));
      const marks = by.all.map((expected, p): ReplayMark => ({ run, w: to, expected, said: by.said[p]! }));
      marks.forEach((m, p) => publishMark(p, m));
      const again = setInterval(() => marks.forEach((m, p) => (done.get(p)?.w ?? -Infinity) < to && publishMark(p, m)), 2000);
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const behind = [...Array(P).keys()].filter((p) => (done.get(p)?.w ?? -Infinity) < to);
          reject(Object.assign(new Error(`EVN_ERR_REPLAY_STALLED: partitions ${behind.join(', ')} did not process ${new Date(to).toISOString()} within ${stallMs / 1000} s`), { code: 'EVN_ERR_REPLAY_STALLED' }));
        }, stallMs);
      });
      try {
        await Promise.race([reached, stalled]);
      } finally {
        clearTimeout(timer);
        clearInterval(again);
        waiting = null;
      }
    },
    async lookups(customerId) {
      const r = await request<{ tickets: Ticket[]; bookings: Array<[string, BookingRecord | null]> }>(subjects.lookup(partitionOf(customerId, P)), { customerId }, 30_000);
      const bookings = new Map(r.bookings);
      return { tickets: () => r.tickets, bookingOf: (id: string) => bookings.get(id) ?? null };
    },
    stats(): ReplayStats {
      const out: ReplayStats = { received: 0, accepted: 0, rejected: 0, duplicates: 0, gaps: 0, byCode: {}, published: 0 };
      for (const d of done.values()) {
        for (const k of ['received', 'accepted', 'rejected', 'duplicates', 'gaps', 'published'] as const) out[k] += d.stats[k];
        for (const [c, n] of Object.entries(d.stats.byCode)) out.byCode[c as keyof ReplayStats['byCode']] = (out.byCode[c as keyof ReplayStats['byCode']] ?? 0) + n;
      }
      return out;
    },
    commandCount: () => [...done.values()].reduce((n, d) => n + d.commandCount, 0),
    async outcome() {
      const parts: ReplayOutcome[] = [];
      for (let p = 0; p < P; p++) parts.push(await request<ReplayOutcome>(subjects.outcome(p), {}, 30_000));
      return mergeOutcomes(parts);
    },
    async series({ customers, order }) {
      const parts: ReportSeries[] = [];
      for (let p = 0; p < P; p++) {
        const part: ReportSeries = { devices: [], incidents: [], loads: [] };
        for (const what of SERIES_PARTS) {
          for (let offset: number | null = 0; offset !== null; ) {
            const q: SeriesQuery = { part: what, offset, ...(customers ? { customers: [...customers] } : {}) };
            const page: SeriesPage = await request<SeriesPage>(subjects.series(p), q, 30_000);
            (part[what] as unknown[]).push(...page.items);
            offset = page.next;
          }
        }
        parts.push(part);
      }
      return mergeSeries(parts, order);
    },
  };
  return { side, nc, group: run, stop };
}
