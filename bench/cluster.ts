/**
 * Group `cluster` (`npm run bench -- cluster [--homes N]`, default 30 homes): a day of a small fleet
 * (bench/fleet-scenario.ts: scenarios/fleet-100.yaml's templates, reporting by exception with a
 * 15-minute heartbeat, one-minute windows) replayed four times in one run (docs/scale.md, "Figures"):
 *
 *   1. embedded: one helpdesk, aedes, a SQLite file (the baseline);
 *   2. over three nats-server nodes, 4 partitions, 1 helpdesk worker, PostgreSQL;
 *   3. the same with 2 workers (the main run, `cluster.workers`);
 *   4. the drill: 2 workers, and the one serving the partition with the most devices killed (SIGKILL)
 *      halfway through the day.
 *
 * Each cluster run has nats-server nodes and a PostgreSQL database of its own (one PostgreSQL server).
 *
 *   cluster.embeddedMessagesPerSecond         messages published / seconds from the helpdesk side up (embedded:
 *   cluster.messagesPerSecond.w1 / .w2        the helpdesk started; cluster: every partition served) to the
 *                                             report (run.ts); the workers' start is cluster.startSeconds.*
 *   cluster.ratio.w1 / .w2 / .w2VsW1          against the embedded run, and 2 workers against 1
 *   cluster.msPerWindow.*                     those seconds per window of the replay
 *   cluster.failoverSeconds                   the drill: from the kill until that partition answers a later mark
 *                                             (taken over, resumed from its checkpoint, caught up); ...ServedSeconds:
 *                                             until another worker's heartbeat lists it (watch.ts)
 *   cluster.lost                              readings (telemetry_raw rows over every partition's schema) the
 *                                             drill stored fewer than the undisturbed 2-worker run (must be 0)
 *   cluster.duplicateTickets                  in the drill's PostgreSQL: tickets beyond the first of an incident key,
 *                                             plus tickets beyond the undisturbed run's count (must be 0)
 *   cluster.sameReport                        runs 2, 3 and 4 decided what run 1 did (tickets, loads, shopping,
 *                                             offers, contacts, bookings, satisfaction, faults)
 *   cluster.cpu.w1.* / .w2.*                  each group of processes' share of the machine (cores × seconds):
 *                                             nats, runner, workers, postgres, other (everyone else), busy
 *   cluster.limits                            what limits the rate, in words, from the 2-worker run's shares
 */
import { cpus } from 'node:os';
import { findNatsServer } from '../cluster/nats/local-cluster.js';
import { partitionOf } from '../contracts/index.js';
import { round } from '../contracts/round.js';
import { loadScenario } from '../scenarios/load.js';
import { cpuShares, differences, limitsText } from './cluster/figures.js';
import { findPostgres, startThrowawayPostgres } from '../stack/throwaway-postgres.js';
import { runEmbedded, runOnCluster, type ClusterRunFigures, type RunFigures } from './cluster/run.js';
import { writeFleetScenario } from './fleet-scenario.js';

export const CLUSTER_DEFAULT_HOMES = 30;
const PARTITIONS = 4;
const WORKERS = 2;

export type ClusterFigures = Record<string, number | string | boolean | null>;

export interface ClusterBenchOptions {
  /** homes of the generated fleet; default 30 */
  homes?: number;
  /** the generated fleet's window (s); default 60. The test's tiny run takes longer ones: fewer round trips */
  windowS?: number;
  /** a scenario file to replay instead of the generated fleet */
  file?: string;
}

export async function benchCluster(o: ClusterBenchOptions = {}): Promise<ClusterFigures> {
  // the whole bench (every group) still runs where the binaries are absent: the group says why it has no figures
  const missing = [findNatsServer() ? null : 'nats-server', findPostgres() ? null : 'postgresql'].filter(Boolean);
  if (missing.length) {
    process.stderr.write(`bench cluster: skipped: ${missing.join(' and ')} not installed (Debian: apt-get install ${missing.join(' ')})\n`);
    return { 'cluster.skipped': `${missing.join(' and ')} not installed` };
  }
  // a generated fleet's file is read by every run's processes, and removed after the last
  const written = o.file ? null : writeFleetScenario({ homes: o.homes ?? CLUSTER_DEFAULT_HOMES, ...(o.windowS ? { windowS: o.windowS } : {}) });
  const file = o.file ?? written!.file;
  const scenario = loadScenario(file);
  const homes = new Set(scenario.devices.map((d) => d.customerId)).size;
  const windows = Math.ceil((scenario.endMs - scenario.startMs) / (scenario.scenario.windowS * 1000));
  // the drill's partition: the one with the most devices
  const perPartition = new Array<number>(PARTITIONS).fill(0);
  for (const d of scenario.devices) perPartition[partitionOf(d.customerId, PARTITIONS)]!++;
  const victim = perPartition.indexOf(Math.max(...perPartition));

  const pg = await startThrowawayPostgres({ maxConnections: 60, prefix: 'evernet-bench-pg-' });
  let embedded: RunFigures;
  let w1: ClusterRunFigures;
  let w2: ClusterRunFigures;
  let drill: ClusterRunFigures;
  let attemptsW2 = 1;
  try {
    embedded = await runEmbedded(file);
    w1 = await runOnCluster({ file, label: 'w1', pg, partitions: PARTITIONS, workers: 1 });
    // the share is a hash of the workers' names, new each run: one worker in 8 runs gets every partition, and
    // such a run measures one worker; it is run again (twice at most) and cluster.attempts.w2 says so
    w2 = await runOnCluster({ file, label: 'w2', pg, partitions: PARTITIONS, workers: WORKERS });
    while (w2.split.split('+').includes('0') && attemptsW2 < 3) {
      process.stderr.write(`bench cluster: w2: one worker served every partition (${w2.split}): run again\n`);
      attemptsW2++;
      w2 = await runOnCluster({ file, label: `w2_${attemptsW2}`, pg, partitions: PARTITIONS, workers: WORKERS });
    }
    drill = await runOnCluster({ file, label: 'failover', pg, partitions: PARTITIONS, workers: WORKERS, kill: { partition: victim, atFraction: 0.5 } });
  } finally {
    pg.stop();
    written?.remove();
  }

  const differ = { w1: differences(embedded.report, w1.report), w2: differences(embedded.report, w2.report), failover: differences(embedded.report, drill.report) };
  for (const [run, parts] of Object.entries(differ)) {
    if (parts.length) process.stderr.write(`bench cluster: the ${run} run decided differently from the embedded run in: ${parts.join(', ')}\n`);
  }
  const msPerWindow = (r: RunFigures): number => round((r.seconds * 1000) / windows, 1);
  const shares = (r: RunFigures, key: string) => Object.fromEntries(Object.entries(cpuShares(r.cpu)).map(([g, v]) => [`cluster.cpu.${key}.${g}`, v]));
  const seconds = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : round(x, 2));
  return {
    'cluster.homes': homes,
    'cluster.devices': scenario.devices.length,
    'cluster.windows': windows,
    'cluster.messages': embedded.report.messages.published,
    'cluster.nodes': 3,
    'cluster.partitions': PARTITIONS,
    'cluster.workers': WORKERS,
    'cluster.embeddedMessagesPerSecond': Math.round(embedded.messagesPerSecond),
    'cluster.messagesPerSecond.w1': Math.round(w1.messagesPerSecond),
    'cluster.messagesPerSecond.w2': Math.round(w2.messagesPerSecond),
    'cluster.ratio.w1': round(w1.messagesPerSecond / embedded.messagesPerSecond, 3),
    'cluster.ratio.w2': round(w2.messagesPerSecond / embedded.messagesPerSecond, 3),
    'cluster.ratio.w2VsW1': round(w2.messagesPerSecond / w1.messagesPerSecond, 3),
    'cluster.msPerWindow.embedded': msPerWindow(embedded),
    'cluster.msPerWindow.w1': msPerWindow(w1),
    'cluster.msPerWindow.w2': msPerWindow(w2),
    'cluster.startSeconds.embedded': round(embedded.startSeconds, 1),
    'cluster.startSeconds.w1': round(w1.startSeconds, 1),
    'cluster.startSeconds.w2': round(w2.startSeconds, 1),
    'cluster.wallSeconds.embedded': round(embedded.wallSeconds, 1),
    'cluster.wallSeconds.w1': round(w1.wallSeconds, 1),
    'cluster.wallSeconds.w2': round(w2.wallSeconds, 1),
    'cluster.split.w2': w2.split,
    'cluster.attempts.w2': attemptsW2,
    'cluster.failoverPartition': victim,
    'cluster.split.failover': drill.split,
    'cluster.failoverSeconds': seconds(drill.failover?.markSeconds),
    'cluster.failoverServedSeconds': seconds(drill.failover?.servedSeconds),
    'cluster.readings.embedded': embedded.stored.readings,
    'cluster.readings.w2': w2.stored.readings,
    'cluster.readings.failover': drill.stored.readings,
    'cluster.lost': Math.max(0, w2.stored.readings - drill.stored.readings),
    'cluster.tickets': embedded.report.tickets.length,
    'cluster.duplicateTickets': drill.stored.duplicateTickets + Math.max(0, drill.stored.tickets - w2.stored.tickets),
    'cluster.gaps.failover': drill.report.messages.gaps,
    'cluster.sameReport': Object.values(differ).every((d) => d.length === 0),
    ...shares(w1, 'w1'),
    ...shares(w2, 'w2'),
    'cluster.limits': limitsText(w2.cpu, cpus().length, msPerWindow(w2)),
    // who the `other` CPU was (processes that started during the run count from 0: their whole life)
    'cluster.cpu.w2.otherTop': w2.cpu.others.map((x) => `${x.command} ${round(x.seconds, 1)} s`).join('; '),
  };
}
