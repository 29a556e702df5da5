/**
 * The real serial code path without hardware: serialport opens a pseudo-terminal (/dev/pts/N) by
 * path, as it opens /dev/ttyACM0, and johnny-five talks Firmata through it to the software board.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openSerialLine } from '../../../devices/drivers/serial.js';
import { openPtyBridge, ptyUnavailable, type PtyBridge } from '../../../devices/simulator/pty.js';
import { SoftwareBoard } from '../../../devices/simulator/software-board.js';
import { until } from '../../helpers/until.js';
import { pluggedBoards } from './plugged.js';

const why = ptyUnavailable();

describe.skipIf(why !== null)(`software board on a pseudo-terminal${why ? ` (skipped: ${why})` : ''}`, () => {
  let bridge: PtyBridge | null = null;
  afterEach(() => {
    bridge?.close();
    bridge = null;
  });
  const plug = pluggedBoards(); // registered after the bridge's hook, so it runs before it: board first, then the tty

  it('johnny-five opens the tty by path, reads an analog pin and drives a relay', async () => {
    bridge = await openPtyBridge();
    expect(bridge.path).toMatch(/^\/dev\//);
    // an Uno resets when the port opens and announces itself after booting: attach after the open
    const transport = await openSerialLine(bridge.path);
    const device = new SoftwareBoard();
    device.attach(bridge.stream);
    device.setAnalog(2, 700);
    const board = await plug(device, { transport, port: bridge.path, samplingIntervalMs: 10 });
    expect(board.firmware.name).toBe('StandardFirmata.ino');
    const a2 = board.analogSensor(2, { freqMs: 10 });
    await until(() => a2.raw() === 700, 3000, 'raw 700 on A2');
    const relay = board.relay(8);
    relay.close();
    await until(() => device.output(8) === 1, 3000, 'pin 8 high');
  });

  it('notices when the tty goes away (the board is unplugged): by the line closing, or by its silence', async () => {
    bridge = await openPtyBridge();
    const transport = await openSerialLine(bridge.path);
    const device = new SoftwareBoard();
    device.attach(bridge.stream);
    const board = await plug(device, { transport, port: bridge.path, samplingIntervalMs: 10, silenceTimeoutMs: 500 });
    board.analogSensor(0, { freqMs: 10 }); // reporting arms the silence watchdog
    let gone = false;
    board.onDisconnect(() => (gone = true));
    bridge.close();
    await until(() => gone, 5000, 'disconnect');
  });
});
