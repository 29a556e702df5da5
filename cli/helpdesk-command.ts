/**
 * `evernet helpdesk [--broker URL] [--db FILE] [--http HOST:PORT] [--world FILE]`: the helpdesk as a
 * live service with the dashboard. Without --broker it starts the embedded broker in the same process.
 */
import { parseArgs } from 'node:util';
import { createBroker, type RunningBroker } from '../broker/server.js';
import { createLogger } from '../log/logger.js';
import { realClock } from '../scenarios/clock/real-clock.js';
import { loadScenario } from '../scenarios/load.js';
import { directoryOf } from '../scenarios/directory.js';
import { createHelpdesk } from '../helpdesk/service.js';
import { loadTariff } from '../helpdesk/schedule/tariff-file.js';
import { openSqliteStore } from '../helpdesk/tickets/sqlite-store.js';
import { openSqliteLoadStore } from '../helpdesk/loads/sqlite-store.js';
import { defaultDbPath } from '../helpdesk/tickets/default-db-path.js';
import { openStaffStore } from '../helpdesk/staff/index.js';
import { startDashboard } from '../helpdesk/web/server.js';
import { BUNDLED_TARIFF, DEFAULT_WORLD } from './paths.js';
import { parseHostPort } from './host-port.js';
import { UsageError } from './errors.js';

/** Runs a listen(); a port that cannot be bound becomes an error with `code` that names it. */
async function listening<T>(listen: () => Promise<T>, code: string, where: string): Promise<T> {
  try {
    return await listen();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? 'is in use by another process' : err.code === 'EACCES' ? 'may not be bound by this user' : `cannot be bound (${err.message})`;
    throw Object.assign(new Error(`${code}: ${where} ${why}`), { code });
  }
}

export async function helpdeskCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      broker: { type: 'string' },
      'mqtt-port': { type: 'string' },
      db: { type: 'string' },
      http: { type: 'string' },
      world: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const http = parseHostPort(values.http ?? '127.0.0.1:8080', '--http');
  const mqttPort = values['mqtt-port'] === undefined ? 1883 : Number(values['mqtt-port']);
  if (!Number.isInteger(mqttPort) || mqttPort < 0 || mqttPort > 65535) throw new UsageError(`--mqtt-port must be a port number, got '${values['mqtt-port']}'`);
  const log = createLogger({ clock: realClock, level: values['log-level'] ?? 'info', pretty: process.stderr.isTTY });
  // Everything that can fail for good is done before the broker sees the helpdesk: world, tariff,
  // databases (opened and checked), the embedded broker's and the dashboard's ports. Only then does
  // the helpdesk connect and subscribe, so a helpdesk that cannot work never takes its queue.
  const world = loadScenario(values.world ?? DEFAULT_WORLD);
  const tariff = loadTariff(BUNDLED_TARIFF);
  const dbPath = values.db ?? defaultDbPath();
  const closers: Array<() => unknown> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  let failure: Error | null = null;
  let wake: () => void = () => {};
  try {
    const store = openSqliteStore({ path: dbPath });
    closers.push(() => store.close());
    const staff = openStaffStore({ path: dbPath });
    closers.push(() => staff.close());
    const loads = openSqliteLoadStore({ path: dbPath });
    closers.push(() => loads.close());
    let broker: RunningBroker | null = null;
    if (!values.broker) {
      broker = await listening(() => createBroker({ port: mqttPort, log }).start(), 'EVN_ERR_MQTT_LISTEN', `127.0.0.1:${mqttPort}`);
      closers.push(() => broker!.stop());
    }
    const brokerUrl = values.broker ?? broker!.url;
    const helpdesk = createHelpdesk({
      brokerUrl, directory: directoryOf(world), tariff, store, loads, clock: realClock, log,
      onFatal: (err) => {
        failure = err;
        wake();
      },
    });
    const dashboard = await listening(
      () => startDashboard({ helpdesk, staff, log, host: http.host, port: http.port, tariff }),
      'EVN_ERR_HTTP_LISTEN',
      `${http.host}:${http.port}`,
    );
    closers.push(() => dashboard.stop());
    await helpdesk.start({ live: true });
    closers.splice(closers.length - 1, 0, () => helpdesk.stop()); // before the dashboard's stop
    process.stderr.write(`evernet helpdesk: dashboard at ${dashboard.url}, MQTT at ${brokerUrl}, tickets in ${dbPath}\n`);
    await new Promise<void>((resolve) => {
      wake = resolve;
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    await closeAll();
  }
  if (failure) throw failure;
  return 0;
}
