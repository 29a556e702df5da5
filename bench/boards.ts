/**
 * Group `boards`: readings per second one board agent sustains end to end on the software Firmata
 * device: pin -> Firmata bytes -> johnny-five -> the board driver -> its agent -> a real aedes broker
 * (port 0) -> a real helpdesk (ingest, detectors, history; SQLite in memory, the bundled tariff).
 *
 * The board file is bench/boards/fridge-fast.yaml: boards/fridge.yaml at the fastest rates a board
 * file allows (sample every 10 ms, which is also firmata-io's floor for the sampling interval;
 * publish every 0.1 s). Device and helpdesk share the wall clock (the driver stamps telemetry with
 * its clock's time, the helpdesk reasons in that event time); the helpdesk's watermark follows the
 * wall clock every 100 ms. A reading counts when the helpdesk's ingest accepted it within the
 * measured window (after a 1 s warm-up).
 *
 *   boards.readingsPerSecond        telemetry accepted by the helpdesk per second
 *   boards.publishedPerSecond       telemetry the board agent published per second (same window)
 *   boards.publishEveryMs           the board file's publish period: the configured ceiling
 *   boards.samplingIntervalMs       the sampling interval the software board actually runs at
 *   boards.analogReportsPerSecond   Firmata analog reports the software board sent per second
 *   boards.rejected                 messages the helpdesk rejected (expected 0)
 *   boards.cpuPercent               CPU of the whole pipeline (one Node process), % of one core
 *   boards.seconds                  length of the measured window
 *   boards.unthrottled.*            the same path with the publish period (0.001 s) and agent tick
 *                                   (1 ms) set below what a board file allows, in code; not a
 *                                   supported setting. One telemetry per 1 ms agent step is the
 *                                   finest the agent can go (event times are whole milliseconds), so
 *                                   1000/s is its ceiling; cpuPercent shows the headroom left there
 */
import { createBoardDevice } from '../devices/drivers/board-device.js';
import type { BoardConfig } from '../devices/drivers/board-file.js';
import { loadBoardFile } from '../devices/drivers/load-board-file.js';
import { createDuplexPair } from '../devices/firmata/duplex-pair.js';
import { createPhysicsRig } from '../devices/simulator/physics.js';
import { MSG } from '../devices/firmata/protocol.js';
import { SoftwareBoard } from '../devices/simulator/software-board.js';
import { firmataTransport, type FirmataTransport } from '../devices/firmata/transport.js';
import { KINDS } from '../devices/kinds/index.js';
import type { Directory } from '../helpdesk/directory.js';
import { startHelpdeskStack } from '../stack/helpdesk-stack.js';
import { silentLogger } from '../log/logger.js';
import { realClock } from '../contracts/clock.js';
import { round } from '../contracts/round.js';

export const BENCH_BOARD_FILE = 'bench/boards/fridge-fast.yaml';

export interface BoardRun {
  seconds: number;
  readingsPerSecond: number;
  publishedPerSecond: number;
  analogReportsPerSecond: number;
  samplingIntervalMs: number;
  rejected: number;
  /** CPU time of this process (board, driver, broker, helpdesk all run in it) per wall time, % of one core */
  cpuPercent: number;
  /** telemetry the helpdesk core processed (history, detectors) over the whole run */
  processed: number;
}

function directoryFor(c: BoardConfig): Directory {
  return {
    customers: [
      {
        id: c.customerId,
        name: 'Maria',
        home: { lat: 50.9413, lon: 6.9583 },
        preferences: { channels: ['app-push', 'email'], timeZoneOffsetMinutes: 60 },
        devices: [{ id: c.deviceId, kind: c.kind, customerId: c.customerId, name: c.name ?? c.deviceId }],
      },
    ],
    stores: [],
    workshops: [],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One board agent on the software board, publishing to a real helpdesk for `seconds` (after a warm-up). */
export async function runBoard(options: { config: BoardConfig; seconds: number; tickMs: number; warmupMs?: number }): Promise<BoardRun> {
  const { config } = options;
  const log = silentLogger();
  const stack = await startHelpdeskStack({ directory: directoryFor(config), clock: realClock, log, helpdesk: { clientId: 'evernet-helpdesk-bench-boards' } });
  const { helpdesk } = stack;
  let processed = 0;
  helpdesk.on((e) => {
    if (e.type === 'telemetry') processed++;
  });

  const board = new SoftwareBoard();
  // the fridge model drives the pins; it has taken a step before the board is plugged in
  const rig = createPhysicsRig({ board, config, model: KINDS[config.kind], params: { initialTempC: 5 }, startAt: Date.now() - 1000 });
  rig.advance(Date.now());

  // plugIn (devices/simulator/plug-in.ts), plus a tap on the host's end counting analog reports: every
  // Firmata analog message starts with the one byte 0xE0 | channel (data bytes are below 0x80)
  let analogReports = 0;
  const connect = async (): Promise<FirmataTransport> => {
    const [host, device] = createDuplexPair();
    board.attach(device);
    const transport = firmataTransport(host);
    host.on('data', (chunk: Buffer) => {
      for (const b of chunk) if ((b & 0xf0) === MSG.ANALOG) analogReports++;
    });
    return transport;
  };

  const device = createBoardDevice({ config, connect, port: 'software board', brokerUrl: stack.brokerUrl, clock: realClock, log, tickMs: options.tickMs, reconnectEveryMs: 0 });
  const pacer = setInterval(() => {
    rig.advance(Date.now());
    helpdesk.advance(Date.now());
  }, 100);
  try {
    await device.start();
    await sleep(options.warmupMs ?? 1000);
    const snap = () => ({ t: performance.now(), cpu: process.cpuUsage(), accepted: helpdesk.stats().accepted, published: device.stats().telemetry, analog: analogReports });
    const s0 = snap();
    await sleep(options.seconds * 1000);
    const s1 = snap();
    const dt = (s1.t - s0.t) / 1000;
    const stats = helpdesk.stats();
    return {
      seconds: round(dt, 2),
      readingsPerSecond: round((s1.accepted - s0.accepted) / dt, 1),
      publishedPerSecond: round((s1.published - s0.published) / dt, 1),
      analogReportsPerSecond: round((s1.analog - s0.analog) / dt, 1),
      samplingIntervalMs: board.samplingIntervalMs,
      cpuPercent: round((100 * (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system)) / 1e6 / dt, 1),
      rejected: stats.rejected,
      processed,
    };
  } finally {
    clearInterval(pacer);
    await device.stop();
    board.unplug();
    helpdesk.advance(Date.now());
    await stack.stop();
  }
}

export async function benchBoards(): Promise<Record<string, number | null>> {
  const config = loadBoardFile(BENCH_BOARD_FILE);
  const main = await runBoard({ config, seconds: 10, tickMs: 100 });
  if (main.processed === 0) throw new Error('bench boards: the helpdesk processed no telemetry');
  // below the board file's limits (set in code, not loadable from YAML): the path's own ceiling
  const fast: BoardConfig = { ...config, publish: { everyS: 0.001 } };
  const unthrottled = await runBoard({ config: fast, seconds: 5, tickMs: 1 });
  return {
    'boards.readingsPerSecond': main.readingsPerSecond,
    'boards.publishedPerSecond': main.publishedPerSecond,
    'boards.publishEveryMs': Math.round(config.publish.everyS * 1000),
    'boards.seconds': main.seconds,
    'boards.samplingIntervalMs': main.samplingIntervalMs,
    'boards.analogReportsPerSecond': main.analogReportsPerSecond,
    'boards.rejected': main.rejected,
    'boards.cpuPercent': main.cpuPercent,
    'boards.unthrottled.readingsPerSecond': unthrottled.readingsPerSecond,
    'boards.unthrottled.publishedPerSecond': unthrottled.publishedPerSecond,
    'boards.unthrottled.analogReportsPerSecond': unthrottled.analogReportsPerSecond,
    'boards.unthrottled.rejected': unthrottled.rejected,
    'boards.unthrottled.cpuPercent': unthrottled.cpuPercent,
  };
}

