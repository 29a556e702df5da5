/**
 * The leaders of `$MQTT_msgs` and `EVERNET` kept on different nodes (cluster/nats/leaders.ts): the
 * decision on its own, then on three real nats-server nodes with both leaders forced onto one node
 * first (stepdowns until they meet; the test fails if they never do). Skipped where nats-server is not
 * installed (tests/helpers/nats.ts).
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../cluster/nats/connect.js';
import { createLeaderKeeper, keepLeadersApart, MQTT_MSGS, planLeaders, type StreamPlacement } from '../../cluster/nats/leaders.js';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { STREAM } from '../../cluster/nats/subjects.js';
import { natsAvailable, natsSkipReason } from '../helpers/nats.js';
import { until } from '../helpers/until.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const peer = (name: string, current = true) => ({ name, current, offline: false });
const at = (leader: string | undefined, ...replicas: ReturnType<typeof peer>[]): StreamPlacement => ({ cluster: { ...(leader ? { leader } : {}), replicas } });

describe('planLeaders', () => {
  it('steps $MQTT_msgs down when one node leads both streams and it has a current replica', () => {
    expect(planLeaders(at('n1', peer('n2'), peer('n3')), at('n1', peer('n2'), peer('n3')))).toEqual({ action: 'stepdown', stream: MQTT_MSGS, leader: 'n1' });
  });
  it('steps EVERNET down only when $MQTT_msgs has no current replica to go to', () => {
    expect(planLeaders(at('n1', peer('n2')), at('n1', peer('n2', false)))).toEqual({ action: 'stepdown', stream: STREAM, leader: 'n1' });
    expect(planLeaders(at('n1', peer('n2')), at('n1', { name: 'n2', current: true, offline: true }))).toEqual({ action: 'stepdown', stream: STREAM, leader: 'n1' });
  });
  it('does nothing when neither stream can move (one node, or no replica current)', () => {
    expect(planLeaders(at('n1'), at('n1'))).toEqual({ action: 'none', why: 'no-replica' });
    expect(planLeaders(at('n1', peer('n2', false)), at('n1', peer('n3', false)))).toEqual({ action: 'none', why: 'no-replica' });
  });
  it('does nothing when the leaders differ, a stream has no leader, or a stream does not exist yet', () => {
    expect(planLeaders(at('n1', peer('n2')), at('n2', peer('n1')))).toEqual({ action: 'none', why: 'apart' });
    expect(planLeaders(at(undefined, peer('n2')), at('n2', peer('n1')))).toEqual({ action: 'none', why: 'no-leader' });
    expect(planLeaders(at('n1', peer('n2')), {})).toEqual({ action: 'none', why: 'no-leader' });
    expect(planLeaders(at('n1', peer('n2')), null)).toEqual({ action: 'none', why: 'no-stream' });
    expect(planLeaders(null, at('n1', peer('n2')))).toEqual({ action: 'none', why: 'no-stream' });
  });
});

describe.skipIf(!natsAvailable)(`the leaders of $MQTT_msgs and EVERNET on a three-node cluster${natsSkipReason}`, () => {
  let cluster: LocalCluster;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let device: MqttClient | null = null;
  beforeAll(async () => {
    cluster = await startLocalCluster({ nodes: 3, partitions: 4 });
    nc = await connectCluster(cluster.natsUrls, { name: 'leaders-test' });
    await ensurePartitionStream(nc, { partitions: 4 });
    jsm = await jetstreamManager(nc, { timeout: 5000 });
  }, 60_000);
  afterAll(async () => {
    await device?.endAsync(true).catch(() => undefined);
    await nc?.close();
    await cluster?.stop();
  });

  // asked every 100 ms, not every 5 (until's pace): each look is two JetStream API requests
  const leaderOf = async (stream: string): Promise<string | undefined> => (await sleep(100), await jsm.streams.info(stream).catch(() => null))?.cluster?.leader;
  const leaders = async () => ({ evernet: await leaderOf(STREAM), mqttMsgs: await leaderOf(MQTT_MSGS) });
  /** steps $MQTT_msgs down until one node leads both streams (each stepdown picks one of the two other nodes): the leaders then */
  const forceTogether = async () => {
    for (let tries = 0; tries < 16; tries++) {
      const now = await leaders();
      if (now.evernet && now.evernet === now.mqttMsgs) return now;
      await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${MQTT_MSGS}`, '', { timeout: 5000 });
      await until(async () => {
        const next = await leaderOf(MQTT_MSGS);
        return Boolean(next) && next !== now.mqttMsgs;
      }, 15_000, 'a new leader of $MQTT_msgs');
    }
    return leaders();
  };

  it('does nothing while no MQTT client has made $MQTT_msgs', async () => {
    expect(await leaderOf(STREAM)).toBeTruthy();
    const r = await keepLeadersApart(nc);
    expect(r).toEqual({ leaders: { evernet: await leaderOf(STREAM), mqttMsgs: null }, plan: { action: 'none', why: 'no-stream' }, steppedDown: 0 });
  });

  it('moves one leader away when both streams are led by one node', async () => {
    // a QoS 1 subscription and publish: the node makes the MQTT streams
    device = await mqtt.connectAsync(cluster.mqttUrls[1]!, { clientId: 'leaders-dev', protocolVersion: 4, reconnectPeriod: 200 });
    await device.subscribeAsync('evernet/v1/leaders/car/command', { qos: 1 });
    await device.publishAsync('evernet/v1/leaders/car/telemetry', '{}', { qos: 1 });
    await until(async () => Boolean(await leaderOf(MQTT_MSGS)), 15_000, '$MQTT_msgs with a leader');

    const together = await forceTogether();
    expect(together.evernet).toBeTruthy();
    expect(together.mqttMsgs).toBe(together.evernet);

    const r = await keepLeadersApart(nc);
    expect(r.error).toBeUndefined();
    expect(r.steppedDown).toBeGreaterThanOrEqual(1);
    expect(r.stream).toBe(MQTT_MSGS);
    expect(r.plan).toEqual({ action: 'none', why: 'apart' });
    const after = await leaders();
    expect(after.evernet).toBeTruthy();
    expect(after.mqttMsgs).toBeTruthy();
    expect(after.mqttMsgs).not.toBe(after.evernet);
    expect(r.leaders).toEqual(after);

    // a second look finds nothing to do
    expect((await keepLeadersApart(nc)).steppedDown).toBe(0);
  }, 120_000);

  it('keeps them apart from its timer until stopped, and says so at info', async () => {
    const lines: { level: number; msg: string; stream?: string }[] = [];
    const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[number]) });
    const looks = () => lines.filter((l) => l.msg === 'stream leaders looked at').length;
    // forced together before the keeper starts: forcing against a running keeper is a race with it
    const together = await forceTogether();
    expect(together.evernet).toBeTruthy();
    expect(together.mqttMsgs).toBe(together.evernet);
    const keeper = createLeaderKeeper(nc, { intervalMs: 300, log });
    keeper.start();
    try {
      await until(async () => {
        const now = await leaders();
        return Boolean(now.evernet && now.mqttMsgs) && now.evernet !== now.mqttMsgs;
      }, 20_000, 'the keeper moving the leaders apart');
      await until(() => lines.some((l) => l.level === 30 && l.stream === MQTT_MSGS), 10_000, 'an info line naming the stream stepped down');
      // and it goes on looking
      await until(() => looks() >= 2, 10_000, () => `two later looks (${looks()})`);
      expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    } finally {
      await keeper.stop();
    }
    expect(keeper.running()).toBe(false);
    // stopped: leaders forced together again stay together, and nothing more is logged
    const seen = lines.length;
    const again = await forceTogether();
    expect(again.mqttMsgs).toBe(again.evernet);
    await sleep(1000);
    const later = await leaders();
    expect(later.mqttMsgs).toBe(later.evernet);
    expect(lines.length).toBe(seen);
  }, 120_000);
});
