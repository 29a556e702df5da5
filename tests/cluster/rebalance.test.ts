/**
 * A worker joining a running one (cluster/worker.ts): the running worker hands the newcomer its share a
 * few partitions at a time (`maxReleasing`), each unserved only while it moves, and afterwards the two
 * serve every partition once. One NATS node with 8 partitions and PostgreSQL on loopback; skipped
 * without nats-server or PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../cluster/nats/connect.js';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { ownerOf, startWorker, type RunningWorker, type WorkerOptions } from '../../cluster/worker.js';
import { realClock } from '../../contracts/index.js';
import { createLogger } from '../../log/logger.js';
import { clusterReady, clusterSkipReason } from '../helpers/cluster-replay.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { until } from '../helpers/until.js';

const P = 8;

/** two worker names of which the second's share of the 8 partitions is at least 3 */
function workerIds(): [string, string] {
  for (let i = 0; ; i++) {
    const ids: [string, string] = [`rb-a${i}`, `rb-b${i}`];
    if ([...Array(P).keys()].filter((p) => ownerOf(p, ids) === ids[1]).length >= 3) return ids;
  }
}

describe.skipIf(!clusterReady)(`a worker joining a running one${clusterSkipReason}`, () => {
  let pg: TestPostgres;
  let nats: LocalCluster;
  const workers: RunningWorker[] = [];
  beforeAll(async () => {
    [pg, nats] = await Promise.all([startTestPostgres(), startLocalCluster({ nodes: 1, partitions: P })]);
    const nc = await connectCluster(nats.natsUrls);
    await ensurePartitionStream(nc, { partitions: P });
    await nc.close();
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    await nats?.stop();
    pg?.stop();
  });

  it('is handed its share one partition at a time with maxReleasing 1, then the two serve every partition once', async () => {
    const log = createLogger({ clock: realClock, level: 'error' });
    const db = await pg.createDatabase('rebalance');
    const base: Omit<WorkerOptions, 'id'> = {
      natsUrls: nats.natsUrls, mqttUrls: nats.mqttUrls, partitions: P, db, mode: 'live', clock: realClock, log,
      stackOptions: () => ({ clock: realClock, log, registry: { mode: 'trust-broker' } }),
    };
    const [a, b] = workerIds();
    const wa = await startWorker({ ...base, id: a, maxReleasing: 1 });
    workers.push(wa);
    await until(() => wa.owned().length === P, 30_000, () => `${a} serves ${wa.owned().join(',')}`);
    // what the running worker serves, looked at every few ms while the newcomer joins
    const counts: number[] = [];
    const look = setInterval(() => counts.push(wa.owned().length), 5);
    try {
      const wb = await startWorker({ ...base, id: b });
      workers.push(wb);
      const share = [...Array(P).keys()].filter((p) => ownerOf(p, [a, b]) === b);
      await until(() => wb.owned().join() === share.join(), 30_000, () => `${b} serves ${wb.owned().join(',')} of ${share.join(',')}`);
      await until(() => wa.owned().length === P - share.length, 10_000, () => `${a} serves ${wa.owned().join(',')}`);
      counts.push(wa.owned().length);
    } finally {
      clearInterval(look);
    }
    // one partition at a time: every step down is a step of one, and the steps are apart
    const steps = counts.flatMap((n, i) => (i > 0 && n !== counts[i - 1] ? [counts[i - 1]! - n] : []));
    expect(steps).toEqual(Array(steps.length).fill(1));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    const both = [...wa.owned(), ...workers[1]!.owned()].sort((x, y) => x - y);
    expect(both).toEqual([...Array(P).keys()]);
  }, 120_000);
});
