/**
 * A board with end-to-end acknowledgements on a NATS cluster, its node killed (kill -9) under it
 * (docs/boards.md, docs/scale.md#end-to-end-acknowledgements): the software Firmata board (real
 * Firmata bytes, its pins driven by the fridge's physics model), the board driver and its device
 * agent, built as `evernet board --simulate --broker URL,URL,URL --acks` builds them
 * (cli/board-command.ts: the first listener, the others to fail over to, acks on), against a real
 * helpdesk worker (cluster/worker.ts, as `evernet helpdesk --cluster --registration trust-broker` runs
 * it) on 3 nats-server nodes and PostgreSQL. The board's node leads the stream EVERNET and nothing
 * else, so the board is on another node within about a second, while the stream has no leader: a
 * node acknowledges what it publishes then and nobody stores it (nats-kill.test.ts; without acks this
 * board lost 1, 41 and 70 readings in three runs, so the test fails). With acks it holds its readings until the partition has confirmed
 * its new connection: every reading reaches the stream and its partition's helpdesk once (no gap, no
 * duplicate), and its outbox ends empty. Skipped where nats-server or PostgreSQL is not installed.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../cluster/nats/connect.js';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { STREAM, topicOfSubject } from '../../cluster/nats/subjects.js';
import { startWorker, type RunningWorker } from '../../cluster/worker.js';
import { deviceTopic, partitionOf, realClock, type Clock } from '../../contracts/index.js';
import { createBoardDevice, type BoardDevice } from '../../devices/drivers/board-device.js';
import type { BoardConfig } from '../../devices/drivers/board-file.js';
import { loadBoardFile } from '../../devices/drivers/load-board-file.js';
import { kindModel } from '../../devices/kinds/index.js';
import { createPhysicsRig } from '../../devices/simulator/physics.js';
import { plugIn } from '../../devices/simulator/plug-in.js';
import { SoftwareBoard } from '../../devices/simulator/software-board.js';
import { createLogger } from '../../log/logger.js';
import { clusterReady, clusterSkipReason } from '../helpers/cluster-replay.js';
import { readStream } from '../helpers/nats.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { until } from '../helpers/until.js';

const P = 4;
/** the streams nats-server 2.9 keeps MQTT's messages, sessions and retained messages in */
const MQTT_STREAMS = ['$MQTT_msgs', '$MQTT_sess', '$MQTT_rmsgs'];

/** the shipped fridge board file, sped up: sample every 20 ms, publish 10 times a second */
function fastFridge(): BoardConfig {
  const c = loadBoardFile('boards/fridge.yaml');
  return { ...c, sampling: { everyMs: 20, window: 3 }, publish: { everyS: 0.1 } };
}

describe.skipIf(!clusterReady)(`a board with --acks on a NATS cluster, its node killed${clusterSkipReason}`, () => {
  let cluster: LocalCluster;
  let nc: NatsConnection;
  let pg: TestPostgres;
  let worker: RunningWorker | null = null;
  let device: BoardDevice | null = null;
  const board = new SoftwareBoard();
  let rigTimer: NodeJS.Timeout | undefined;
  // EVN_KILL_LOG=FILE: the worker's and the board's log at info in FILE (as in nats-kill.test.ts)
  const logFile = process.env.EVN_KILL_LOG;
  const log = createLogger({ clock: realClock, level: logFile ? 'info' : 'error', ...(logFile ? { destination: pino.destination(logFile) } : {}) });

  beforeAll(async () => {
    [cluster, pg] = await Promise.all([startLocalCluster({ nodes: 3, partitions: P }), startTestPostgres()]);
    nc = await connectCluster(cluster.natsUrls, { name: 'board-kill-test' });
    await ensurePartitionStream(nc, { partitions: P });
    // a node's first MQTT connection makes the node's MQTT consumers, which waits for JetStream: with a
    // node down, 9-15 s (a board failing over to such a node misses the stream's leaderless time). One
    // connection to each node first, as a cluster in use has had
    for (const u of cluster.mqttUrls) await (await mqtt.connectAsync(u, { connectTimeout: 15_000 })).endAsync();
    // `evernet helpdesk --cluster … --registration trust-broker`: a board's announce registers it at
    // once. Under the default 'pending' its readings are confirmed all the same (the gate confirms what
    // it read from the stream) and refused by the helpdesk (EVN_ERR_DEVICE_PENDING) until staff accept it
    worker = await startWorker({
      id: 'board-w1', natsUrls: cluster.natsUrls, mqttUrls: cluster.mqttUrls, partitions: P, db: pg.url(), mode: 'live', clock: realClock, log,
      stackOptions: () => ({ clock: realClock, log, registry: { mode: 'trust-broker' } }),
    });
    await until(() => worker!.owned().length === P, 30_000, () => `the worker serves ${worker!.owned().join(',')}`);
  }, 120_000);
  afterAll(async () => {
    clearInterval(rigTimer);
    await device?.stop();
    board.unplug();
    await worker?.stop();
    await nc?.close();
    await cluster?.stop();
    pg?.stop();
  });

  /** the node whose MQTT listener holds the connection of MQTT client `clientId` now (its monitoring endpoint), or -1 */
  const nodeOf = async (clientId: string): Promise<number> => {
    for (const [i, n] of cluster.nodes.entries()) {
      if (n.pid === null) continue;
      const res = await fetch(`${n.httpUrl}/connz?mqtt_client=${encodeURIComponent(clientId)}`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      const connz = (await res?.json().catch(() => null)) as { num_connections?: number } | null;
      if ((connz?.num_connections ?? 0) > 0) return i;
    }
    return -1;
  };

  /** the node (name) that leads stream `name` now; undefined while it has none, or JetStream does not answer */
  const leaderOf = async (name: string): Promise<string | undefined> =>
    (await jetstreamManager(nc, { timeout: 1000 })).streams.info(name).then((i) => i.cluster?.leader, () => undefined);
  /** who leads EVERNET, the server's own MQTT streams and JetStream's meta group */
  const placement = async () => {
    const jsz = await fetch(`${cluster.nodes.find((n) => n.pid !== null)!.httpUrl}/jsz`).then((r) => r.json() as Promise<{ meta_cluster?: { leader?: string } }>, () => null);
    return { ev: await leaderOf(STREAM), mqtt: await Promise.all(MQTT_STREAMS.map(leaderOf)), meta: jsz?.meta_cluster?.leader };
  };

  it('moves to another node when its node (the stream leader) is killed; every reading reaches the helpdesk once and is confirmed', async () => {
    // EVERNET led by a node that leads nothing else, so that the kill takes the stream's leader alone:
    // not the meta group (its loss pauses the JetStream API), not the server's MQTT streams (their loss
    // stalls MQTT publishes elsewhere, nats-kill.test.ts). The board, on another node within a second,
    // is taken while EVERNET has no leader: what it publishes then is acknowledged and lost. Stepdowns
    // arrange it.
    let pl = await placement();
    const apart = () => Boolean(pl.ev && pl.meta && pl.ev !== pl.meta && pl.mqtt.every((l) => l && l !== pl.ev));
    for (let i = 0; i < 20 && !apart(); i++) {
      const clash = pl.ev === pl.meta ? STREAM : MQTT_STREAMS[pl.mqtt.indexOf(pl.ev)] ?? STREAM;
      await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${clash}`, '', { timeout: 5000 }).catch(() => {});
      await until(async () => ((pl = await placement()), Boolean(pl.ev && pl.mqtt.every(Boolean))), 15_000, () => `every stream led again after a stepdown of ${clash}`);
    }
    expect(apart(), JSON.stringify(pl)).toBe(true);
    const victim = cluster.nodes.findIndex((n) => n.name === pl.ev);
    // `--broker` lists every node's listener, the stream leader's first: the board joins it, the others are its failover list
    const [brokerUrl, ...failoverUrls] = [cluster.mqttUrls[victim]!, ...cluster.mqttUrls.filter((_, i) => i !== victim)];

    const config = fastFridge();
    const part = worker!.partition(partitionOf(config.customerId, P))!;
    /** event times of the board's readings the helpdesk processed, in the order it did */
    const processed: number[] = [];
    part.helpdesk.on((e) => void (e.type === 'telemetry' && e.customerId === config.customerId && e.deviceId === config.deviceId && processed.push(e.at)));
    // the board's clock: stopped at the end, so that it takes no more readings while its connection stays
    let stoppedAt: number | null = null;
    const clock: Clock = { now: () => stoppedAt ?? Date.now() };
    // `--simulate`: the fridge's physics model drives the software board's pins
    const rig = createPhysicsRig({ board, config, model: kindModel(config.kind), params: {}, startAt: clock.now() });
    rig.advance(clock.now());
    rigTimer = setInterval(() => rig.advance(clock.now()), 100);
    const d = (device = createBoardDevice({
      config, connect: async () => plugIn(board), port: 'software board', brokerUrl, failoverUrls, acks: true, clock, log, tickMs: 50,
    }));
    const agent = d.agent;
    const clientId = `evernet-${config.customerId}-${config.deviceId}`;
    await d.start();
    expect(await nodeOf(clientId)).toBe(victim);
    // readings flowing through the partition to the helpdesk (with acks: once its connection is confirmed)
    await until(() => processed.length >= 10, 20_000, () => `readings processed before the kill; outbox ${JSON.stringify(agent.outboxStats())}`);
    // announced and registered at the helpdesk of its partition, as what it says it measures
    expect(part.helpdesk.registry.device(config.customerId, config.deviceId)).toMatchObject({ kind: 'fridge', state: 'active', origin: 'announce', source: 'board', measures: ['cabinetTempC', 'doorOpen', 'compressorOn', 'setpointC'] });

    // killed while its outbox holds readings the node took and the partition has not confirmed yet
    await until(() => agent.outboxStats().queued > 0, 5000, 'readings in the outbox');
    const reconnects = agent.stats().reconnects;
    const seqAtKill = agent.stats().lastSeq;
    const killedAt = Date.now();
    await cluster.kill(victim);
    await until(() => agent.stats().reconnects > reconnects, 20_000, 'the board connected to another node');
    const failoverMs = Date.now() - killedAt;
    const node = await nodeOf(clientId);
    expect(node).not.toBe(-1);
    expect(node).not.toBe(victim);
    await until(async () => ((l) => Boolean(l && l !== pl.ev))(await leaderOf(STREAM)), 25_000, 'the stream answering with a leader on another node');
    const leaderBackMs = Date.now() - killedAt;
    // two more seconds of readings after the stream is back, then the board takes no more
    const seqAtLeader = agent.stats().lastSeq;
    await until(() => agent.stats().lastSeq >= seqAtLeader + 20, 10_000, 'readings after the stream is back');
    stoppedAt = Date.now();

    // every reading confirmed by the partition: as a rule 2-8 s after the stream's leader is back; in
    // about one run of seven 30-75 s after the kill, when the partition's stream consumer went silent
    // and took the watchdog one to three new consumers, 20 s apart (docs/scale.md, the consumer watchdog)
    await until(() => agent.outboxStats().queued === 0, 90_000, () => `nothing unconfirmed; outbox ${JSON.stringify(agent.outboxStats())}, gate ${JSON.stringify(part.ackStats())}`);
    const confirmedMs = Date.now() - killedAt;
    const sent = agent.stats();
    // and processed by the helpdesk once its watermark passed them (live: the wall clock)
    await until(() => processed.length >= sent.telemetry, 15_000, () => `the helpdesk processed ${processed.length} of ${sent.telemetry} readings`).catch(() => {});

    // in the stream: every sequence number, some of them more than once (the copies the gate dropped)
    const topic = deviceTopic(config.customerId, config.deviceId, 'telemetry');
    const inStream = new Map<number, number>();
    for (const m of await readStream(nc)) {
      if (topicOfSubject(m.subject) !== topic) continue;
      const seq = (JSON.parse(m.data) as { seq: number }).seq;
      inStream.set(seq, (inStream.get(seq) ?? 0) + 1);
    }
    const missing = Array.from({ length: sent.lastSeq }, (_, i) => i + 1).filter((s) => !inStream.has(s));
    const ingest = part.helpdesk.stats();
    const o = agent.outboxStats();
    const figures = {
      leaders: pl, sent: sent.lastSeq, atKill: seqAtKill, failoverMs, leaderBackMs, confirmedMs, resent: o.resent, rounds: o.resendRounds, forced: o.reconnectsForced,
      inStream: [...inStream.values()].reduce((a, b) => a + b, 0), missing: missing.length, processed: processed.length,
      gaps: ingest.gaps, duplicates: ingest.duplicates, gate: part.ackStats(),
    };
    console.info(`board on the killed node: ${JSON.stringify(figures)}`);

    expect(sent.telemetry).toBe(sent.lastSeq);
    expect(sent.lastSeq).toBeGreaterThan(seqAtLeader);
    // in the stream, and at the helpdesk each reading once, in order, none missing
    expect(missing).toEqual([]);
    expect(processed).toHaveLength(sent.telemetry);
    expect(processed.every((t, i) => i === 0 || t > processed[i - 1]!)).toBe(true);
    expect(ingest).toMatchObject({ gaps: 0, duplicates: 0 });
    expect(part.ackStats().held).toBe(0);
    // nothing unconfirmed: the partition confirmed up to the last reading
    expect(o).toMatchObject({ queued: 0, confirmedUpTo: sent.lastSeq });
  }, 180_000);
});
