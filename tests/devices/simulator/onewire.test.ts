/**
 * DS18B20 over 1-Wire: johnny-five's Thermometer (DS18B20 controller) searches the bus, converts and
 * reads the scratchpad through firmata-io's OneWire messages, answered by the software board.
 */
import { describe, expect, it } from 'vitest';
import { Ds18b20, encodeTemperature, romCode } from '../../../devices/simulator/ds18b20.js';
import { crc8, from7Bit, to7Bit } from '../../../devices/firmata/protocol.js';
import { SoftwareBoard } from '../../../devices/simulator/software-board.js';
import { until } from '../../helpers/until.js';
import { pluggedBoards } from './plugged.js';

describe('1-Wire and the DS18B20', () => {
  const plug = pluggedBoards();

  it('encodes ROM codes with a valid CRC and temperatures as 1/16 °C two’s complement', () => {
    const rom = romCode(0x28, 0xa2b3);
    expect(rom[0]).toBe(0x28);
    expect(crc8(rom.slice(0, 7))).toBe(rom[7]);
    expect(encodeTemperature(25.0625)).toBe(0x0191); // datasheet table
    expect(encodeTemperature(-10.125)).toBe(0xff5e);
    expect(encodeTemperature(-55)).toBe(0xfc90);
    const bytes = [0, 255, 128, 7, 1, 2, 3, 4, 5, 250];
    expect(from7Bit(to7Bit(bytes))).toEqual(bytes);
  });

  it('reads a DS18B20 through johnny-five, above and below zero', async () => {
    const device = new SoftwareBoard();
    const sensor = new Ds18b20({ temperatureC: 4.25 });
    device.attachOneWire(2, sensor);
    const board = await plug(device);
    expect(board.supportsOneWire(2)).toBe(true);
    const t = board.thermometer({ controller: 'DS18B20', pin: 2, freqMs: 20 });
    await until(() => t.celsius() === 4.25, 3000, '4.25 °C');
    sensor.temperatureC = -18.5; // a freezer: johnny-five reads the value unsigned; the driver corrects it
    await until(() => t.celsius() === -18.5, 3000, '-18.5 °C');
  });

  it('tells a board without 1-Wire (StandardFirmata) apart', async () => {
    const board = await plug(new SoftwareBoard({ oneWire: false }));
    expect(board.supportsOneWire(2)).toBe(false);
  });
});
