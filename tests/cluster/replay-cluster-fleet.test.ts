/**
 * More replays over the cluster (docs/scale.md): the 100-home fleet spread over every partition, the
 * day in 2020 with a NATS node killed under it, and with PostgreSQL restarted under it. Real
 * processes on loopback; skipped where nats-server or PostgreSQL is not installed.
 */
import pgLib from 'pg';
import { partitionSchema } from '../../cluster/partition-db.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionOf } from '../../contracts/index.js';
import { connectCluster } from '../../cluster/nats/connect.js';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { STREAM } from '../../cluster/nats/subjects.js';
import { loadScenario } from '../../scenarios/load.js';
import type { Report } from '../../scenarios/report.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { clusterReady, clusterSkipReason, decisions, replayReport } from '../helpers/cluster-replay.js';

describe.skipIf(!clusterReady)(`replays over three NATS nodes and two helpdesk workers${clusterSkipReason}`, () => {
  let pg: TestPostgres;
  let nats: LocalCluster;
  beforeAll(async () => {
    [pg, nats] = await Promise.all([startTestPostgres(), startLocalCluster({ nodes: 3, partitions: 4 })]);
  }, 120_000);
  afterAll(async () => {
    await nats?.stop();
    pg?.stop();
  });
  /** the day in 2020 embedded, once for the tests that disturb it on the cluster */
  let day: Promise<Report> | null = null;
  const embeddedDay = (): Promise<Report> => (day ??= replayReport('scenarios/day-in-2020.yaml', 7));

  it('the 100-home fleet, its customers on every partition: the same tickets, loads and answers as the embedded run', async () => {
    const file = 'scenarios/fleet-100.yaml';
    const customers = loadScenario(file).scenario.customers.map((c) => c.id);
    expect(new Set(customers.map((c) => partitionOf(c, 4))).size).toBe(4);
    const embedded = await replayReport(file, 7);
    const clustered = await replayReport(file, 7, { natsUrls: nats.natsUrls, mqttUrls: nats.mqttUrls, db: await pg.createDatabase('fleet'), partitions: 4, workers: 2 });
    expect(clustered.tickets.length).toBeGreaterThan(3);
    expect(clustered.loads.length).toBeGreaterThan(10);
    expect(decisions(clustered)).toEqual(decisions(embedded));
    expect(clustered.messages.gaps).toBe(0);
  }, 900_000);

  it('PostgreSQL restarted under the day in 2020: the workers retry, the same decisions, no ticket twice', async () => {
    const embedded = await embeddedDay();
    const db = await pg.createDatabase('pgrestart');
    const restarts: number[] = [];
    const clustered = await replayReport('scenarios/day-in-2020.yaml', 7, { natsUrls: nats.natsUrls, mqttUrls: nats.mqttUrls, db, partitions: 4, workers: 2 }, (t) => {
      // before the alternator fails and while the car is in its incident: twice, every connection cut each time
      for (const at of ['2020-11-02T12:00:00+01:00', '2020-11-02T18:40:30+01:00']) {
        if (t >= Date.parse(at) && !restarts.includes(Date.parse(at))) {
          restarts.push(Date.parse(at));
          pg.restart();
        }
      }
    });
    expect(restarts).toHaveLength(2);
    expect(decisions(clustered)).toEqual(decisions(embedded));
    const c = new pgLib.Client({ connectionString: db });
    await c.connect();
    let tickets = 0;
    for (let p = 0; p < 4; p++) tickets += Number((await c.query(`SELECT count(*) AS n FROM ${partitionSchema(p)}.tickets`)).rows[0].n);
    await c.end();
    expect(tickets).toBe(1);
  }, 900_000);

  it('a NATS node killed under the day in 2020: the workers and the runner connected to it carry on through the others, the same decisions', async () => {
    const embedded = await embeddedDay();
    // Which node: not the car's (maria's devices connect to node partitionOf('maria', 3)), nor the first (the
    // runner's command log), nor a leader of the stream or of the server's MQTT stream (moved away first).
    // A device whose own node dies can lose what the node acknowledged but had not stored yet: nats-server
    // 2.9 acknowledges an MQTT QoS 1 publish before the stream has it (docs/scale.md, "What it guarantees");
    // a replay then stops with EVN_ERR_REPLAY_STALLED naming the partition rather than report a wrong day.
    const victim = [0, 1, 2].find((i) => i !== 0 && i !== partitionOf('maria', 3))!;
    const name = nats.nodes[victim]!.name;
    const nc = await connectCluster(nats.natsUrls);
    const jsm = await jetstreamManager(nc);
    const cluster = { natsUrls: nats.natsUrls, mqttUrls: nats.mqttUrls, db: await pg.createDatabase('nodekill'), partitions: 4, workers: 2 };
    let killed = false;
    let down = false;
    const clustered = await replayReport('scenarios/day-in-2020.yaml', 7, cluster, (t) => {
      if (killed || t < Date.parse('2020-11-02T12:00:00+01:00')) return;
      killed = true;
      void (async () => {
        for (const stream of [STREAM, '$MQTT_msgs']) {
          for (let i = 0; i < 10; i++) {
            const info = await jsm.streams.info(stream);
            if (info.cluster?.leader !== name) break;
            await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, '', { timeout: 5000 }).catch(() => undefined);
            await new Promise((r) => setTimeout(r, 500));
          }
        }
        await nats.kill(victim);
        down = true;
      })();
    });
    await nc.close();
    // the node was down for the rest of the day
    expect(down).toBe(true);
    expect(nats.nodes[victim]!.pid).toBeNull();
    expect(decisions(clustered)).toEqual(decisions(embedded));
    expect(clustered.messages.gaps).toBe(0);
    await nats.restart(victim);
  }, 900_000);
});
