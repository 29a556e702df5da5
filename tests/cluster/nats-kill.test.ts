/**
 * A NATS node killed (kill -9) under devices publishing QoS 1 (cluster/nats, docs/scale.md "The NATS
 * cluster"): the devices on it reconnect to another node (mqtt.js `servers`, all three MQTT
 * listeners) and resend what was not acknowledged; the stream EVERNET (three replicas) keeps every
 * sequence number. Measured twice: a node that is not the stream's leader, then the stream's leader.
 * Its own cluster; skipped where nats-server is not installed.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../cluster/nats/connect.js';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { STREAM, topicOfSubject } from '../../cluster/nats/subjects.js';
import { natsAvailable, natsSkipReason, readStream } from '../helpers/nats.js';
import { until } from '../helpers/until.js';

const P = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Drill {
  sent: number;
  missing: number;
  duplicates: number;
  reconnected: number;
  /** of those, sent after the stream answered again with a leader on another node */
  missingAfterLeader: number;
  /** ms from the kill until the stream answered with a leader on another node (null: not within 25 s) */
  leaderBackMs: number | null;
  /** publishes mqtt.js rejected (connection closed) and the test sent again */
  resent: number;
}

describe.skipIf(!natsAvailable)(`a NATS node killed under QoS 1 devices${natsSkipReason}`, () => {
  let cluster: LocalCluster;
  let nc: NatsConnection;
  beforeAll(async () => {
    cluster = await startLocalCluster({ nodes: 3, partitions: P });
    nc = await connectCluster(cluster.natsUrls, { name: 'kill-test' });
    await ensurePartitionStream(nc, { partitions: P });
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  const leaderIndex = async (): Promise<number> => {
    const info = await (await jetstreamManager(nc)).streams.info(STREAM);
    return cluster.nodes.findIndex((n) => n.name === info.cluster?.leader);
  };

  /**
   * 6 devices, 2 on each node, publish QoS 1 every 10 ms; node `victim` is killed after 1 s; they go
   * on until 2 s after the stream answers again with a leader on another node (at most 25 s)
   */
  const drill = async (tag: string, victim: number): Promise<Drill> => {
    await (await jetstreamManager(nc)).streams.purge(STREAM);
    const servers = cluster.mqttUrls.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port) }));
    let reconnected = 0;
    const devices: MqttClient[] = [];
    for (let k = 0; k < 6; k++) {
      const home = k % 3;
      const order = [...servers.slice(home), ...servers.slice(0, home)];
      // the first MQTT connection of a fresh cluster creates the server's MQTT streams: seconds
      const c = await mqtt.connectAsync({ servers: order, clientId: `${tag}-dev-${k}`, protocolVersion: 4, reconnectPeriod: 200, connectTimeout: 15_000 });
      c.on('reconnect', () => (reconnected += home === victim ? 1 : 0));
      devices.push(c);
    }
    // what a device's outbox does: a publish mqtt.js gives up on (the connection closed while it
    // flushed its queue after a reconnect) is counted and sent again once the run is over
    const acks: Array<Promise<unknown>> = [];
    const rejected: Array<[number, number]> = [];
    const publish = (k: number, seq: number) =>
      devices[k]!.publishAsync(`evernet/v1/${tag}-${k}/car/telemetry`, String(seq), { qos: 1 }).catch(() => rejected.push([k, seq]));
    let sent = 0;
    const t0 = Date.now();
    let killed = false;
    /** the last sequence number sent before the stream answered again with a leader that is not the victim */
    let backAt: number | null = null;
    let backMs = 0;
    const victimName = cluster.nodes[victim]!.name;
    const watch = (async () => {
      while (backAt === null && Date.now() - t0 < 25_000) {
        await sleep(100);
        if (!killed) continue;
        const info = await jetstreamManager(nc, { timeout: 1000 }).then((jsm) => jsm.streams.info(STREAM)).catch(() => null);
        if (info?.cluster?.leader && info.cluster.leader !== victimName) {
          backAt = sent;
          backMs = Date.now() - t0 - 1000;
        }
      }
    })();
    while (backAt === null ? Date.now() - t0 < 25_000 : Date.now() - t0 < backMs + 2000) {
      if (!killed && Date.now() - t0 > 1000) {
        killed = true;
        void cluster.kill(victim);
      }
      sent++;
      for (let k = 0; k < devices.length; k++) acks.push(publish(k, sent));
      await sleep(10);
    }
    await watch;
    await Promise.all(acks);
    const resent = rejected.length;
    for (let round = 0; rejected.length && round < 5; round++) await Promise.all(rejected.splice(0).map(([k, seq]) => publish(k, seq)));
    expect(rejected).toEqual([]);
    let stored: Awaited<ReturnType<typeof readStream>> = [];
    const seen = new Map<string, number>();
    let lastError = '';
    await until(async () => {
      try {
        stored = await readStream(nc);
      } catch (e) {
        lastError = (e as Error).message;
        return false;
      }
      return stored.length >= sent * devices.length;
    }, 15_000, () => `${sent * devices.length} messages, ${stored.length} stored ${lastError}`).catch((e: Error) => console.info(e.message));
    for (const m of stored) {
      const key = `${topicOfSubject(m.subject)} ${m.data}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    let missing = 0;
    let missingAfter = 0;
    for (let k = 0; k < devices.length; k++) {
      for (let s = 1; s <= sent; s++) {
        if (seen.has(`evernet/v1/${tag}-${k}/car/telemetry ${s}`)) continue;
        missing++;
        if (backAt !== null && s > backAt) missingAfter++;
      }
    }
    await Promise.all(devices.map((d) => d.endAsync(true)));
    return { sent: sent * devices.length, missing, missingAfterLeader: missingAfter, leaderBackMs: backAt === null ? null : backMs, duplicates: stored.length - seen.size, reconnected, resent };
  };

  it('loses no sequence number when a node that is not the stream leader is killed; the devices on it reconnect elsewhere', async () => {
    const leader = await leaderIndex();
    const victim = [0, 1, 2].find((i) => i !== leader)!;
    const r = await drill('follower', victim);
    console.info(`node kill (not the stream leader): ${JSON.stringify(r)}`);
    expect(r.reconnected).toBeGreaterThan(0);
    expect(r.missing).toBe(0);
    await cluster.restart(victim);
  }, 90_000);

  /**
   * The stream's leader killed, with the server's own MQTT stream ($MQTT_msgs) led by another node
   * (a stepdown arranges it; when one node leads both, the surviving nodes' MQTT publishes stall
   * until JetStream is back and the loss is hidden). nats-server 2.9 elects a new leader after its
   * Raft election timeout (4-9 s); what the devices publish meanwhile is acknowledged by their node
   * (PUBACK) and stored by nobody: lost. This test holds that measured fact (docs/scale.md): if an
   * upgrade closes the gap, it fails, and the docs change with it.
   */
  it("loses what devices publish while the stream has no leader (its leader's node killed), and nothing after a new leader", async () => {
    const jsm = await jetstreamManager(nc);
    const leaders = async () => ({ ev: (await jsm.streams.info(STREAM)).cluster?.leader, mq: (await jsm.streams.info('$MQTT_msgs')).cluster?.leader });
    let l = await leaders();
    for (let i = 0; i < 10 && l.ev === l.mq; i++) {
      await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${STREAM}`, '', { timeout: 5000 }).catch(() => {});
      await until(async () => Boolean((await leaders().catch(() => null))?.ev), 15_000, 'a new stream leader after the stepdown');
      l = await leaders();
    }
    expect(l.ev).not.toBe(l.mq);
    const victim = cluster.nodes.findIndex((n) => n.name === l.ev);
    const r = await drill('leader', victim);
    console.info(`node kill (the stream leader): ${JSON.stringify(r)}`);
    expect(r.reconnected).toBeGreaterThan(0);
    expect(r.leaderBackMs).not.toBeNull();
    expect(r.leaderBackMs!).toBeLessThan(20_000);
    expect(r.missingAfterLeader).toBe(0);
    expect(r.missing).toBeGreaterThan(0);
  }, 90_000);
});
