/**
 * Firmata protocol constants and the byte codecs both ends need (Firmata 2.5, as StandardFirmata
 * and ConfigurableFirmata speak it). Values are from firmata/protocol's protocol.md.
 *
 * devices/firmata/ is the bottom of the board stack: the protocol (this file), the pin layouts
 * (layouts.ts) and the line under it (transport.ts, duplex-pair.ts). It imports nothing of evernet;
 * the host driver (devices/drivers/) and the software board (devices/simulator/) both build on it,
 * and it knows neither of them.
 */
export const MSG = {
  ANALOG: 0xe0,
  DIGITAL: 0x90,
  REPORT_ANALOG: 0xc0,
  REPORT_DIGITAL: 0xd0,
  START_SYSEX: 0xf0,
  END_SYSEX: 0xf7,
  SET_PIN_MODE: 0xf4,
  SET_DIGITAL_PIN_VALUE: 0xf5,
  REPORT_VERSION: 0xf9,
  SYSTEM_RESET: 0xff,
} as const;

export const SYSEX = {
  ANALOG_MAPPING_QUERY: 0x69,
  ANALOG_MAPPING_RESPONSE: 0x6a,
  CAPABILITY_QUERY: 0x6b,
  CAPABILITY_RESPONSE: 0x6c,
  PIN_STATE_QUERY: 0x6d,
  PIN_STATE_RESPONSE: 0x6e,
  EXTENDED_ANALOG: 0x6f,
  STRING_DATA: 0x71,
  ONEWIRE_DATA: 0x73,
  REPORT_FIRMWARE: 0x79,
  SAMPLING_INTERVAL: 0x7a,
} as const;

export const ONEWIRE = {
  SEARCH_REQUEST: 0x40,
  CONFIG_REQUEST: 0x41,
  SEARCH_REPLY: 0x42,
  READ_REPLY: 0x43,
  SEARCH_ALARMS_REQUEST: 0x44,
  SEARCH_ALARMS_REPLY: 0x45,
  RESET_BIT: 0x01,
  SKIP_BIT: 0x02,
  SELECT_BIT: 0x04,
  READ_BIT: 0x08,
  DELAY_BIT: 0x10,
  WRITE_BIT: 0x20,
  WITHDATA_BITS: 0x3c,
} as const;

export const PIN_MODE = {
  INPUT: 0x00,
  OUTPUT: 0x01,
  ANALOG: 0x02,
  PWM: 0x03,
  SERVO: 0x04,
  I2C: 0x06,
  ONEWIRE: 0x07,
  PULLUP: 0x0b,
} as const;

/** Data bytes that follow a (non-sysex) command byte; the low nibble of 0x80–0xEF commands is a channel. */
export function dataLength(command: number): number | null {
  const c = command < 0xf0 ? command & 0xf0 : command;
  switch (c) {
    case MSG.ANALOG:
    case MSG.DIGITAL:
    case MSG.SET_PIN_MODE:
    case MSG.SET_DIGITAL_PIN_VALUE:
      return 2;
    case MSG.REPORT_ANALOG:
    case MSG.REPORT_DIGITAL:
      return 1;
    case MSG.REPORT_VERSION:
    case MSG.SYSTEM_RESET:
      return 0;
    default:
      return null;
  }
}

/** 8-bit bytes -> 7-bit bytes, packed as Firmata's Encoder7Bit does (used by OneWire messages). */
export function to7Bit(data: readonly number[]): number[] {
  const out: number[] = [];
  let shift = 0;
  let previous = 0;
  for (const byte of data) {
    if (shift === 0) {
      out.push(byte & 0x7f);
      shift++;
      previous = byte >> 7;
    } else {
      out.push(((byte << shift) & 0x7f) | previous);
      if (shift === 6) {
        out.push(byte >> 1);
        shift = 0;
      } else {
        shift++;
        previous = byte >> (8 - shift);
      }
    }
  }
  if (shift > 0) out.push(previous);
  return out;
}

/** 7-bit packed bytes -> 8-bit bytes (Encoder7Bit.readBinary). */
export function from7Bit(encoded: readonly number[]): number[] {
  const n = (encoded.length * 7) >> 3;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = i << 3;
    const pos = Math.floor(j / 7);
    const shift = j % 7;
    out.push(((encoded[pos] ?? 0) >> shift) | (((encoded[pos + 1] ?? 0) << (7 - shift)) & 0xff));
  }
  return out;
}

/** A value as Firmata's LSB/MSB pair of 7-bit bytes. */
export const lsbMsb = (value: number): [number, number] => [value & 0x7f, (value >> 7) & 0x7f];

/** Dallas/Maxim CRC-8 (polynomial x^8 + x^5 + x^4 + 1), as OneWire ROM codes and scratchpads use. */
export function crc8(data: readonly number[]): number {
  let crc = 0;
  for (let byte of data) {
    for (let n = 0; n < 8; n++) {
      const mix = (crc ^ byte) & 0x01;
      crc >>= 1;
      if (mix) crc ^= 0x8c;
      byte >>= 1;
    }
  }
  return crc;
}

/**
 * Splits a byte stream into Firmata messages: a sysex message [F0 .. F7], or a command byte with
 * its data bytes. Feed it chunks; it calls `onMessage` with each complete message.
 */
export function createMessageParser(onMessage: (message: number[]) => void) {
  let buffer: number[] = [];
  let expected = 0;
  let inSysex = false;
  return (chunk: Uint8Array): void => {
    for (const byte of chunk) {
      if (inSysex) {
        if (byte === MSG.END_SYSEX) {
          inSysex = false;
          onMessage([...buffer, byte]);
          buffer = [];
          continue;
        }
        if (!(byte & 0x80)) {
          buffer.push(byte);
          continue;
        }
        // a command byte inside a sysex: the sysex was truncated; drop it and take this byte as new
        inSysex = false;
        buffer = [];
      }
      if (byte === MSG.START_SYSEX) {
        inSysex = true;
        buffer = [byte];
        continue;
      }
      if (byte & 0x80) {
        const n = dataLength(byte);
        buffer = [byte];
        expected = n ?? -1;
        if (expected === 0) {
          onMessage(buffer);
          buffer = [];
        }
        continue;
      }
      // a data byte
      if (buffer.length === 0 || expected < 0) continue;
      buffer.push(byte);
      if (buffer.length === expected + 1) {
        onMessage(buffer);
        buffer = [];
      }
    }
  };
}
