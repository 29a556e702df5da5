/**
 * One replay of the `cluster` bench: embedded (one helpdesk, aedes, a SQLite file) or over a NATS
 * cluster (three fresh nats-server nodes, N worker processes, a fresh PostgreSQL database), with its
 * CPU sampled by group of processes, what it stored counted, and, for the drill, the worker serving a
 * partition killed (SIGKILL) mid-replay (watch.ts measures the failover).
 *
 * Rate: the messages the run published over the seconds from the moment its helpdesk side was up
 * (embedded: the helpdesk started; cluster: every partition served) until the report was built, so the
 * workers' start (a Node process each, 10–20 s on a busy machine) is not in it; `startSeconds` says
 * what it was, `wallSeconds` has it.
 *
 * Each cluster run gets NATS nodes of its own: nothing of an earlier run (its stream, its MQTT
 * sessions) is on them, and the CPU of its nodes is its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster } from '../../cluster/nats/local-cluster.js';
import { VirtualClock } from '../../contracts/clock.js';
import { createLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import type { Report } from '../../scenarios/report.js';
import { replay, type ReplayResult } from '../../scenarios/runner.js';
import { clusterCounts, sqliteCounts, type StoredCounts } from './counts.js';
import { sampleCpu, withDescendants, type CpuShares } from './cpu.js';
import type { ThrowawayPostgres } from '../../stack/throwaway-postgres.js';
import { watchCluster } from './watch.js';

export interface RunFigures {
  report: Report;
  /** from the helpdesk side up to the report built */
  seconds: number;
  messagesPerSecond: number;
  /** the whole replay, start included */
  wallSeconds: number;
  startSeconds: number;
  cpu: CpuShares;
  stored: StoredCounts;
}

export interface ClusterRunFigures extends RunFigures {
  /** partitions per worker halfway through the day (the drill: at the kill), largest first ("2+2") */
  split: string;
  /** the drill: seconds from the kill until the partition answered a later mark, and until another worker served it */
  failover?: { markSeconds: number | null; servedSeconds: number | null };
}

export interface ClusterRunOptions {
  file: string;
  label: string;
  pg: ThrowawayPostgres;
  partitions: number;
  workers: number;
  /** the drill: kill -9 the worker serving `partition` once `atFraction` of the day is replayed */
  kill?: { partition: number; atFraction: number };
}

/** a window that takes this long is a stall (EVN_ERR_REPLAY_STALLED), not a slow machine */
const STALL_MS = 60_000;

/** a line on stderr every tenth of the day (stdout stays the one JSON object) */
function progress(label: string, also?: (done: number, total: number) => void): (done: number, total: number) => void {
  const t0 = performance.now();
  let shown = 0;
  return (done, total) => {
    also?.(done, total);
    if (done / total < (shown + 1) / 10) return;
    shown = Math.floor((done / total) * 10);
    process.stderr.write(`bench cluster: ${label}: ${shown * 10} % of the day after ${Math.round((performance.now() - t0) / 1000)} s\n`);
  };
}

function runPieces(file: string) {
  const scenario = loadScenario(file);
  const clock = new VirtualClock(scenario.startMs);
  return { scenario, clock, log: createLogger({ clock, level: 'error' }) };
}

/** the timing of one replay: the helpdesk side up (and the CPU sampler started), the report built */
function timing(groups: Parameters<typeof sampleCpu>[0]) {
  const t0 = performance.now();
  const t = { up: 0, end: 0, cpu: null as ReturnType<typeof sampleCpu> | null, shares: null as CpuShares | null };
  return {
    up() {
      t.up = performance.now();
      t.cpu = sampleCpu(groups);
    },
    end() {
      t.end = performance.now();
      t.shares = t.cpu?.stop() ?? null;
    },
    figures(r: ReplayResult) {
      const seconds = (t.end - t.up) / 1000;
      return {
        report: r.report, seconds, messagesPerSecond: r.report.messages.published / seconds, wallSeconds: r.wall.seconds, startSeconds: (t.up - t0) / 1000,
        cpu: t.shares!,
      };
    },
  };
}

/** the same scenario embedded: one helpdesk on aedes, its stores in a SQLite file */
export async function runEmbedded(file: string): Promise<RunFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'evernet-bench-cluster-'));
  try {
    const db = join(dir, 'embedded.db');
    const time = timing({ runner: () => [process.pid] });
    const r = await replay({ ...runPieces(file), dbPath: db, stallTimeoutMs: STALL_MS, onProgress: progress('embedded'), onHelpdesk: () => time.up(), onReplayed: () => time.end() });
    return { ...time.figures(r), stored: sqliteCounts(db) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runOnCluster(o: ClusterRunOptions): Promise<ClusterRunFigures> {
  const nats = await startLocalCluster({ nodes: 3, partitions: o.partitions });
  const watch = await watchCluster(nats.natsUrls);
  try {
    const db = await o.pg.createDatabase(`bench_${o.label}`);
    const pieces = runPieces(o.file);
    // set from callbacks: one object, so the compiler does not narrow them to their first values
    const at = { ids: [] as string[], pids: [] as number[], split: '', killed: false };
    const time = timing({
      nats: () => nats.nodes.flatMap((n) => (n.pid === null ? [] : [n.pid])),
      runner: () => [process.pid],
      workers: () => at.pids.flatMap((p) => withDescendants(p)),
      postgres: () => {
        const pid = o.pg.pid();
        return pid === null ? [] : withDescendants(pid);
      },
    });
    const onProgress = progress(o.label, (done, total) => {
      const half = o.kill?.atFraction ?? 0.5;
      if (done / total < half || at.split) return;
      if (o.kill) {
        // the partition's owner now (a partition moves once at the start: the first worker serves all until the next one is up)
        const owner = watch.ownerOf(o.kill.partition);
        const pid = owner === undefined ? undefined : at.pids[at.ids.indexOf(owner)];
        if (owner === undefined || pid === undefined) return; // moving right now: the next window
        at.split = watch.split(at.ids);
        process.kill(pid, 'SIGKILL');
        watch.killed(o.kill.partition, owner, pieces.scenario.startMs + done);
        process.stderr.write(`bench cluster: ${o.label}: killed worker ${pid} (serving partition ${o.kill.partition}; split ${at.split}) at ${Math.round((done / total) * 100)} % of the day\n`);
      } else at.split = watch.split(at.ids);
    });
    const r = await replay({
      ...pieces,
      stallTimeoutMs: STALL_MS,
      onProgress,
      onReplayed: () => time.end(),
      cluster: {
        natsUrls: nats.natsUrls, mqttUrls: nats.mqttUrls, db, partitions: o.partitions, workers: o.workers,
        onStarted: ({ ids, pids }) => {
          at.ids = ids;
          at.pids = pids;
          time.up();
        },
      },
    });
    return { ...time.figures(r), stored: await clusterCounts(db, o.partitions), split: at.split, ...(o.kill ? { failover: watch.failover() } : {}) };
  } finally {
    await watch.close();
    await nats.stop();
  }
}
