/**
 * A NATS node killed under `replay --cluster` (docs/scale.md#end-to-end-acknowledgements): at noon of
 * the day in 2020 the node that leads the stream EVERNET is killed (kill -9). The devices on it
 * reconnect to another node; every device keeps what its helpdesk partition has not confirmed and
 * sends it again; the partitions' gates drop the copies, so each window's barrier counts each message
 * once. The replay finishes with the embedded run's decisions and no gap in any device's sequence.
 * Real processes on loopback; skipped where nats-server or PostgreSQL is not installed.
 */
import { describe, expect, it } from 'vitest';
import { STREAM } from '../../cluster/nats/subjects.js';
import { CLUSTER_DAY_TIMEOUT_MS, clusterReady, clusterSkipReason, expectAsEmbedded, replayReport, replayWithNodeKilled, useClusterAndPostgres } from '../helpers/cluster-replay.js';

describe.skipIf(!clusterReady)(`a NATS node killed under a replay over the cluster${clusterSkipReason}`, () => {
  const { pg, nats } = useClusterAndPostgres();

  it("the stream leader's node killed at noon: the same decisions as the embedded run, no gap", async () => {
    const embedded = await replayReport('scenarios/day-in-2020.yaml', 7);
    const db = await pg().createDatabase('nodekill');
    const noon = Date.parse('2020-11-02T12:00:00+01:00');
    const { report, killed } = await replayWithNodeKilled('scenarios/day-in-2020.yaml', 7, { nats: nats(), db, stream: STREAM, at: noon });
    expect(killed).not.toBeNull();
    expectAsEmbedded(report, embedded);
  }, CLUSTER_DAY_TIMEOUT_MS);
});
