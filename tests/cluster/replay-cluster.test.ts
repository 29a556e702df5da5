/**
 * A replay over the cluster (docs/scale.md): three nats-server nodes, two helpdesk worker processes,
 * PostgreSQL, devices speaking MQTT to the nodes. It decides what the embedded replay decides: the
 * same tickets, loads and shopping answers (and the rest of the report but the message counts the
 * cluster's own traffic changes). Real processes on loopback; skipped where nats-server or PostgreSQL
 * is not installed.
 */
import pgLib from 'pg';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../contracts/index.js';
import { partitionSchema } from '../../cluster/partition-db.js';
import type { Report } from '../../scenarios/report.js';
import { CLUSTER_DAY_TIMEOUT_MS, STALL_TIMEOUT_MS, clusterReady, clusterSkipReason, decisions, replayReport, useClusterAndPostgres } from '../helpers/cluster-replay.js';

/** rows of one table summed over every partition's schema */
async function countRows(url: string, table: string, partitions: number): Promise<number> {
  const c = new pgLib.Client({ connectionString: url });
  await c.connect();
  try {
    let n = 0;
    for (let p = 0; p < partitions; p++) n += Number((await c.query(`SELECT count(*) AS n FROM ${partitionSchema(p)}.${table}`)).rows[0].n);
    return n;
  } finally {
    await c.end();
  }
}

describe.skipIf(!clusterReady)(`a replay over three NATS nodes and two helpdesk workers${clusterSkipReason}`, () => {
  const { pg, nats } = useClusterAndPostgres();

  /** the embedded run and an undisturbed cluster run (on database `plain`), for the drill to compare with */
  let embedded: Report;
  let undisturbed: Report;
  let plain: string;

  it('the day in 2020: the same tickets, loads, shopping answers, offers and contacts as the embedded run', async () => {
    plain = await pg().createDatabase('day');
    embedded = await replayReport('scenarios/day-in-2020.yaml', 7);
    const clustered = await replayReport('scenarios/day-in-2020.yaml', 7, { natsUrls: nats().natsUrls, mqttUrls: nats().mqttUrls, db: plain, partitions: 4, workers: 2 });
    undisturbed = clustered;
    expect(clustered.tickets.length).toBeGreaterThan(0);
    expect(decisions(clustered)).toEqual(decisions(embedded));
    expect(clustered.messages.rejected).toBe(embedded.messages.rejected);
  }, CLUSTER_DAY_TIMEOUT_MS);

  it('kill -9 of the worker serving the car mid-incident: the alternator is still caught, once, nothing lost, served again after the dead worker\'s heartbeats stop, not after a stall', async () => {
    expect(undisturbed).toBeDefined();
    const db = await pg().createDatabase('drill');
    const car = partitionOf('maria', 4);
    const faultAt = Date.parse('2020-11-02T18:40:00+01:00');
    let victim: { pid: number } | null = null;
    let killedAt = 0;
    let killAt = 0;
    let checkpointAtKill: number | null = null;
    let resumedAfterMs: number | null = null;
    /** the car's partition's last checkpoint watermark in PostgreSQL (NaN before the first) */
    const watermark = async (): Promise<number> => {
      const c = new pgLib.Client({ connectionString: db });
      await c.connect();
      try {
        return Number((await c.query(`SELECT watermark FROM ${partitionSchema(car)}.cluster_checkpoint`)).rows[0]?.watermark ?? NaN);
      } finally {
        await c.end();
      }
    };
    const clustered = await replayReport(
      'scenarios/day-in-2020.yaml', 7,
      {
        natsUrls: nats().natsUrls, mqttUrls: nats().mqttUrls, db, partitions: 4, workers: 2, checkpointEveryMs: 50,
        onStarted: ({ ids, pids, owners }) => void (victim = { pid: pids[ids.indexOf(owners.get(car)!)]! }),
      },
      async (t) => {
        if (t > faultAt && victim && !killedAt) {
          // the replay waits here: kill once the worker has checkpointed past the fault, whatever the machine's pace
          const deadline = Date.now() + 30_000;
          while (!(await watermark() >= faultAt) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
          process.kill(victim.pid, 'SIGKILL');
          killedAt = Date.now();
          killAt = t;
          // what the dead worker left: its last checkpoint, read before anyone takes the partition over
          checkpointAtKill = await watermark();
        } else if (killedAt && resumedAfterMs === null && t > killAt) resumedAfterMs = Date.now() - killedAt;
      },
    );
    expect(killedAt).toBeGreaterThan(0);
    // the checkpoint it resumed from had the incident in progress: the fault, not yet the ticket
    expect(checkpointAtKill).toBeGreaterThanOrEqual(faultAt);
    expect(checkpointAtKill).toBeLessThan(Date.parse(embedded.tickets[0]!.openedAt!));
    expect(resumedAfterMs).not.toBeNull();
    // served again once the survivor stops hearing the dead worker (deadAfterMs, 3 s) and opens the
    // partition: 3.5–4.5 s alone or beside two busy cores, 10.4 s once inside a loaded CI run. The
    // seconds are a figure for the bench (`cluster.failoverSeconds`, docs/scale.md); this bound keeps
    // what a test can tell on a shared machine: well under the replay's stall timeout (60 s), so a
    // takeover that waits for a timeout, or never comes, fails here
    expect(resumedAfterMs!).toBeLessThan(STALL_TIMEOUT_MS / 2);
    // the same decisions as the embedded run: the failing alternator caught, one ticket, the same contacts
    expect(clustered.tickets.map((t) => [t.id, t.kind])).toEqual([['T-75e06183df', 'battery-discharge']]);
    expect(decisions(clustered)).toEqual(decisions(embedded));
    // no duplicate ticket in PostgreSQL, and every reading stored, as in the undisturbed cluster run
    expect(await countRows(db, 'tickets', 4)).toBe(1);
    expect(await countRows(db, 'telemetry_raw', 4)).toBe(await countRows(plain, 'telemetry_raw', 4));
    expect(clustered.messages.rejected).toBe(undisturbed.messages.rejected);
    expect(clustered.messages.gaps).toBe(0);
  }, CLUSTER_DAY_TIMEOUT_MS);
});
