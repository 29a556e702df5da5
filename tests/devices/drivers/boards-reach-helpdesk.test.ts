/**
 * Boards end to end in one process, with every part real: the software Firmata board (pins driven by
 * the device models) -> johnny-five -> the board driver -> the embedded broker -> the helpdesk
 * (ingest, detectors, tickets and loads in SQLite, the planner on the bundled 2020 tariff) -> back to
 * the board. One VirtualClock for all, moved by hand.
 *
 *   the car board with current sensing and a failing alternator -> a battery-discharge ticket
 *   the washer board: armed -> flex offer -> the helpdesk's plan -> schedule-start -> the board presses
 *   start at the planned time -> the load runs from its planned start, and finishes
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import type { BoardConfig } from '../../../devices/drivers/board-file.js';
import { loadBoardFile } from '../../../devices/drivers/load-board-file.js';
import { drillParams } from '../../../devices/simulator/drills.js';
import type { Directory } from '../../../helpdesk/directory.js';
import type { Helpdesk } from '../../../helpdesk/service.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../../stack/helpdesk-stack.js';
import { silentLogger } from '../../../log/logger.js';
import { until } from '../../helpers/until.js';
import { riggedBoards } from './rigged-board.js';

/** Monday 2 November 2020, 17:00 UTC (18:00 in Cologne): inside the bundled tariff */
const T0 = Date.UTC(2020, 10, 2, 17);

const CAR: BoardConfig = { ...loadBoardFile('boards/car-battery.yaml'), sampling: { everyMs: 20, window: 3 } };
const washerFile = loadBoardFile('boards/washer.yaml');
const WASHER: BoardConfig = { ...washerFile, sampling: { everyMs: 20, window: 3 }, publish: { everyS: 60 }, flexOffer: { ...washerFile.flexOffer!, timeZone: 'Europe/Berlin' } };

function directoryFor(configs: BoardConfig[]): Directory {
  return {
    customers: [
      {
        id: 'maria',
        name: 'Maria',
        home: { lat: 50.9413, lon: 6.9583 },
        preferences: { channels: ['app-push', 'sms', 'email'], phone: '+49 221 5550100', timeZoneOffsetMinutes: 60 },
        devices: configs.map((c) => ({ id: c.deviceId, kind: c.kind, customerId: 'maria', name: c.name ?? c.deviceId })),
      },
    ],
    stores: [],
    workshops: [],
  };
}

describe('boards end to end through a real helpdesk', () => {
  let clock = new VirtualClock(T0);
  let stack: HelpdeskStack;
  let helpdesk: Helpdesk;
  const boards = riggedBoards(() => clock);
  const started: Array<{ device: { stats(): { published: number } } }> = [];

  beforeEach(async () => {
    clock = new VirtualClock(T0);
    stack = await startHelpdeskStack({ directory: directoryFor([CAR, WASHER]), clock, log: silentLogger(), helpdesk: { clientId: 'evernet-helpdesk-boards-e2e' } });
    helpdesk = stack.helpdesk;
  });
  afterEach(async () => {
    started.length = 0;
    await stack.stop();
  });

  /** waits until the helpdesk has received what the boards published, then lets it process up to now */
  async function processed(): Promise<void> {
    const published = () => started.reduce((n, b) => n + b.device.stats().published, 0);
    await until(() => helpdesk.stats().received >= published(), 5000, 'the helpdesk to receive what the boards published');
    helpdesk.advance(clock.now());
  }
  /** moves event time by `ms` in chunks, the helpdesk processing after each */
  async function live(ms: number, chunkMs: number, stepMs: number): Promise<void> {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      await boards.pass(Math.min(chunkMs, end - clock.now()), stepMs, 25);
      await processed();
    }
  }

  it('the car board with current sensing and a failing alternator opens a battery-discharge ticket', async () => {
    const car = await boards.start(CAR, stack.brokerUrl, { params: drillParams('car-battery', 'failing-alternator', T0) });
    started.push(car);
    // the drive starts at +10 s, the alternator fails at +2 min; the detector wants a minute of it
    await live(6 * 60_000, 30_000, 5000);
    const tickets = helpdesk.tickets({ deviceId: CAR.deviceId });
    expect(tickets.map((t) => t.kind)).toEqual(['battery-discharge']);
    const t = tickets[0]!;
    expect(t.openedAt).toBeGreaterThan(T0 + 2 * 60_000 + 60_000);
    expect(t.openedAt).toBeLessThan(T0 + 5 * 60_000);
    expect(String(t.evidence.observed)).toMatch(/discharging at 2\d(\.\d)? A for \d+ s with the engine running, 1[12](\.\d+)? V/);
    expect(helpdesk.stats().rejected).toBe(0);
  });

  it('the washer board: flex offer -> the helpdesk plans on the tariff -> started at the planned time -> finished', async () => {
    // 20:30 in Cologne: the laundry is loaded (the helpdesk runs on the same clock)
    clock.set(Date.UTC(2020, 10, 2, 19, 30));
    const w = await boards.start(WASHER, stack.brokerUrl);
    started.push(w);
    await live(10_000, 5000, 1000);
    await w.rig.pressArm(120);
    await boards.passUntil(() => w.device.washer()?.offer !== null, 'the board to arm');
    // the helpdesk plans the offer and sends schedule-start; the board takes it
    await until(
      async () => {
        await live(2000, 1000, 1000);
        return w.device.washer()?.startAt !== null;
      },
      8000,
      () => `the plan to reach the board: ${JSON.stringify(helpdesk.loads().loads)} ${JSON.stringify(w.device.washer())} ${JSON.stringify(helpdesk.stats())}`,
    );
    const [load] = helpdesk.loads().loads;
    expect(load).toMatchObject({ deviceId: WASHER.deviceId, programme: 'cotton-40', state: 'offered', planError: null });
    const planned = load!.plannedStart!;
    expect(w.device.washer()!.startAt).toBe(planned);
    // the cheapest start of the night lies hours ahead (in the 2020 tariff: around 03:00)
    expect(planned - clock.now()).toBeGreaterThan(3 * 3_600_000);

    await live(planned - 120_000 - clock.now(), 3_600_000, 600_000);
    expect(helpdesk.loads().loads[0]).toMatchObject({ state: 'offered', actualStart: null });
    await live(5 * 60_000, 60_000, 5000);
    await until(
      async () => {
        await live(5000, 5000, 1000);
        return helpdesk.loads().loads[0]!.state === 'running';
      },
      8000,
      'the load to run',
    );
    expect(helpdesk.loads().loads[0]!.actualStart).toBe(planned);

    // two hours of programme, then the power stays low: finished
    await live(7290_000 - 300_000, 1_800_000, 60_000);
    await live(900_000, 300_000, 15_000);
    await until(
      async () => {
        await live(20_000, 20_000, 5000);
        return helpdesk.loads().loads[0]!.state === 'finished';
      },
      10_000,
      'the load to finish',
    );
    const done = helpdesk.loads().loads[0]!;
    expect(done.finishedAt! - planned).toBeGreaterThanOrEqual(7290_000);
    expect(done.finishedAt! - planned).toBeLessThan(7290_000 + 12 * 60_000);
    // started on time, so it cost the optimum
    expect(done.costEur).toBeCloseTo(done.optimalCostEur!, 9);
    expect(helpdesk.stats().rejected).toBe(0);
  }, 60_000);
});
