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
import { defaultDbPath } from '../helpdesk/tickets/default-db-path.js';
import { openStaffStore } from '../helpdesk/staff/index.js';
import { startDashboard } from '../helpdesk/web/server.js';
import { BUNDLED_TARIFF, DEFAULT_WORLD } from './paths.js';
import { parseHostPort } from './host-port.js';
import { UsageError } from './errors.js';

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
  const world = loadScenario(values.world ?? DEFAULT_WORLD);
  const dbPath = values.db ?? defaultDbPath();
  const store = openSqliteStore({ path: dbPath });
  const staff = openStaffStore({ path: dbPath });
  const tariff = loadTariff(BUNDLED_TARIFF);
  let broker: RunningBroker | null = null;
  if (!values.broker) broker = await createBroker({ port: mqttPort, log }).start();
  const helpdesk = createHelpdesk({ brokerUrl: values.broker ?? broker!.url, directory: directoryOf(world), tariff, store, clock: realClock, log });
  await helpdesk.start({ live: true });
  const dashboard = await startDashboard({ helpdesk, staff, log, host: http.host, port: http.port, tariff });
  process.stderr.write(`evernet helpdesk: dashboard at ${dashboard.url}, MQTT at ${values.broker ?? broker!.url}, tickets in ${dbPath}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dashboard.stop();
  await helpdesk.stop();
  if (broker) await broker.stop();
  staff.close();
  store.close();
  return 0;
}
