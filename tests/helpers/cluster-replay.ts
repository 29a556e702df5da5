/**
 * Replays for the cluster tests: one scenario, embedded or over a cluster (scenarios/runner.ts
 * `cluster`), and what a cluster run must decide as the embedded helpdesk does.
 */
import { VirtualClock } from '../../contracts/clock.js';
import { createLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import type { Report } from '../../scenarios/report.js';
import { afterAll, beforeAll } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { natsAvailable, natsSkipReason } from './nats.js';
import { pgBinaries, startTestPostgres, type TestPostgres } from './postgres.js';

/**
 * A test that replays the day in 2020 over the cluster: 30 minutes. About 2 minutes as a rule, but some
 * fresh nats-server clusters take MQTT publishes several times slower for their whole life
 * (docs/scale.md, "Surprises of nats-server 2.9.10"): a replay on one then moves at a tenth of its pace
 * and is not stalled (each window's stall timeout still holds)
 */
export const CLUSTER_DAY_TIMEOUT_MS = 1_800_000;

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
  return replay({ scenario, log, clock, seed, collectSeries, ...(cluster ? { cluster } : {}), ...(hosts !== undefined ? { hosts } : {}), stallTimeoutMs: 60_000, ...(onProgress ? { onProgress: (d) => onProgress(scenario.startMs + d) } : {}) });
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
