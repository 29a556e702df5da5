/**
 * Board failures as data: a stable code, a message that says what happened and what to do.
 */
import { codeTable } from '../../contracts/errors.js';

export const BOARD_ERR = codeTable({
  /** the board file does not parse or does not validate */
  BOARD_FILE: 'EVN_ERR_BOARD_FILE',
  /** no serial port that looks like an Arduino */
  NO_BOARD: 'EVN_ERR_NO_BOARD',
  /** several candidate ports: --port must choose */
  MANY_BOARDS: 'EVN_ERR_MANY_BOARDS',
  PORT_NOT_FOUND: 'EVN_ERR_PORT_NOT_FOUND',
  PORT_PERMISSION: 'EVN_ERR_PORT_PERMISSION',
  PORT_BUSY: 'EVN_ERR_PORT_BUSY',
  PORT_OPEN: 'EVN_ERR_PORT_OPEN',
  /** the line is open but nothing answers in Firmata */
  NOT_FIRMATA: 'EVN_ERR_NOT_FIRMATA',
  /** the firmware lacks a feature the board file needs (OneWire for a DS18B20) */
  FIRMWARE_FEATURE: 'EVN_ERR_FIRMWARE_FEATURE',
  /** the board went away (USB unplugged, reset, stream closed) */
  DISCONNECTED: 'EVN_ERR_BOARD_DISCONNECTED',
  /** a sensor never produced a reading */
  SENSOR_SILENT: 'EVN_ERR_SENSOR_SILENT',
  /** the board's state file (a washer's armed offer and plan) cannot be read or written */
  STATE_FILE: 'EVN_ERR_BOARD_STATE',
  /** a washer board pressed start but the measured power never rose */
  WASHER_DID_NOT_START: 'EVN_ERR_WASHER_NO_START',
  // command results a washer board answers with, shared with the simulated washer
  NO_SUCH_OFFER: 'EVN_ERR_NO_SUCH_OFFER',
  OUTSIDE_WINDOW: 'EVN_ERR_OUTSIDE_WINDOW',
  ALREADY_RUNNING: 'EVN_ERR_ALREADY_RUNNING',
  NOT_RUNNING: 'EVN_ERR_NOT_RUNNING',
  UNSUPPORTED_COMMAND: 'EVN_ERR_UNSUPPORTED_COMMAND',
});
export type BoardErrorCode = (typeof BOARD_ERR)[keyof typeof BOARD_ERR];

export class BoardError extends Error {
  constructor(
    readonly code: BoardErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'BoardError';
  }
}

export const FLASH_FIRMATA_FIX =
  'Flash StandardFirmata: in the Arduino IDE open File > Examples > Firmata > StandardFirmata and Upload it ' +
  '(for a DS18B20 use ConfigurableFirmata with OneWire instead); see docs/boards.md.';

export function notFirmata(port: string, waitedMs: number, bytesReceived: number): BoardError {
  const heard = bytesReceived > 0 ? `it sent ${bytesReceived} bytes, none of them a Firmata version report` : 'it sent nothing';
  return new BoardError(BOARD_ERR.NOT_FIRMATA, `the board on ${port} is not running StandardFirmata (waited ${waitedMs} ms; ${heard}). ${FLASH_FIRMATA_FIX}`);
}

/** Maps an error from opening a serial port (serialport / libuv) to a coded BoardError. */
export function portOpenError(port: string, error: Error & { code?: string; errno?: number }): BoardError {
  const text = `${error.code ?? ''} ${error.message}`;
  if (/EACCES|Permission denied/i.test(text)) {
    return new BoardError(
      BOARD_ERR.PORT_PERMISSION,
      `permission denied on ${port}. On Linux add yourself to the group that owns the port and log in again: ` +
        `sudo usermod -a -G dialout $USER (the group is 'uucp' on Arch); check with ls -l ${port}.`,
    );
  }
  if (/ENOENT|No such file|File not found|cannot open/i.test(text) && !/busy|lock/i.test(text)) {
    return new BoardError(BOARD_ERR.PORT_NOT_FOUND, `no serial port ${port}: is the board plugged in? List candidates with ls /dev/ttyACM* /dev/ttyUSB*.`);
  }
  if (/EBUSY|busy|Cannot lock port|Resource temporarily unavailable/i.test(text)) {
    return new BoardError(BOARD_ERR.PORT_BUSY, `${port} is in use by another program (the Arduino IDE's serial monitor?): close it and try again.`);
  }
  return new BoardError(BOARD_ERR.PORT_OPEN, `cannot open ${port}: ${error.message}`);
}
