/**
 * johnny-five (through devices/drivers/board.ts) drives the software Firmata board over a real byte
 * stream: an in-memory duplex pair carrying Firmata bytes. No mock of johnny-five or firmata-io.
 */
import { describe, expect, it } from 'vitest';
import { openBoard } from '../../../devices/drivers/board.js';
import { createDuplexPair } from '../../../devices/firmata/duplex-pair.js';
import { SoftwareBoard } from '../../../devices/simulator/software-board.js';
import { firmataTransport } from '../../../devices/firmata/transport.js';
import { PIN_MODE } from '../../../devices/firmata/protocol.js';
import { until } from '../../helpers/until.js';
import { pluggedBoards } from './plugged.js';

describe('software Firmata board driven by johnny-five', () => {
  const plug = pluggedBoards();
  let device: SoftwareBoard;

  function open(options: ConstructorParameters<typeof SoftwareBoard>[0] = {}) {
    device = new SoftwareBoard(options);
    return plug(device, { samplingIntervalMs: 10 });
  }

  it('completes the Firmata handshake and reports the firmware', async () => {
    const b = await open();
    expect(b.firmware).toEqual({ name: 'StandardFirmata.ino', version: '2.5' });
    expect(device.received.total).toBeGreaterThan(2);
    expect(device.received.unknown).toBe(0);
  });

  it('reads an analog input (Sensor) as the board reports it every sampling interval', async () => {
    const b = await open();
    const sensor = b.analogSensor(0, { freqMs: 10 });
    device.setAnalog(0, 512);
    await until(() => sensor.raw() === 512, 2000, 'raw 512 on A0');
    device.setAnalog(0, 100);
    await until(() => sensor.raw() === 100, 2000, 'raw 100 on A0');
    expect(device.samplingIntervalMs).toBe(10);
  });

  it('reads a digital input (Button) when the pin changes', async () => {
    const b = await open();
    const button = b.button(4);
    const events: string[] = [];
    button.on('press', () => events.push('press'));
    button.on('release', () => events.push('release'));
    await until(() => device.mode(4) === PIN_MODE.INPUT, 2000, 'pin 4 in INPUT mode');
    device.setDigital(4, 1);
    await until(() => events.includes('press'), 2000, 'press');
    expect(button.isDown()).toBe(true);
    device.setDigital(4, 0);
    await until(() => events.includes('release'), 2000, 'release');
    expect(button.isDown()).toBe(false);
  });

  it('reads a switch with the pull-up on: floating reads high, grounded reads low', async () => {
    const b = await open();
    const reed = b.digitalInput(5, { pullup: true, activeWhen: 'high' });
    await until(() => reed.active() === true, 2000, 'pulled-up pin reads active');
    device.setDigital(5, 0);
    await until(() => reed.active() === false, 2000, 'grounded pin reads inactive');
  });

  it('drives digital outputs (Relay, Led)', async () => {
    const b = await open();
    const relay = b.relay(7);
    const led = b.led(13);
    const writes: Array<{ pin: number; value: number }> = [];
    device.on('digital-write', (w) => writes.push(w));
    relay.close();
    led.on();
    await until(() => device.output(7) === 1 && device.output(13) === 1, 2000, 'pins 7 and 13 high');
    relay.open();
    led.off();
    await until(() => device.output(7) === 0 && device.output(13) === 0, 2000, 'pins 7 and 13 low');
    expect(writes).toContainEqual({ pin: 7, value: 1 });
    expect(writes).toContainEqual({ pin: 7, value: 0 });
  });

  it('tells the driver when the board is unplugged', async () => {
    const b = await open();
    let gone = false;
    b.onDisconnect(() => (gone = true));
    device.unplug();
    await until(() => gone, 2000, 'disconnect');
    expect(b.closed).toBe(true);
  });

  it('rejects a line that does not speak Firmata, with the fix in the message', async () => {
    const [host, other] = createDuplexPair();
    const chatter = setInterval(() => other.write('Hello from my sketch\n'), 20);
    try {
      await expect(openBoard({ transport: firmataTransport(host), port: '/dev/ttyTEST', readyTimeoutMs: 400 })).rejects.toThrow(
        /EVN_ERR_NOT_FIRMATA.*not running StandardFirmata.*sent \d+ bytes.*File > Examples > Firmata > StandardFirmata/,
      );
    } finally {
      clearInterval(chatter);
      other.destroy();
    }
  });
});
