/**
 * Software boards plugged into johnny-five for the simulator tests: the board driver opens a
 * SoftwareBoard over an in-memory Firmata line (or over the transport the test gives, such as a
 * pseudo-terminal), and after each test the driver is closed and the board unplugged.
 */
import { afterEach } from 'vitest';
import { openBoard, type BoardHandle, type OpenBoardOptions } from '../../../devices/drivers/board.js';
import { plugIn } from '../../../devices/simulator/plug-in.js';
import type { SoftwareBoard } from '../../../devices/simulator/software-board.js';

/** Call inside a describe block: returns `plug`, which opens the driver on a board the test made (default line: plugIn(device)). */
export function pluggedBoards(): (device: SoftwareBoard, options?: Partial<OpenBoardOptions>) => Promise<BoardHandle> {
  let plugged: { device: SoftwareBoard; board: BoardHandle | null } | null = null;
  afterEach(async () => {
    const p = plugged;
    plugged = null;
    await p?.board?.close();
    p?.device.unplug();
  });
  return async (device, options = {}) => {
    const p: { device: SoftwareBoard; board: BoardHandle | null } = { device, board: null };
    plugged = p;
    const { transport = plugIn(device), port = 'software board', ...rest } = options;
    p.board = await openBoard({ ...rest, transport, port });
    return p.board;
  };
}
