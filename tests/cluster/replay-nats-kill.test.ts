/**
 * A NATS node killed under `replay --cluster` (docs/scale.md#end-to-end-acknowledgements): at noon of
 * the day in 2020 the node that leads the stream EVERNET is killed (kill -9). The devices on it
 * reconnect to another node; every device keeps what its helpdesk partition has not confirmed and
 * sends it again; the partitions' gates drop the copies, so each window's barrier counts each message
 * once. The replay finishes with the embedded run's decisions and no gap in any device's sequence.
 * Real processes on loopback; skipped where nats-server or PostgreSQL is not installed.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { connectCluster } from '../../cluster/nats/connect.js';
import { STREAM } from '../../cluster/nats/subjects.js';
import type { Report } from '../../scenarios/report.js';
import { CLUSTER_DAY_TIMEOUT_MS, clusterReady, clusterSkipReason, decisions, replayReport, useClusterAndPostgres } from '../helpers/cluster-replay.js';

describe.skipIf(!clusterReady)(`a NATS node killed under a replay over the cluster${clusterSkipReason}`, () => {
  const { pg, nats } = useClusterAndPostgres();
  let embedded: Report;

  it("the stream leader's node killed at noon: the same decisions as the embedded run, no gap", async () => {
    embedded = await replayReport('scenarios/day-in-2020.yaml', 7);
    const db = await pg().createDatabase('nodekill');
    const noon = Date.parse('2020-11-02T12:00:00+01:00');
    const nc = await connectCluster(nats().natsUrls, { name: 'replay-kill-test' });
    let killed: string | null = null;
    try {
      const clustered = await replayReport('scenarios/day-in-2020.yaml', 7, { natsUrls: nats().natsUrls, mqttUrls: nats().mqttUrls, db, partitions: 4, workers: 2 }, async (t) => {
        if (t < noon || killed) return;
        const leader = (await (await jetstreamManager(nc)).streams.info(STREAM)).cluster?.leader;
        const i = nats().nodes.findIndex((n) => n.name === leader);
        killed = leader ?? '?';
        await nats().kill(i);
      });
      expect(killed).not.toBeNull();
      expect(decisions(clustered)).toEqual(decisions(embedded));
      expect(clustered.messages.gaps).toBe(0);
      expect(clustered.messages.duplicates).toBe(0);
      expect(clustered.messages.rejected).toBe(embedded.messages.rejected);
    } finally {
      await nc.close();
    }
  }, CLUSTER_DAY_TIMEOUT_MS);
});
