/**
 * A board device on the software Firmata board with its pins driven by the kind's model, both on one
 * VirtualClock the test moves by hand, against a real broker. The board's own I/O (Firmata sampling,
 * relay pulses) stays real-time; only event time is moved, in steps that give that I/O room to happen.
 */
import { afterEach } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { createBoardDevice, type BoardDevice, type BoardDeviceOptions } from '../../../devices/drivers/board-device.js';
import type { BoardConfig } from '../../../devices/drivers/board-file.js';
import { KINDS } from '../../../devices/kinds/index.js';
import { createPhysicsRig, type PhysicsRig } from '../../../devices/simulator/physics.js';
import { plugIn } from '../../../devices/simulator/plug-in.js';
import { SoftwareBoard } from '../../../devices/simulator/software-board.js';
import { silentLogger } from '../../../log/logger.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Rigged {
  device: BoardDevice;
  board: SoftwareBoard;
  rig: PhysicsRig;
  /** the rig follows the clock (false: the test sets the pins itself) */
  driven: boolean;
}

/** Call inside a describe block; every board it starts is stopped after each test. */
export function riggedBoards(clock: () => VirtualClock) {
  const running: Rigged[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.rig.stop();
      await r.device.stop();
      r.board.unplug();
    }
  });

  return {
    /** a board (optionally on a board the test already made), its rig on the model with `params` */
    async start(config: BoardConfig, brokerUrl: string, o: { params?: unknown; board?: SoftwareBoard; rig?: PhysicsRig; driven?: boolean } & Partial<BoardDeviceOptions> = {}): Promise<Rigged> {
      const c = clock();
      const board = o.board ?? new SoftwareBoard();
      const rig = o.rig ?? createPhysicsRig({ board, config, model: KINDS[config.kind], params: o.params ?? {}, startAt: c.now() - 1000 });
      rig.advance(c.now());
      const { params: _p, board: _b, rig: _r, driven = true, ...rest } = o;
      const device = createBoardDevice({ config, connect: async () => plugIn(board), port: 'software board', brokerUrl, clock: c, log: silentLogger(), tickMs: 20, stepMs: 1000, ...rest });
      const r = { device, board, rig, driven };
      running.push(r);
      await device.start();
      return r;
    },
    /** stops one board as a process would end (graceful), leaving its software board plugged in */
    async stop(r: Rigged): Promise<void> {
      running.splice(running.indexOf(r), 1);
      await r.device.stop();
    },
    /** moves event time by `ms` in steps of `stepMs`, each followed by `pauseMs` of real time for the I/O */
    async pass(ms: number, stepMs = 1000, pauseMs = 25): Promise<void> {
      const c = clock();
      const end = c.now() + ms;
      while (c.now() < end) {
        c.set(Math.min(end, c.now() + stepMs));
        for (const r of running) if (r.driven) r.rig.advance(c.now());
        await sleep(pauseMs);
      }
    },
    /** moves event time one second per 25 ms of real time until `pred` holds */
    async passUntil(pred: () => boolean, what: string, maxMs = 5000): Promise<void> {
      const c = clock();
      const end = Date.now() + maxMs;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out after ${maxMs} ms waiting for ${what}`);
        c.set(c.now() + 1000);
        for (const r of running) if (r.driven) r.rig.advance(c.now());
        await sleep(25);
      }
    },
  };
}
