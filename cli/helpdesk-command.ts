/**
 * `evernet helpdesk [--broker URL] [--db FILE] [--http HOST:PORT] [--world FILE]`: the helpdesk as a
 * live service with the dashboard. Without --broker it starts the embedded broker in the same process.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../log/logger.js';
import { loadScenario } from '../scenarios/load.js';
import { directoryOf } from '../scenarios/directory.js';
import { defaultDbPath } from '../helpdesk/tickets/default-db-path.js';
import { startHelpdeskStack } from '../stack/helpdesk-stack.js';
import { DEFAULT_WORLD } from '../stack/paths.js';
import { parseHostPort } from './host-port.js';
import { UsageError } from './errors.js';
import { CLOCK_OPTIONS, clockFrom } from './clock-option.js';

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
      ...CLOCK_OPTIONS,
    },
  });
  const clock = clockFrom(values);
  const http = parseHostPort(values.http ?? '127.0.0.1:8080', '--http');
  const mqttPort = values['mqtt-port'] === undefined ? 1883 : Number(values['mqtt-port']);
  if (!Number.isInteger(mqttPort) || mqttPort < 0 || mqttPort > 65535) throw new UsageError(`--mqtt-port must be a port number, got '${values['mqtt-port']}'`);
  const log = createLogger({ clock, level: values['log-level'] ?? 'info', pretty: process.stderr.isTTY });
  // world, databases and ports are checked before the helpdesk connects (see stack/helpdesk-stack.ts),
  // so a helpdesk that cannot work never takes its queue off the broker
  const world = loadScenario(values.world ?? DEFAULT_WORLD);
  const dbPath = values.db ?? defaultDbPath();
  let failure: Error | null = null;
  let wake: () => void = () => {};
  const stack = await startHelpdeskStack({
    directory: directoryOf(world), clock, log, db: dbPath, live: true,
    ...(values.broker ? { brokerUrl: values.broker } : { broker: { port: mqttPort } }),
    dashboard: { host: http.host, port: http.port },
    helpdesk: {
      onFatal: (err) => {
        failure = err;
        wake();
      },
    },
  });
  try {
    process.stderr.write(`evernet helpdesk: dashboard at ${stack.dashboard!.url}, MQTT at ${stack.brokerUrl}, tickets in ${dbPath}\n`);
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
