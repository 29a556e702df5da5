/**
 * A NATS node killed under the 100-home fleet replayed over the cluster (docs/scale.md#end-to-end-acknowledgements):
 * at noon the node that leads `$MQTT_msgs` (the server's stream of QoS 1 MQTT messages) is killed
 * (kill -9), with about a third of the fleet's devices connected to it. They reconnect to the other
 * nodes at once and send again what their partitions have not confirmed; the replay finishes with the
 * embedded run's decisions (tickets, loads, answers), no gap and no message counted twice. The day in
 * 2020's drill (replay-nats-kill.test.ts) kills `EVERNET`'s leader under a handful of devices.
 * Real processes on loopback; skipped where nats-server or PostgreSQL is not installed.
 */
import { describe, expect, it } from 'vitest';
import { CLUSTER_DAY_TIMEOUT_MS, clusterReady, clusterSkipReason, expectAsEmbedded, replayReport, replayWithNodeKilled, useClusterAndPostgres } from '../helpers/cluster-replay.js';

describe.skipIf(!clusterReady)(`a NATS node killed under a fleet replayed over the cluster${clusterSkipReason}`, () => {
  const { pg, nats } = useClusterAndPostgres();

  it("the 100-home fleet, $MQTT_msgs' leader killed at noon: the same decisions as the embedded run, no gap, nothing twice", async () => {
    const file = 'scenarios/fleet-100.yaml';
    const embedded = await replayReport(file, 7);
    const db = await pg().createDatabase('fleetkill');
    const noon = Date.parse('2020-11-02T12:00:00+01:00');
    const { report, killed } = await replayWithNodeKilled(file, 7, { nats: nats(), db, stream: '$MQTT_msgs', at: noon });
    expect(killed).not.toBeNull();
    expect(report.tickets.length).toBeGreaterThan(3);
    expectAsEmbedded(report, embedded);
  }, CLUSTER_DAY_TIMEOUT_MS);
});
