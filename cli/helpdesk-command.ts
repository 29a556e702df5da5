/**
 * `evernet helpdesk [--broker URL [--registration trust-broker|pending]] [--db FILE|postgres://…] [--http HOST:PORT]
 * [--world FILE] [--time-zone ZONE] [tariff flags] [--keep-raw H] [--keep-minutes D] [--silent-after N] [--offline-after MIN] [notify flags]`: the helpdesk as a live service with the dashboard.
 * Without --broker it starts the embedded broker in the same process. Customers and devices live in the
 * registry on --db (a SQLite file, or a PostgreSQL URL: docs/scale.md); --world seeds it from a scenario file (docs/devices.md). Loads are planned on the
 * tariff the flags name (tariff-option.ts, docs/tariffs.md).
 * With `--cluster NATS_URLS --cluster-mqtt MQTT_URLS --db postgres://… [--partitions N] [--worker-id ID]` it is
 * one worker of a NATS cluster instead, with the dashboard of every partition on --http (helpdesk-cluster.ts, docs/scale.md).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../log/logger.js';
import { loadScenario } from '../scenarios/load.js';
import { directoryOf } from '../scenarios/directory.js';
import { defaultDbPath } from '../helpdesk/tickets/default-db-path.js';
import { startHelpdeskStack } from '../stack/helpdesk-stack.js';
import { redactUrl, isPostgresUrl } from '../stack/postgres-db.js';
import { canonicalZone, REGISTRATION_MODES, type RegistrationMode } from '../helpdesk/registry/index.js';
import { parseHostPort } from './host-port.js';
import { UsageError } from './errors.js';
import { CLOCK_OPTIONS, clockFrom } from './clock-option.js';
import { describeTariff, TARIFF_OPTIONS, tariffFrom } from './tariff-option.js';
import { KEEP_OPTIONS, keepFrom } from './keep-option.js';
import { NOTIFY_OPTIONS, notifyFrom } from './notify-option.js';
import { CLUSTER_OPTIONS, parseClusterFlags } from './cluster-option.js';
import { runClusterWorker } from './helpdesk-cluster.js';

export async function helpdeskCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      broker: { type: 'string' },
      'mqtt-port': { type: 'string' },
      db: { type: 'string' },
      http: { type: 'string' },
      world: { type: 'string' },
      registration: { type: 'string' },
      'time-zone': { type: 'string' },
      'log-level': { type: 'string' },
      'worker-id': { type: 'string' },
      ...CLUSTER_OPTIONS,
      ...CLOCK_OPTIONS,
      ...TARIFF_OPTIONS,
      ...KEEP_OPTIONS,
      ...NOTIFY_OPTIONS,
    },
  });
  // one worker of a NATS cluster (cli/helpdesk-cluster.ts): --workers is a replay's, a worker is one process
  if (values.workers !== undefined) throw new UsageError('--workers belongs to evernet replay --cluster: evernet helpdesk --cluster runs one worker; start one process per worker (docs/scale.md)');
  const cluster = parseClusterFlags(values);
  if (cluster && (values.broker !== undefined || values['mqtt-port'] !== undefined)) {
    throw new UsageError("--cluster takes the devices' messages from the cluster (--cluster-mqtt): --broker and --mqtt-port do not go with it");
  }
  if (!cluster && values['worker-id'] !== undefined) throw new UsageError('--worker-id goes with --cluster');
  const keep = keepFrom(values);
  const notify = notifyFrom(values);
  const clock = clockFrom(values);
  const tariff = tariffFrom(values);
  const http = parseHostPort(values.http ?? '127.0.0.1:8080', '--http');
  const mqttPort = values['mqtt-port'] === undefined ? 1883 : Number(values['mqtt-port']);
  if (!Number.isInteger(mqttPort) || mqttPort < 0 || mqttPort > 65535) throw new UsageError(`--mqtt-port must be a port number, got '${values['mqtt-port']}'`);
  const registration = values.registration ?? 'pending';
  if (!(REGISTRATION_MODES as readonly string[]).includes(registration)) throw new UsageError(`--registration must be one of ${REGISTRATION_MODES.join(', ')}, got '${registration}'`);
  if (registration === 'trust-broker' && !values.broker && !cluster) {
    throw new UsageError('--registration trust-broker needs --broker URL of a broker that authenticates its devices (evernet broker --credentials): the embedded broker lets anyone publish as any device');
  }
  // customers who register through a device live where the helpdesk does, until staff say otherwise
  const zone = values['time-zone'] ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const timeZone = canonicalZone(zone);
  if (!timeZone) throw new UsageError(`--time-zone must be an IANA time zone such as Europe/Berlin, got '${zone}'`);
  const log = createLogger({ clock, level: values['log-level'] ?? 'info', pretty: process.stderr.isTTY });
  // world, databases and ports are checked before the helpdesk connects (see stack/helpdesk-stack.ts),
  // so a helpdesk that cannot work never takes its queue off the broker
  const world = values.world === undefined ? null : loadScenario(values.world);
  if (cluster) {
    return runClusterWorker({
      ...cluster, workerId: values['worker-id'], http: values.http === undefined ? null : http, world: world ? directoryOf(world) : null,
      registration: registration as RegistrationMode, timeZone, tariff, keep, notify, clock, log,
    });
  }
  const dbPath = values.db ?? defaultDbPath();
  let failure: Error | null = null;
  let wake: () => void = () => {};
  const stack = await startHelpdeskStack({
    ...(world ? { directory: directoryOf(world) } : {}), clock, log, db: dbPath, live: true, tariff,
    registry: { mode: registration as RegistrationMode, timeZone },
    ...(values.broker ? { brokerUrl: values.broker } : { broker: { port: mqttPort } }),
    dashboard: { host: http.host, port: http.port },
    telemetry: keep.telemetry,
    ...(notify ? { notify } : {}),
    helpdesk: {
      detection: keep.detection,
      onFatal: (err) => {
        failure = err;
        wake();
      },
    },
  });
  try {
    const devices = stack.registry.devices();
    const pending = devices.filter((d) => d.state === 'pending').length;
    process.stderr.write(
      `evernet helpdesk: dashboard at ${stack.dashboard!.url}, MQTT at ${stack.brokerUrl}, tickets in ${isPostgresUrl(dbPath) ? redactUrl(dbPath) : dbPath}\n` +
        `  registry: ${stack.registry.customers().length} customer(s), ${devices.length} device(s)${pending ? `, ${pending} awaiting acceptance` : ''}; ` +
        `devices that announce themselves ${registration === 'trust-broker' ? 'are registered at once (the broker authenticates them)' : 'wait for staff to accept them (dashboard, or evernet devices accept CUSTOMER/DEVICE)'}\n` +
        `  tariff: ${describeTariff(stack.tariff.status())}\n`,
    );
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (failure) resolve();
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    await stack.stop();
  }
  if (failure) throw failure;
  return 0;
}
