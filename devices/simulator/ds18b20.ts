/**
 * A DS18B20 temperature sensor on a simulated 1-Wire bus: a ROM code (family 0x28, serial, CRC),
 * the CONVERT T (0x44) and READ SCRATCHPAD (0xBE) function commands, 12-bit resolution.
 */
import { crc8 } from '../firmata/protocol.js';

export const DS18B20_FAMILY = 0x28;

export interface OneWireDevice {
  readonly rom: readonly number[];
  /** a function command or data byte from the bus master */
  write(byte: number): void;
  /** the next byte the device puts on the bus (0xFF when it has nothing to say) */
  read(): number;
}

/** A ROM code for a 48-bit serial number. */
export function romCode(family: number, serial: number): number[] {
  const bytes = [family];
  let s = serial;
  for (let i = 0; i < 6; i++) {
    bytes.push(s % 256);
    s = Math.floor(s / 256);
  }
  bytes.push(crc8(bytes));
  return bytes;
}

/** Temperature -> the two's complement 1/16 °C value a 12-bit DS18B20 reports. */
export function encodeTemperature(celsius: number): number {
  const clamped = Math.min(125, Math.max(-55, celsius));
  return Math.round(clamped * 16) & 0xffff;
}

export class Ds18b20 implements OneWireDevice {
  readonly rom: readonly number[];
  /** the temperature the sensor sees; set by the physics model or a test */
  temperatureC: number;
  #scratchpad: number[];
  #readPointer = -1;

  constructor(options: { serial?: number; temperatureC?: number } = {}) {
    this.rom = romCode(DS18B20_FAMILY, options.serial ?? 0x0000_0001_a2b3);
    this.temperatureC = options.temperatureC ?? 20;
    // power-on value: +85 °C, TH 75, TL 70, 12-bit config
    this.#scratchpad = this.#pad(85);
  }

  #pad(celsius: number): number[] {
    const t = encodeTemperature(celsius);
    const bytes = [t & 0xff, (t >> 8) & 0xff, 0x4b, 0x46, 0x7f, 0xff, 0x0c, 0x10];
    return [...bytes, crc8(bytes)];
  }

  write(byte: number): void {
    if (byte === 0x44) {
      this.#scratchpad = this.#pad(this.temperatureC);
      this.#readPointer = -1;
    } else if (byte === 0xbe) {
      this.#readPointer = 0;
    }
  }

  read(): number {
    if (this.#readPointer < 0 || this.#readPointer >= this.#scratchpad.length) return 0xff;
    return this.#scratchpad[this.#readPointer++]!;
  }
}
