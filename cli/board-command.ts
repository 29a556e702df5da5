/**
 * `evernet board --config boards/fridge.yaml [--port /dev/ttyACM0] [--broker URL | --embedded-broker [--mqtt-port N]] [--simulate]
 *                [--no-discovery] [--discovery-prefix homeassistant] [--ready-timeout MS] [--log-level L]`
 *
 * Runs one board-backed device until SIGINT/SIGTERM. Without --port the one attached board is found;
 * without --broker it joins the helpdesk's broker at mqtt://127.0.0.1:1883 (what `evernet helpdesk`
 * starts), and says so with a hint when nothing listens there; --embedded-broker [--mqtt-port N]
 * starts a broker of its own instead (a board on its own, e.g. for Home Assistant); --simulate runs
 * the board file on the software Firmata board, its pins driven by the kind's physics model (no hardware needed).
 * Home Assistant discovery is on by default. Failures end as one line with their code, exit code 1
 * (2 for usage errors).
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { createBroker, type RunningBroker } from '../broker/server.js';
import { createLogger } from '../log/logger.js';
import { CLOCK_OPTIONS, clockFrom } from './clock-option.js';
import { createBoardDevice, type BoardDevice } from '../devices/drivers/board-device.js';
import { READINGS, type BoardConfig } from '../devices/drivers/board-file.js';
import { BoardError } from '../devices/drivers/errors.js';
import { loadBoardFile } from '../devices/drivers/load-board-file.js';
import { detectBoardPort, openSerialLine } from '../devices/drivers/serial.js';
import { createDiscovery, type Discovery } from '../devices/discovery/publisher.js';
import { plugIn } from '../devices/simulator/plug-in.js';
import { createPhysicsRig } from '../devices/simulator/physics.js';
import { SoftwareBoard } from '../devices/simulator/software-board.js';
import { kindModel } from '../devices/kinds/index.js';
import type { FirmataTransport } from '../devices/firmata/transport.js';
import { listening, STACK_ERR } from '../stack/helpdesk-stack.js';
import { probeBroker } from './broker-probe.js';
import { UsageError } from './errors.js';

/** where `evernet helpdesk` runs its embedded broker */
export const DEFAULT_BROKER_URL = 'mqtt://127.0.0.1:1883';
const HINT_START_HELPDESK = 'is `evernet helpdesk` running? start it first, or pass --broker URL (any MQTT broker) or --embedded-broker (a broker of its own)';
const HINT_PORT_TAKEN = 'is `evernet helpdesk` already running? use --broker URL to join its broker, or --mqtt-port N';

export const BOARD_USAGE = `  evernet board --config FILE [--port PATH] [--broker URL | --embedded-broker [--mqtt-port N]]
               [--simulate] [--no-discovery] [--discovery-prefix PREFIX] [--ready-timeout MS] [--log-level LEVEL]
  evernet board --config FILE --broker URL --remove-discovery

  board    runs an Arduino running StandardFirmata as an evernet device, as its board file
           (boards/*.yaml) wires it; announces it to Home Assistant (MQTT discovery) unless
           --no-discovery. It joins the helpdesk's broker (mqtt://127.0.0.1:1883) unless --broker or
           --embedded-broker says otherwise. --simulate runs the same file on a software board instead.
           --remove-discovery clears the device's retained Home Assistant configs and exits.
`;

/** Readings Home Assistant should show for a board: measured, or derived from what is measured. */
const DERIVED: Record<BoardConfig['kind'], string[]> = {
  fridge: ['setpointC', 'powerW'],
  'car-battery': ['engineRunning', 'batterySaver'],
  washer: ['phase'],
};
function hiddenReadings(config: BoardConfig): string[] {
  const shown = new Set([...config.readings.filter((r) => r.spec.sensor !== 'fixed').map((r) => r.key), ...DERIVED[config.kind]]);
  return Object.keys(READINGS[config.kind].shape).filter((k) => !shown.has(k));
}

export interface BoardCommandIo {
  /** ends the run like SIGINT does (tests) */
  signal?: AbortSignal;
  stderr?: NodeJS.WritableStream;
  log?: Logger;
}

export async function boardCommand(argv: string[], io: BoardCommandIo = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      broker: { type: 'string' },
      'embedded-broker': { type: 'boolean' },
      'mqtt-port': { type: 'string' },
      simulate: { type: 'boolean' },
      'no-discovery': { type: 'boolean' },
      'remove-discovery': { type: 'boolean' },
      'discovery-prefix': { type: 'string' },
      'ready-timeout': { type: 'string' },
      'log-level': { type: 'string' },
      ...CLOCK_OPTIONS,
    },
  });
  const clock = clockFrom(values);
  if (!values.config) throw new UsageError('board needs a board file, e.g. evernet board --config boards/fridge.yaml');
  if (values.broker && !/^(mqtts?|wss?|tcp):\/\//.test(values.broker)) throw new UsageError(`--broker must be a URL like mqtt://host:1883, got '${values.broker}'`);
  if (values.simulate && values.port) throw new UsageError('--simulate and --port exclude each other');
  if (values['embedded-broker'] && values.broker) throw new UsageError('--embedded-broker and --broker exclude each other');
  const mqttPort = values['mqtt-port'] === undefined ? 1883 : Number(values['mqtt-port']);
  if (!Number.isInteger(mqttPort) || mqttPort < 0 || mqttPort > 65535) throw new UsageError(`--mqtt-port must be a port number, got '${values['mqtt-port']}'`);
  if (values['mqtt-port'] !== undefined && !values['embedded-broker']) throw new UsageError('--mqtt-port goes with --embedded-broker');
  const readyTimeoutMs = values['ready-timeout'] === undefined ? undefined : Number(values['ready-timeout']);
  if (readyTimeoutMs !== undefined && !(readyTimeoutMs > 0)) throw new UsageError(`--ready-timeout must be a positive number of ms, got '${values['ready-timeout']}'`);

  const log = io.log ?? createLogger({ clock, level: values['log-level'] ?? 'info', pretty: process.stderr.isTTY });
  let broker: RunningBroker | null = null;
  let device: BoardDevice | null = null;
  let discovery: Discovery | null = null;
  let rigTimer: NodeJS.Timeout | null = null;
  const softwareBoard = values.simulate ? new SoftwareBoard() : null;
  try {
    const config = loadBoardFile(values.config);
    if (values['remove-discovery']) {
      if (!values.broker) throw new UsageError('--remove-discovery needs the --broker Home Assistant listens to');
      discovery = createDiscovery({ brokerUrl: values.broker, log, prefix: values['discovery-prefix'] });
      await discovery.start();
      await discovery.remove(config);
      stderr.write(`evernet: removed ${config.kind} '${config.deviceId}' from Home Assistant\n`);
      return 0;
    }
    let connect: () => Promise<FirmataTransport>;
    let port: string;
    if (softwareBoard) {
      port = 'software board';
      const rig = createPhysicsRig({ board: softwareBoard, config, model: kindModel(config.kind), startAt: clock.now() });
      rig.advance(clock.now());
      rigTimer = setInterval(() => rig.advance(clock.now()), 1000);
      connect = async () => plugIn(softwareBoard);
    } else {
      port = values.port ?? (await detectBoardPort());
      connect = () => openSerialLine(port);
    }
    let brokerUrl = values.broker ?? DEFAULT_BROKER_URL;
    if (values['embedded-broker']) {
      broker = await listening(() => createBroker({ port: mqttPort, log }).start(), STACK_ERR.MQTT_LISTEN, `127.0.0.1:${mqttPort}`, HINT_PORT_TAKEN);
      brokerUrl = broker.url;
    } else await probeBroker(brokerUrl, HINT_START_HELPDESK);
    device = createBoardDevice({ config, connect, port, brokerUrl, clock, log, readyTimeoutMs });
    await device.start();
    if (!values['no-discovery']) {
      discovery = createDiscovery({ brokerUrl, log, prefix: values['discovery-prefix'] });
      await discovery.start();
      await discovery.add({
        customerId: config.customerId,
        deviceId: config.deviceId,
        kind: config.kind,
        ...(config.name ? { name: config.name } : {}),
        model: softwareBoard ? 'software board' : `Arduino, ${port}`,
        hide: hiddenReadings(config),
      });
    }
    stderr.write(`evernet: ${config.kind} '${config.deviceId}' on ${port} is online at ${brokerUrl}${discovery ? ' (announced to Home Assistant)' : ''}; Ctrl-C stops\n`);
    await untilStopped(io.signal);
    return 0;
  } catch (e) {
    if (e instanceof BoardError) {
      stderr.write(`evernet: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    if (rigTimer) clearInterval(rigTimer);
    await device?.stop().catch(() => {});
    await discovery?.stop().catch(() => {});
    softwareBoard?.unplug();
    await broker?.stop().catch(() => {});
  }
}

function untilStopped(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    if (signal?.aborted) return done();
    signal?.addEventListener('abort', done, { once: true });
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
