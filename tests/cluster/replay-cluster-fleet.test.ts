/**
 * More replays over the cluster (docs/scale.md): the 100-home fleet spread over every partition, and
 * the day in 2020 with PostgreSQL restarted under it. (A NATS node killed under a replay is not here:
 * see docs/scale.md, "What is not built yet".) Real
 * processes on loopback; skipped where nats-server or PostgreSQL is not installed.
 */
import pgLib from 'pg';
import { partitionSchema } from '../../cluster/partition-db.js';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../contracts/index.js';
import { loadScenario } from '../../scenarios/load.js';
import type { Report } from '../../scenarios/report.js';
import { renderReportHtml } from '../../scenarios/report-html/render.js';
import { CLUSTER_DAY_TIMEOUT_MS, clusterReady, clusterSkipReason, decisions, replayReport, replayWithSeries, useClusterAndPostgres } from '../helpers/cluster-replay.js';

describe.skipIf(!clusterReady)(`replays over three NATS nodes and two helpdesk workers${clusterSkipReason}`, () => {
  const { pg, nats } = useClusterAndPostgres();
  /** the day in 2020 embedded, once for the tests that disturb it on the cluster */
  let day: Promise<Report> | null = null;
  const embeddedDay = (): Promise<Report> => (day ??= replayReport('scenarios/day-in-2020.yaml', 7));

  it('the 100-home fleet, its customers on every partition: the same tickets, loads and answers as the embedded run', async () => {
    const file = 'scenarios/fleet-100.yaml';
    const customers = loadScenario(file).scenario.customers.map((c) => c.id);
    expect(new Set(customers.map((c) => partitionOf(c, 4))).size).toBe(4);
    const embedded = await replayReport(file, 7);
    const clustered = await replayReport(file, 7, { natsUrls: nats().natsUrls, mqttUrls: nats().mqttUrls, db: await pg().createDatabase('fleet'), partitions: 4, workers: 2 });
    expect(clustered.tickets.length).toBeGreaterThan(3);
    expect(clustered.loads.length).toBeGreaterThan(10);
    expect(decisions(clustered)).toEqual(decisions(embedded));
    expect(clustered.messages.gaps).toBe(0);
  }, CLUSTER_DAY_TIMEOUT_MS);

  it('a mass incident across partitions, the devices in 2 host processes: one problem linking every partition\'s tickets, as in the embedded run', async () => {
    const file = 'tests/fixtures/problems/battery-batch.yaml';
    const embedded = await replayReport(file, 2);
    // the devices in host processes of their own, on the cluster's nodes, each counting what it sent each partition
    const clustered = await replayReport(file, 2, { natsUrls: nats().natsUrls, mqttUrls: nats().mqttUrls, db: await pg().createDatabase('massincident'), partitions: 4, workers: 2 }, undefined, 2);
    expect(embedded.problems).toHaveLength(1);
    const linked = embedded.problems[0]!.ticketIds;
    const customerOf = new Map(clustered.tickets.map((t) => [t.id, t.customerId]));
    expect(new Set(linked.map((id) => partitionOf(customerOf.get(id)!, 4))).size).toBeGreaterThan(1);
    expect(clustered.problems).toEqual(embedded.problems);
    expect(decisions(clustered)).toEqual(decisions(embedded));
  }, CLUSTER_DAY_TIMEOUT_MS);

  it('PostgreSQL restarted under the day in 2020: the workers retry, the same decisions, no ticket twice', async () => {
    const embedded = await embeddedDay();
    const db = await pg().createDatabase('pgrestart');
    const restarts: number[] = [];
    const clustered = await replayReport('scenarios/day-in-2020.yaml', 7, { natsUrls: nats().natsUrls, mqttUrls: nats().mqttUrls, db, partitions: 4, workers: 2 }, (t) => {
      // before the alternator fails and while the car is in its incident: twice, every connection cut each time
      for (const at of ['2020-11-02T12:00:00+01:00', '2020-11-02T18:40:30+01:00']) {
        if (t >= Date.parse(at) && !restarts.includes(Date.parse(at))) {
          restarts.push(Date.parse(at));
          pg().restart();
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
  }, CLUSTER_DAY_TIMEOUT_MS);

  it("windows longer than the helpdesk's clock skew (10 minutes): no message refused as from the future, the same decisions, the HTML report's charts", async () => {
    const file = 'tests/fixtures/fleet/engine-12-long-windows.yaml';
    const embedded = await replayWithSeries(file, 7);
    const clustered = await replayWithSeries(file, 7, { natsUrls: nats().natsUrls, mqttUrls: nats().mqttUrls, db: await pg().createDatabase('longwindows'), partitions: 4, workers: 2 });
    expect(clustered.report.messages.rejectedByCode).toEqual({});
    expect(clustered.report.messages.rejected).toBe(0);
    expect(decisions(clustered.report)).toEqual(decisions(embedded.report));
    // the partitions' series, put together: every device's chart, every incident's, every load's tariff window
    const s = clustered.series!;
    expect(new Set(s.devices.map((d) => partitionOf(d.customerId, 4))).size).toBeGreaterThan(1);
    expect(s.incidents.length).toBeGreaterThan(0);
    expect(s.loads.length).toBeGreaterThan(0);
    expect(s).toEqual(embedded.series);
    // and the HTML report itself (command ids are numbered per partition: compared as c-#)
    const html = (r: typeof embedded): string => renderReportHtml(r.report, r.series!).replace(/c-[a-z0-9]+(-p\d+)?-\d+/g, 'c-#');
    expect(html(clustered)).toBe(html(embedded));
  }, 600_000);
});
