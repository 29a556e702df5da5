/**
 * Board-backed devices all the way to a real helpdesk: the software Firmata board (pins driven by
 * the device models) -> johnny-five -> the board driver -> a real aedes broker on port 0 -> the
 * helpdesk service (ingest, detectors, tickets in SQLite, staff actions) -> back to the board's
 * relay pin.
 *
 * Time: the board driver ticks its agent on the injected clock and stamps telemetry with that
 * clock's time; the helpdesk reasons in event time. Both get the same VirtualClock here, moved by
 * hand (in real-time steps while the boards settle, in large steps to let three minutes of an open
 * door pass). The physics rigs follow the same clock. The board's own I/O (Firmata sampling, the
 * relay pulse) stays real-time: it is only the event time that is shortened.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBoardDevice, type BoardDevice } from '../../../devices/drivers/board-device.js';
import type { BoardConfig } from '../../../devices/drivers/board-file.js';
import { loadBoardFile } from '../../../devices/drivers/load-board-file.js';
import { plugIn } from '../../../devices/simulator/plug-in.js';
import { createPhysicsRig } from '../../../devices/simulator/physics.js';
import { SoftwareBoard } from '../../../devices/simulator/software-board.js';
import { KINDS } from '../../../devices/kinds/index.js';
import { FRIDGE_DOOR } from '../../../helpdesk/detect/fridge-door-open.js';
import type { Directory } from '../../../helpdesk/directory.js';
import type { Helpdesk } from '../../../helpdesk/service.js';
import * as life from '../../../helpdesk/tickets/lifecycle.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../../stack/helpdesk-stack.js';
import type { TicketStore } from '../../../helpdesk/tickets/store.js';
import { silentLogger } from '../../../log/logger.js';
import { VirtualClock } from '../../../contracts/clock.js';
import { until } from '../../helpers/until.js';

const log = silentLogger();
/** Monday 2 November 2020, 10:00 CET: inside the bundled tariff, outside quiet hours */
const START = Date.UTC(2020, 10, 2, 9);

/** A shipped board file, sped up for a test: sample every 20 ms, publish 5 times a second (event time). */
function fastConfig(file: string): BoardConfig {
  const c = loadBoardFile(file);
  return { ...c, sampling: { everyMs: 20, window: 3 }, publish: { everyS: 0.2 } };
}

const FRIDGE = fastConfig('boards/fridge.yaml');
const WASHER = fastConfig('boards/washer.yaml');

/** The helpdesk knows the boards under the ids their board files give. */
function directoryFor(configs: BoardConfig[]): Directory {
  const customerIds = [...new Set(configs.map((c) => c.customerId))];
  return {
    customers: customerIds.map((id) => ({
      id,
      name: 'Maria',
      home: { lat: 50.9413, lon: 6.9583 },
      preferences: { channels: ['app-push', 'sms', 'email'], phone: '+49 221 5550100', timeZoneOffsetMinutes: 60 },
      devices: configs.filter((c) => c.customerId === id).map((c) => ({ id: c.deviceId, kind: c.kind, customerId: id, name: c.name ?? c.deviceId })),
    })),
    stores: [],
    workshops: [],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('board-backed devices reach a real helpdesk', () => {
  let stack: HelpdeskStack;
  let store: TicketStore;
  let helpdesk: Helpdesk;
  let clock: VirtualClock;
  const boards: Array<{ device: BoardDevice; board: SoftwareBoard; rig: ReturnType<typeof createPhysicsRig> }> = [];

  beforeEach(async () => {
    clock = new VirtualClock(START);
    stack = await startHelpdeskStack({ directory: directoryFor([FRIDGE, WASHER]), clock, log, helpdesk: { clientId: 'evernet-helpdesk-board-test' } });
    ({ helpdesk, store } = stack);
  });
  afterEach(async () => {
    for (const b of boards.splice(0)) {
      await b.device.stop();
      b.board.unplug();
    }
    await stack.stop();
  });

  /** A board on the software Firmata board, its pins driven by the kind's model on the shared clock. */
  async function startBoard(config: BoardConfig, params: unknown = {}) {
    const board = new SoftwareBoard();
    // the model runs in 1 s steps; it has taken one before the board is plugged in, so every pin is
    // driven from the start (an undriven reed switch on a pull-up reads "door open")
    const rig = createPhysicsRig({ board, config, model: KINDS[config.kind], params, startAt: clock.now() - 1000 });
    rig.advance(clock.now());
    const device = createBoardDevice({ config, connect: async () => plugIn(board), port: 'software board', brokerUrl: stack.brokerUrl, clock, log, tickMs: 50 });
    const b = { device, board, rig };
    boards.push(b);
    await device.start();
    return b;
  }

  /** Moves event time by `ms` in steps of `stepMs`, letting each step's I/O happen (`pauseMs` real). */
  async function pass(ms: number, stepMs = 20, pauseMs = 20): Promise<void> {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.set(Math.min(end, clock.now() + stepMs));
      for (const b of boards) b.rig.advance(clock.now());
      await sleep(pauseMs);
    }
    // let the agents tick up to the final time
    await sleep(120);
  }

  /** Lets event time run in real time until `pred` holds (the driver takes readings as its agent steps). */
  async function passUntil(pred: () => boolean, what: string, maxMs = 3000): Promise<void> {
    const end = Date.now() + maxMs;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out after ${maxMs} ms waiting for ${what}`);
      clock.set(clock.now() + 20);
      for (const b of boards) b.rig.advance(clock.now());
      await sleep(20);
    }
  }

  /**
   * The clock stands still, so the agents publish nothing new: wait until the helpdesk has received
   * everything they published, then let it process up to now.
   */
  async function processed(): Promise<void> {
    const published = () => boards.reduce((n, b) => n + b.device.stats().published, 0);
    await until(() => helpdesk.stats().received >= published(), 5000, 'the helpdesk to receive what the boards published');
    helpdesk.advance(clock.now());
  }

  it('accepts the telemetry of a board fridge and a board washer, none rejected', async () => {
    const fridge = await startBoard(FRIDGE, { initialTempC: 5 });
    const washer = await startBoard(WASHER);
    await pass(2000);
    await processed();

    const s = helpdesk.stats();
    expect(s.accepted).toBeGreaterThan(0);
    expect(s.rejected).toBe(0);
    expect(s.byCode).toEqual({});

    const fridgeHistory = helpdesk.history(FRIDGE.customerId, FRIDGE.deviceId);
    const washerHistory = helpdesk.history(WASHER.customerId, WASHER.deviceId);
    expect(fridgeHistory.length).toBeGreaterThanOrEqual(5);
    expect(washerHistory.length).toBeGreaterThanOrEqual(5);
    // telemetry carries the board device's clock time, which is the helpdesk's event time
    for (const h of [...fridgeHistory, ...washerHistory]) {
      expect(h.ts).toBeGreaterThan(START);
      expect(h.ts).toBeLessThanOrEqual(clock.now());
    }
    const lastFridge = fridgeHistory.at(-1)!.readings as Record<string, unknown>;
    expect(lastFridge).toMatchObject({ doorOpen: false, setpointC: 4 });
    // a TMP36 on a 10-bit ADC at 5 V resolves 0.49 °C
    expect(Math.abs((lastFridge.cabinetTempC as number) - (fridge.rig.readings().cabinetTempC as number))).toBeLessThan(0.6);
    expect(washerHistory.at(-1)!.readings).toMatchObject({ phase: 'idle' });
    expect(washer.board.output(7)).toBe(0);

    const devices = helpdesk.devices();
    expect(devices.find((d) => d.deviceId === FRIDGE.deviceId)).toMatchObject({ kind: 'fridge', online: true });
    expect(devices.find((d) => d.deviceId === WASHER.deviceId)).toMatchObject({ kind: 'washer', online: true });
  });

  it("opening the door on the board's reed-switch pin opens a 'fridge-door-open' ticket after the detector's threshold", async () => {
    const fridge = await startBoard(FRIDGE, { initialTempC: 5 });
    await pass(1000);
    await processed();
    expect(helpdesk.history(FRIDGE.customerId, FRIDGE.deviceId).length).toBeGreaterThan(0);
    expect(helpdesk.history(FRIDGE.customerId, FRIDGE.deviceId).every((h) => (h.readings as { doorOpen: boolean }).doorOpen === false)).toBe(true);

    // the magnet moves away: the pulled-up reed switch on D4 opens, the pin reads high
    fridge.rig.override('doorOpen', true);
    await passUntil(() => fridge.device.readings()?.doorOpen === true, 'the board driver to see the door open');
    const sawClosedUntil = helpdesk.history(FRIDGE.customerId, FRIDGE.deviceId).at(-1)!.ts;

    // not yet: a minute of open door is below the threshold
    await pass(60_000, 2000);
    await processed();
    expect(helpdesk.tickets({ deviceId: FRIDGE.deviceId }).filter((t) => t.kind === 'fridge-door-open')).toEqual([]);
    // the helpdesk's telemetry history shows the door open from the board on
    const history = helpdesk.history(FRIDGE.customerId, FRIDGE.deviceId, sawClosedUntil + 1);
    expect(history.length).toBeGreaterThan(250);
    const firstOpen = history.findIndex((h) => (h.readings as { doorOpen: boolean }).doorOpen === true);
    expect(firstOpen).toBeGreaterThanOrEqual(0);
    expect(history.slice(firstOpen).every((h) => (h.readings as { doorOpen: boolean }).doorOpen === true)).toBe(true);
    const doorOpenSince = history[firstOpen]!.ts;

    // past the threshold (3 min), in event time
    await pass((FRIDGE_DOOR.fireAfterS - 60 + 20) * 1000, 2000);
    await processed();
    const tickets = helpdesk.tickets({ deviceId: FRIDGE.deviceId }).filter((t) => t.kind === 'fridge-door-open');
    expect(tickets).toHaveLength(1);
    const t = tickets[0]!;
    expect(t).toMatchObject({ customerId: FRIDGE.customerId, deviceId: FRIDGE.deviceId, severity: 'medium', proactive: true, state: 'contacted' });
    // it fired once the door had been open for the threshold, not before
    expect(t.evidence.since).toBe(doorOpenSince);
    expect(t.openedAt - doorOpenSince).toBeGreaterThanOrEqual(FRIDGE_DOOR.fireAfterS * 1000);
    expect(t.openedAt - doorOpenSince).toBeLessThan((FRIDGE_DOOR.fireAfterS + 1) * 1000);
    expect(String(t.evidence.observed)).toMatch(/^door open for \d+(\.\d+)? s/);
    // the same ticket is in the SQLite store
    expect(store.get(t.id)?.kind).toBe('fridge-door-open');
    expect(helpdesk.stats().rejected).toBe(0);

    // the door is shut again: the ticket resolves after the clear threshold
    fridge.rig.override('doorOpen', undefined);
    await passUntil(() => fridge.device.readings()?.doorOpen === false, 'the board driver to see the door shut');
    await pass(30_000, 2000);
    await processed();
    expect(store.get(t.id)?.state).toBe('resolved');
  });

  it("the helpdesk's 'start' command (a staff action on a ticket) drives the washer's relay pin high", async () => {
    const washer = await startBoard(WASHER);
    const writes: Array<{ pin: number; value: number }> = [];
    washer.board.on('digital-write', (w: { pin: number; value: number }) => writes.push(w));
    await pass(1000);
    await processed();
    expect(helpdesk.history(WASHER.customerId, WASHER.deviceId).at(-1)?.readings).toMatchObject({ phase: 'idle' });
    expect(washer.board.output(7)).toBe(0);

    // the customer calls: "please start my washing machine"; staff take it from there
    const opened = life.open({
      incidentKey: `${WASHER.customerId}/${WASHER.deviceId}/customer-call/${clock.now()}`,
      deviceId: WASHER.deviceId,
      customerId: WASHER.customerId,
      kind: 'customer-request',
      severity: 'low',
      at: clock.now(),
      proactive: false,
      by: 'customer',
    });
    if (!opened.ok) throw new Error(opened.error.reason);
    const { ticket } = store.openIdempotent(opened.ticket);
    expect(helpdesk.act(ticket.id, { type: 'contact', text: 'We will start it for you now.' }, 'anna')).toMatchObject({ ok: true });
    const sent = helpdesk.act(ticket.id, { type: 'command', command: { action: 'start' } }, 'anna');
    expect(sent).toMatchObject({ ok: true, ticket: { state: 'action-sent' } });

    // command -> broker -> board agent -> relay on D7 closes (a 500 ms press), then opens again
    await until(() => writes.some((w) => w.pin === 7 && w.value === 1), 3000, 'relay pin 7 high');
    await until(() => washer.board.output(7) === 0, 3000, 'relay released');
    // the relay pressed the model washer's start button
    expect(washer.rig.commands()).toEqual(['start:ok']);

    // the device's command result reaches the helpdesk and lands on the ticket
    await pass(200);
    await processed();
    const timeline = store.get(ticket.id)!.timeline.map((e) => e.step);
    expect(timeline).toEqual(['opened', 'contacted', 'action-sent', 'action-confirmed']);

    // the washer runs: its current sensor shows it to the helpdesk
    await pass(5 * 60_000, 5000);
    await processed();
    const running = helpdesk.history(WASHER.customerId, WASHER.deviceId).filter((h) => (h.readings as { phase: string }).phase !== 'idle');
    expect(running.length).toBeGreaterThan(0);
    expect(Math.max(...running.map((h) => (h.readings as { powerW: number }).powerW))).toBeGreaterThan(WASHER.settings.runningAboveW);
    expect(helpdesk.stats().rejected).toBe(0);
  });
});
