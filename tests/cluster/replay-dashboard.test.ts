/**
 * A dashboard on a replay over the cluster (`evernet replay --cluster … --dashboard`, docs/scale.md):
 * the runner's view of every partition (cluster/view.ts), answered by the replay's workers under the
 * run's group. Tickets reach it live as the partitions open them, and at the end it lists the report's
 * tickets. A view of the default group (a live helpdesk's dashboard on the same NATS cluster) sees none
 * of them. Real processes on loopback; skipped where nats-server or PostgreSQL is not installed.
 */
import { describe, expect, it } from 'vitest';
import { createClusterView, type ClusterView } from '../../cluster/view.js';
import { connectCluster } from '../../cluster/nats/connect.js';
import { VirtualClock } from '../../contracts/clock.js';
import type { DashboardHelpdesk } from '../../helpdesk/web/deps.js';
import { createLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import { CLUSTER_DAY_TIMEOUT_MS, clusterReady, clusterSkipReason, useClusterAndPostgres } from '../helpers/cluster-replay.js';

describe.skipIf(!clusterReady)(`a dashboard's view of a replay over the cluster${clusterSkipReason}`, () => {
  const { pg, nats } = useClusterAndPostgres();

  it('sees every partition\'s tickets live and the report\'s at the end; a view of another group sees none', async () => {
    const scenario = loadScenario('tests/fixtures/problems/battery-batch.yaml');
    const clock = new VirtualClock(scenario.startMs);
    const log = createLogger({ clock, level: 'warn' });
    let view: DashboardHelpdesk | null = null;
    const live = new Set<string>();
    let atEnd: { view: string[]; report: string[]; partitions: number[]; other: { tickets: number; served: number[] } } | null = null;
    let release: () => void = () => undefined;
    const hold = new Promise<void>((r) => (release = r));
    const result = await replay({
      scenario, log, clock, seed: 2, stallTimeoutMs: 60_000,
      cluster: { natsUrls: nats().natsUrls, mqttUrls: nats().mqttUrls, db: await pg().createDatabase('replayview'), partitions: 4, workers: 2 },
      onView: (v) => {
        view = v;
        v.on((e) => void (e.type === 'ticket' && live.add(e.ticket.id)));
      },
      holdUntil: hold,
      onReplayed: (r) => {
        void (async () => {
          const v = view as ClusterView;
          await v.sync();
          // the default group's view on the same cluster: the replay's workers answer only under their run
          const nc = await connectCluster(nats().natsUrls, { name: 'other-view' });
          const other = createClusterView({ partitions: 4, clock, log, requestTimeoutMs: 1000 });
          await other.start({ nc, local: () => undefined });
          await other.sync();
          atEnd = {
            view: v.tickets().map((t) => t.id).sort(),
            report: r.report.tickets.map((t) => t.id).sort(),
            partitions: v.served(),
            other: { tickets: other.tickets().length, served: other.served() },
          };
          other.stop();
          await nc.close();
        })().finally(release);
      },
    });
    expect(view).not.toBeNull();
    expect(result.report.tickets.length).toBeGreaterThan(2);
    expect(atEnd).not.toBeNull();
    const end = atEnd!;
    expect(end.partitions.sort()).toEqual([0, 1, 2, 3]);
    expect(end.view).toEqual(end.report);
    // told as they opened, not only read at the end
    expect([...live].sort()).toEqual(end.report);
    expect(end.other).toEqual({ tickets: 0, served: [] });
  }, CLUSTER_DAY_TIMEOUT_MS);
});
