/**
 * `evernet helpdesk --cluster NATS_URLS --cluster-mqtt MQTT_URLS --db postgres://… [--partitions 4]
 * [--worker-id ID] [--http HOST:PORT] [the helpdesk's other flags]`: one helpdesk worker of a NATS
 * cluster (docs/scale.md, "Running workers"). It serves its share of the partitions (cluster/worker.ts),
 * each a helpdesk stack with what `evernet helpdesk` gives its one stack (world, registration, tariff,
 * retention, notifications) but no broker and no dashboard of its own. With --http it also serves the
 * dashboard on a view of every partition (cluster/view.ts), its staff accounts in the database's
 * public schema (where `evernet staff add --db postgres://…` puts them).
 *
 * What can fail for good fails before a partition is taken: the dashboard's database and port, then
 * PostgreSQL, the cluster and its stream (EVN_ERR_DB_CONNECT, EVN_ERR_CLUSTER_CONNECT,
 * EVN_ERR_CLUSTER_PARTITIONS). SIGINT or SIGTERM: each partition checkpoints once more and is released.
 */
import os from 'node:os';
import type { Logger } from 'pino';
import { partitionOf, type Clock } from '../contracts/index.js';
import type { Directory } from '../helpdesk/directory.js';
import type { NotifyConfig } from '../helpdesk/notify/notifier.js';
import type { RegistrationMode } from '../helpdesk/registry/index.js';
import { openStaffStore } from '../helpdesk/staff/store.js';
import type { TariffConfig } from '../helpdesk/tariffs/config.js';
import { createTariffProvider } from '../helpdesk/tariffs/create.js';
import { startDashboard, type RunningDashboard } from '../helpdesk/web/server.js';
import { listening, STACK_ERR } from '../stack/helpdesk-stack.js';
import { BUNDLED_TARIFF } from '../stack/paths.js';
import { openPostgresDb, redactUrl } from '../stack/postgres-db.js';
import { startWorker, type RunningWorker } from '../cluster/worker.js';
import { servePartitionView } from '../cluster/view-serve.js';
import { createClusterView } from '../cluster/view.js';
import type { keepFrom } from './keep-option.js';
import { describeTariff } from './tariff-option.js';
import { UsageError } from './errors.js';

export interface ClusterWorkerArgs {
  natsUrls: string[];
  mqttUrls: string[];
  db: string;
  partitions: number;
  workerId: string | undefined;
  http: { host: string; port: number } | null;
  world: Directory | null;
  registration: RegistrationMode;
  timeZone: string;
  tariff: TariffConfig;
  keep: ReturnType<typeof keepFrom>;
  notify: NotifyConfig | undefined;
  clock: Clock;
  log: Logger;
}

const WORKER_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** runs one worker until SIGINT or SIGTERM; throws what stopped it otherwise */
export async function runClusterWorker(a: ClusterWorkerArgs): Promise<number> {
  const id = a.workerId ?? `${os.hostname()}-${process.pid}`;
  if (!WORKER_ID_RE.test(id)) throw new UsageError(`--worker-id must be 1 to 64 letters, digits, '.', '_' or '-', got '${id}'`);
  const { log, clock } = a;
  let failure: Error | null = null;
  let wake: () => void = () => {};
  const fail = (err: Error): void => {
    failure ??= err;
    wake();
  };
  // a signal during start stops the worker once it has started, with its last checkpoints (never halfway)
  let signalled = false;
  const onSignal = (): void => {
    signalled = true;
    wake();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // stopped in this order: the dashboard and its view, the worker (a last checkpoint per partition), the dashboard's database
  const front: Array<() => unknown> = [];
  let worker: RunningWorker | null = null;
  const closers: Array<() => unknown> = [];
  const stopAll = async (): Promise<void> => {
    const w = worker;
    for (const close of [...front.splice(0).reverse(), ...(w ? [() => w.stop()] : []), ...closers.splice(0).reverse()]) {
      try {
        await close();
      } catch (e) {
        log.error({ err: (e as Error).message }, 'stopping failed');
      }
    }
  };

  try {
    // the dashboard first: its database (the public schema: staff accounts) and its port, before any partition is taken
    let dashboard: RunningDashboard | null = null;
    let view: ReturnType<typeof createClusterView> | null = null;
    let tariffLine = '';
    if (a.http) {
      const pg = await openPostgresDb({ url: a.db, log, onFailure: fail });
      closers.push(() => pg.close());
      const staff = pg.wrap(openStaffStore({ path: pg.path, check: false }));
      closers.push(() => staff.close());
      const tariff = createTariffProvider(a.tariff, { clock, log, db: pg.path, checkDb: false, bundledPath: BUNDLED_TARIFF });
      await tariff.start();
      closers.push(() => tariff.stop());
      tariffLine = `  tariff: ${describeTariff(tariff.status())}\n`;
      const v = createClusterView({ partitions: a.partitions, clock, log });
      view = v;
      front.push(() => v.stop());
      const http = a.http;
      const d = await listening(() => startDashboard({ host: http.host, port: http.port, helpdesk: v, staff, log, tariff }), STACK_ERR.HTTP_LISTEN, `${http.host}:${http.port}`);
      dashboard = d;
      front.push(() => d.stop());
    }

    const partitionOfWorld = (p: number): Directory | undefined =>
      a.world ? { ...a.world, customers: a.world.customers.filter((c) => partitionOf(c.id, a.partitions) === p) } : undefined;
    worker = await startWorker({
      id, natsUrls: a.natsUrls, mqttUrls: a.mqttUrls, db: a.db, partitions: a.partitions, mode: 'live', clock, log,
      stackOptions: (p) => ({
        clock, log, tariff: a.tariff,
        ...(a.world ? { directory: partitionOfWorld(p) } : {}),
        registry: { mode: a.registration, timeZone: a.timeZone },
        telemetry: a.keep.telemetry,
        ...(a.notify ? { notify: a.notify } : {}),
        helpdesk: { detection: a.keep.detection, clientId: `evernet-helpdesk-p${p}` },
      }),
      // every partition tells the cluster's dashboard (whichever worker serves it) what happens, and answers it;
      // this worker's own dashboard also gets its partitions' telemetry (live charts, the page's clock)
      onPartition: (part, nc) => {
        const off = servePartitionView({ nc, partition: part.partition, helpdesk: part.helpdesk, worker: id, log });
        const v = view;
        const relay = v ? part.helpdesk.on((e) => void (e.type === 'telemetry' && v.relay(e))) : null;
        return () => {
          off();
          relay?.();
        };
      },
    });
    const running = worker;
    if (view) await view.start({ nc: running.nc, local: (p) => running.partition(p)?.helpdesk });

    process.stderr.write(
      `evernet helpdesk: worker ${id} on ${a.natsUrls.join(',')} (devices: ${a.mqttUrls.join(',')}), ${a.partitions} partitions in ${redactUrl(a.db)}\n` +
        `  serves its share of the partitions (${running.owned().length ? running.owned().join(', ') : 'taking them now'}); another worker started the same way shares them\n` +
        (dashboard ? `  dashboard at ${dashboard.url}: every partition's tickets\n` : '') +
        tariffLine,
    );
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (failure || signalled) resolve();
    });
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (failure) throw failure;
  return 0;
}
