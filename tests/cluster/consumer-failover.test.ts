/**
 * A partition's stream consumer on a NATS node that is killed (cluster/partition.ts). nats.js makes an
 * ordered consumer with one replica on one node of the stream; when that node dies nothing moves it,
 * and the library neither makes it again (it waits for "consumer not found", and gets timeouts) nor,
 * when its own connection was on that node, keeps checking heartbeats. The partition must notice and
 * read on from its last sequence through a consumer on a live node: here within 10 s of the kill, for
 * every partition, without a message lost or read twice. The killed node leads neither the stream nor
 * JetStream's meta group (their elections take seconds of their own: tests/cluster/nats-kill.test.ts).
 */
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../cluster/nats/connect.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { partitionOfSubject, partitionSubjectPrefix, STREAM } from '../../cluster/nats/subjects.js';
import { startWorker, type RunningWorker } from '../../cluster/worker.js';
import { realClock } from '../../contracts/index.js';
import { createLogger } from '../../log/logger.js';
import { clusterReady, clusterSkipReason, useClusterAndPostgres } from '../helpers/cluster-replay.js';
import { until } from '../helpers/until.js';

/** useClusterAndPostgres' partition count */
const P = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!clusterReady)(`a partition's consumer on a killed NATS node${clusterSkipReason}`, () => {
  const { pg, nats } = useClusterAndPostgres();
  let nc: NatsConnection;
  let worker: RunningWorker | null = null;
  beforeAll(async () => {
    nc = await connectCluster(nats().natsUrls, { name: 'consumer-failover-test' });
    await ensurePartitionStream(nc, { partitions: P });
  }, 60_000);
  // after hooks run in reverse: the worker and this connection go before the cluster
  afterAll(async () => {
    await worker?.stop();
    await nc?.close();
  });

  const js = () => jetstream(nc, { timeout: 5000 });
  /** one message on partition p's subject; its stream sequence */
  const publish = async (p: number, n: number): Promise<number> => (await js().publish(`${partitionSubjectPrefix(p)}.v1.fo-${p}.car.telemetry`, String(n))).seq;
  const meta = async (): Promise<string | undefined> => {
    const node = nats().nodes.find((n) => n.pid !== null)!;
    const jsz = (await fetch(`${node.httpUrl}/jsz`).then((r) => r.json())) as { meta_cluster?: { leader?: string } };
    return jsz.meta_cluster?.leader;
  };
  /** partition -> the node its consumer lives on (the worker's consumers are the stream's only ones) */
  const placement = async (jsm: JetStreamManager): Promise<Map<number, string>> => {
    const out = new Map<number, string>();
    for await (const c of jsm.consumers.list(STREAM)) {
      const filter = c.config.filter_subject ?? c.config.filter_subjects?.[0] ?? '';
      const p = partitionOfSubject(filter.replace(/>$/, 'x'));
      if (p !== null && c.cluster?.leader) out.set(p, c.cluster.leader);
    }
    return out;
  };

  it('reads on from a consumer on a live node within 10 s, for every partition, each message handed on once', async () => {
    // EVN_FO_LOG=1: the worker's log at debug (each try at a consumer, each one made again)
    const log = createLogger({ clock: realClock, level: process.env.EVN_FO_LOG ? 'debug' : 'error' });
    worker = await startWorker({
      id: 'fo-w1', natsUrls: nats().natsUrls, mqttUrls: nats().mqttUrls, partitions: P, db: pg().url(), mode: 'live', clock: realClock, log,
      stackOptions: () => ({ clock: realClock, log, registry: { mode: 'trust-broker' } }),
    });
    await until(() => worker!.owned().length === P, 30_000, () => `the worker serves ${worker!.owned().join(',')}`);
    const w = worker;
    const read = (p: number): number => w.partition(p)!.lastSeq();
    let n = 0;
    /** messages each partition's subject has in the stream (acknowledged publishes); a publish not acknowledged makes the count uncertain */
    const sent = Array<number>(P).fill(0);
    let unacknowledged = 0;
    const round = async (): Promise<number[]> =>
      Promise.all([...Array(P).keys()].map((p) => publish(p, ++n).then((seq) => (sent[p]!++, seq), (e: Error) => (unacknowledged++, Promise.reject(e)))));
    const first = await round();
    await until(() => first.every((seq, p) => read(p) >= seq), 20_000, 'every partition read its first message');

    // a node holding a consumer that leads neither the stream nor the meta group (step them down until one does)
    const jsm = await jetstreamManager(nc);
    let victim = -1;
    let where = new Map<number, string>();
    for (let tries = 0; tries < 12 && victim < 0; tries++) {
      where = await placement(jsm);
      const streamLeader = (await jsm.streams.info(STREAM)).cluster?.leader;
      const metaLeader = await meta();
      const candidates = nats().nodes.map((node, i) => ({ node, i })).filter(({ node }) => [...where.values()].includes(node.name) && node.name !== streamLeader && node.name !== metaLeader);
      if (candidates.length) {
        victim = candidates[0]!.i;
        break;
      }
      const subject = [...where.values()].includes(streamLeader ?? '') ? `$JS.API.STREAM.LEADER.STEPDOWN.${STREAM}` : '$JS.API.META.LEADER.STEPDOWN';
      await nc.request(subject, '', { timeout: 5000 }).catch(() => undefined);
      await until(async () => Boolean((await jsm.streams.info(STREAM).catch(() => null))?.cluster?.leader) && Boolean(await meta().catch(() => undefined)), 20_000, 'leaders again after a stepdown');
    }
    expect(victim).toBeGreaterThanOrEqual(0);
    const victimName = nats().nodes[victim]!.name;
    const onVictim = [...where].filter(([, node]) => node === victimName).map(([p]) => p);
    expect(onVictim.length).toBeGreaterThan(0);

    // the kill, then a message on every partition every 250 ms; each partition's time to its first message sent after the kill
    const killedAt = performance.now();
    await nats().kill(victim);
    // this test's own connection may have been on the killed node: each partition's first message is sent until acknowledged
    const after = await Promise.all([...Array(P).keys()].map(async (p) => {
      for (;;) {
        try {
          const seq = await publish(p, ++n);
          sent[p]!++;
          return seq;
        } catch {
          unacknowledged++;
          if (performance.now() - killedAt > 20_000) throw new Error(`partition ${p}: no publish acknowledged within 20 s of the kill`);
        }
      }
    }));
    const servedAfter = new Map<number, number>();
    while (servedAfter.size < P && performance.now() - killedAt < 30_000) {
      for (let p = 0; p < P; p++) if (!servedAfter.has(p) && read(p) >= after[p]!) servedAfter.set(p, Math.round(performance.now() - killedAt));
      await round().catch(() => undefined);
      await sleep(250);
    }
    console.info(`consumers on the killed node: partitions ${onVictim.join(',')}; served again after ms: ${JSON.stringify(Object.fromEntries(servedAfter))}`);
    for (let p = 0; p < P; p++) {
      expect(servedAfter.get(p), `partition ${p}`).toBeDefined();
      expect(servedAfter.get(p)!, `partition ${p}`).toBeLessThanOrEqual(10_000);
    }
    // every message of every partition handed to its helpdesk once, in order: the last read is the stream's last
    const last = await round();
    await until(() => last.every((seq, p) => read(p) >= seq), 20_000, 'every partition read the last round');
    const received = [...Array(P).keys()].map((p) => w.partition(p)!.helpdesk.stats().received);
    if (unacknowledged === 0) expect(received).toEqual(sent);
    else for (let p = 0; p < P; p++) expect(received[p]!, `partition ${p}`).toBeGreaterThanOrEqual(sent[p]!);
  }, 180_000);
});
