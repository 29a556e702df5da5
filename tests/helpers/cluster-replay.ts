/**
 * Replays for the cluster tests: one scenario, embedded or over a cluster (scenarios/runner.ts
 * `cluster`), and what a cluster run must decide as the embedded helpdesk does.
 */
import { VirtualClock } from '../../contracts/clock.js';
import { createLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import type { Report } from '../../scenarios/report.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, expect } from 'vitest';
import { connectCluster } from '../../cluster/nats/connect.js';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { natsAvailable, natsSkipReason } from './nats.js';
import { pgBinaries, startTestPostgres, type TestPostgres } from './postgres.js';

/**
 * A test that replays the day in 2020 over the cluster: 30 minutes. About 2 minutes as a rule; a cluster
 * whose one node leads both `$MQTT_msgs` and `EVERNET` took MQTT publishes several times slower
 * (docs/scale.md, "Surprises of nats-server 2.9.10"), and a replay on one moved at a tenth of its pace
 * without stalling. The workers move one of the leaders now, once, when a replay starts; a node killed
 * under a replay can put them together again for the rest of it.
 */
export const CLUSTER_DAY_TIMEOUT_MS = 1_800_000;
/** how long a replay here waits for a window's acknowledgements before it fails as stalled */
export const STALL_TIMEOUT_MS = 60_000;

/** nats-server and PostgreSQL are both installed */
export const clusterReady = natsAvailable && pgBinaries !== null;
/** '' when clusterReady, else why the suite is skipped */
export const clusterSkipReason = !natsAvailable ? natsSkipReason : pgBinaries ? '' : ' (skipped: PostgreSQL is not installed)';

/**
 * Three nats-server nodes (4 partitions) and a PostgreSQL for the describe block it is called in:
 * started before its tests, stopped after them
 */
export function useClusterAndPostgres(): { pg: () => TestPostgres; nats: () => LocalCluster } {
  let pg: TestPostgres | undefined;
  let nats: LocalCluster | undefined;
  beforeAll(async () => {
    [pg, nats] = await Promise.all([startTestPostgres(), startLocalCluster({ nodes: 3, partitions: 4 })]);
  }, 120_000);
  afterAll(async () => {
    await nats?.stop();
    pg?.stop();
  });
  return { pg: () => pg!, nats: () => nats! };
}

/** the report of one replay; `onProgress` hears each window's end in event time (a returned promise pauses the replay) */
export async function replayReport(file: string, seed: number, cluster?: Parameters<typeof replay>[0]['cluster'], onProgress?: (t: number) => void | Promise<void>, hosts?: number): Promise<Report> {
  return (await replayWithSeries(file, seed, cluster, onProgress, false, hosts)).report;
}

/** the report of one replay and, unless told not to, the HTML report's series */
export async function replayWithSeries(file: string, seed: number, cluster?: Parameters<typeof replay>[0]['cluster'], onProgress?: (t: number) => void | Promise<void>, collectSeries = true, hosts?: number) {
  const scenario = loadScenario(file);
  const clock = new VirtualClock(scenario.startMs);
  // warnings too: a cluster replay says what it retried and what it let go (a hang in CI would say where)
  const log = createLogger({ clock, level: 'warn' });
  return replay({ scenario, log, clock, seed, collectSeries, ...(cluster ? { cluster } : {}), ...(hosts !== undefined ? { hosts } : {}), stallTimeoutMs: STALL_TIMEOUT_MS, ...(onProgress ? { onProgress: (d) => onProgress(scenario.startMs + d) } : {}) });
}

/**
 * What the cluster must decide as the embedded helpdesk does. Command ids are the one difference: each
 * partition numbers its own commands (`c-<session>-p<N>-<n>`), one helpdesk numbers them all, so they
 * are compared as `c-#`.
 */
export const decisions = (r: Report) =>
  JSON.parse(
    JSON.stringify({ tickets: r.tickets, problems: r.problems, loads: r.loads, shopping: r.shopping, offers: r.offers, contacts: r.contacts, bookings: r.bookings, satisfaction: r.satisfaction, faults: r.faults }).replace(/"c-[a-z0-9]+(-p\d+)?-\d+"/g, '"c-#"'),
  ) as unknown;

/**
 * A replay over the cluster with the node that leads `stream` killed (kill -9) once event time reaches
 * `at`: the report, and the node killed
 */
export async function replayWithNodeKilled(file: string, seed: number, o: { nats: LocalCluster; db: string; stream: string; at: number }): Promise<{ report: Report; killed: string | null }> {
  const nc = await connectCluster(o.nats.natsUrls, { name: 'replay-node-kill' });
  let killed: string | null = null;
  try {
    const report = await replayReport(file, seed, { natsUrls: o.nats.natsUrls, mqttUrls: o.nats.mqttUrls, db: o.db, partitions: 4, workers: 2 }, async (t) => {
      if (t < o.at || killed) return;
      const leader = (await (await jetstreamManager(nc)).streams.info(o.stream)).cluster?.leader;
      const i = o.nats.nodes.findIndex((n) => n.name === leader);
      if (i < 0) throw new Error(`no node leads ${o.stream} (${leader})`);
      killed = leader!;
      await o.nats.kill(i);
    });
    return { report, killed };
  } finally {
    await nc.close();
  }
}

/** what a replay over the cluster keeps through a fault: the embedded run's decisions, no gap, nothing counted twice, the same rejections */
export function expectAsEmbedded(clustered: Report, embedded: Report): void {
  expect(decisions(clustered)).toEqual(decisions(embedded));
  expect(clustered.messages.gaps).toBe(0);
  expect(clustered.messages.duplicates).toBe(0);
  expect(clustered.messages.rejected).toBe(embedded.messages.rejected);
}
