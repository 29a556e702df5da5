/**
 * `evernet board --config boards/fridge.yaml [--port /dev/ttyACM0] [--broker URL[,URL…] [--acks] | --embedded-broker [--mqtt-port N]]
 *                [--simulate [--simulate-fault NAME]] [--data-dir DIR] [--no-discovery] [--discovery-prefix homeassistant]
 *                [--ready-timeout MS] [--log-level L] [--clock-start ISO --clock-rate N]`
 *
 * Runs one board-backed device until SIGINT/SIGTERM. Without --port the one attached board is found;
 * without --broker it joins the helpdesk's broker at mqtt://127.0.0.1:1883 (what `evernet helpdesk`
 * starts), and says so with a hint when nothing listens there; --embedded-broker [--mqtt-port N]
 * starts a broker of its own instead (a board on its own, e.g. for Home Assistant); --simulate runs
 * the board file on the software Firmata board, its pins driven by the kind's physics model (no hardware needed);
 * a washer with a flex offer is armed once it is online (the simulated user presses the arm button), and
 * --simulate-fault names a drill (devices/simulator/drills.ts). --data-dir keeps the agent's outbox (SQLite)
 * and a washer's armed offer and planned start (JSON) across a restart of this process; without it both
 * live in memory, and a restarted washer board has forgotten its plan (the user arms it again).
 * For a helpdesk on a NATS cluster, --broker lists the nodes' MQTT listeners (the board moves to the next
 * when its node goes) and --acks keeps every reading until the helpdesk's partition confirms it.
 * Home Assistant discovery is on by default. Failures end as one line with their code, exit code 1
 * (2 for usage errors).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
import { createPhysicsRig, type PhysicsRig } from '../devices/simulator/physics.js';
import { drillNames, drillParams } from '../devices/simulator/drills.js';
import { boardAnnounce } from '../devices/drivers/announce.js';
import { jsonStateFile, type StateKeeper } from '../devices/drivers/state-file.js';
import { WasherCycleFile } from '../devices/drivers/washer-board.js';
import type { WasherCycleState } from '../devices/drivers/washer-cycle.js';
import { openSqliteOutboxStore } from '../devices/outbox/sqlite-store.js';
import type { OutboxStore } from '../devices/outbox/store.js';
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

export const BOARD_USAGE = `  evernet board --config FILE [--port PATH] [--broker URL[,URL...] [--acks] | --embedded-broker [--mqtt-port N]]
               [--simulate [--simulate-fault NAME]] [--data-dir DIR] [--no-discovery]
               [--discovery-prefix PREFIX] [--ready-timeout MS] [--log-level LEVEL]
  evernet board --config FILE --broker URL --remove-discovery

  board    runs an Arduino running StandardFirmata as an evernet device, as its board file
           (boards/*.yaml) wires it, and announces what it measures; announces it to Home Assistant
           (MQTT discovery) unless --no-discovery. It joins the helpdesk's broker
           (mqtt://127.0.0.1:1883) unless --broker or --embedded-broker says otherwise.
           --simulate runs the same file on a software board instead (a washer with a flex offer is
           armed once at start); --simulate-fault NAME drills a fault (car-battery: failing-alternator,
           parasitic-drain, weak-cell, drive; fridge: door-left-open, compressor-failure, door-ajar,
           worn-seal; washer: heater-failure, drain-blocked). --data-dir DIR keeps the outbox and a
           washer's armed offer and planned start across a restart of the board process.
           For a helpdesk on a NATS cluster (evernet helpdesk --cluster), --broker lists every node's
           MQTT listener, comma-separated (the board moves to the next when its node goes), and
           --acks keeps each reading until the helpdesk's partition confirms it (docs/scale.md).
           --remove-discovery clears the device's retained Home Assistant configs and exits.
`;

/** the first broker of the list something listens at (probeBroker); the last one's error when none does */
async function firstAnswering(urls: readonly string[], hint: string): Promise<string> {
  let last: unknown;
  for (const u of urls) {
    try {
      await probeBroker(u, hint);
      return u;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

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
      'simulate-fault': { type: 'string' },
      'data-dir': { type: 'string' },
      acks: { type: 'boolean' },
      ...CLOCK_OPTIONS,
    },
  });
  const clock = clockFrom(values);
  if (!values.config) throw new UsageError('board needs a board file, e.g. evernet board --config boards/fridge.yaml');
  // a list for a NATS cluster: every node's MQTT listener, the device moves to the next when one goes
  const brokers = values.broker?.split(',').map((u) => u.trim()) ?? [];
  for (const u of brokers) if (!/^(mqtts?|wss?|tcp):\/\//.test(u)) throw new UsageError(`--broker must be a URL like mqtt://host:1883 (or several, comma-separated), got '${u}'`);
  if (values.acks && values['embedded-broker']) throw new UsageError('--acks needs a helpdesk on a NATS cluster (its partitions confirm readings); a broker of its own has none: drop --acks or pass --broker');
  if (values.simulate && values.port) throw new UsageError('--simulate and --port exclude each other');
  if (values['simulate-fault'] !== undefined && !values.simulate) throw new UsageError('--simulate-fault goes with --simulate');
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
  let rig: PhysicsRig | null = null;
  let outbox: OutboxStore | null = null;
  const softwareBoard = values.simulate ? new SoftwareBoard() : null;
  try {
    const config = loadBoardFile(values.config);
    if (values['remove-discovery']) {
      if (!values.broker) throw new UsageError('--remove-discovery needs the --broker Home Assistant listens to');
      discovery = createDiscovery({ brokerUrl: brokers[0]!, log, prefix: values['discovery-prefix'] });
      await discovery.start();
      await discovery.remove(config);
      stderr.write(`evernet: removed ${config.kind} '${config.deviceId}' from Home Assistant\n`);
      return 0;
    }
    let connect: () => Promise<FirmataTransport>;
    let port: string;
    if (softwareBoard) {
      port = 'software board';
      const fault = values['simulate-fault'];
      const params = fault === undefined ? {} : drillParams(config.kind, fault, clock.now());
      if (params === null) throw new UsageError(`--simulate-fault '${fault}' is not a drill of a ${config.kind}: expected one of ${drillNames(config.kind).join(', ')}`);
      const r = (rig = createPhysicsRig({ board: softwareBoard, config, model: kindModel(config.kind), params, startAt: clock.now() }));
      r.advance(clock.now());
      // often, so the pins follow the model closely on a fast clock (--clock-rate)
      rigTimer = setInterval(() => r.advance(clock.now()), 100);
      connect = async () => plugIn(softwareBoard);
    } else {
      port = values.port ?? (await detectBoardPort());
      connect = () => openSerialLine(port);
    }
    let brokerUrl = brokers[0] ?? DEFAULT_BROKER_URL;
    let failoverUrls: string[] = [];
    if (values['embedded-broker']) {
      broker = await listening(() => createBroker({ port: mqttPort, log }).start(), STACK_ERR.MQTT_LISTEN, `127.0.0.1:${mqttPort}`, HINT_PORT_TAKEN);
      brokerUrl = broker.url;
    } else {
      // the first of the list that answers; the others, in order, when it goes
      const answering = await firstAnswering(brokers.length ? brokers : [brokerUrl], HINT_START_HELPDESK);
      brokerUrl = answering;
      failoverUrls = brokers.filter((u) => u !== answering);
    }
    const dataDir = values['data-dir'];
    let washerState: StateKeeper<WasherCycleState> | undefined;
    if (dataDir !== undefined) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const base = join(dataDir, `${config.customerId}-${config.deviceId}`);
      outbox = openSqliteOutboxStore({ path: `${base}.outbox.db` });
      if (config.kind === 'washer') washerState = jsonStateFile(`${base}.washer.json`, WasherCycleFile, log);
    }
    device = createBoardDevice({
      config, connect, port, brokerUrl, clock, log, readyTimeoutMs,
      ...(outbox ? { outbox } : {}), ...(washerState ? { washerState } : {}),
      ...(failoverUrls.length ? { failoverUrls } : {}), ...(values.acks ? { acks: true } : {}),
    });
    await device.start();
    // the simulated user has just loaded the washer: knob at half its travel, then the arm button
    // (unless the board came back with an offer of its own from --data-dir: it sent that one again)
    if (rig && config.flexOffer && !device.washer()?.offer) {
      if (config.flexOffer.delay) rig.setKnob(0.5);
      await rig.pressArm();
    }
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
    const measures = boardAnnounce(config).measures.join(', ');
    stderr.write(`evernet: ${config.kind} '${config.deviceId}' on ${port} is online at ${brokerUrl}${discovery ? ' (announced to Home Assistant)' : ''}; it measures ${measures}; Ctrl-C stops\n`);
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
    rig?.stop();
    await device?.stop().catch(() => {});
    outbox?.close();
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
