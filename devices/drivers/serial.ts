/**
 * Serial ports for real boards: finding an Arduino when only one is attached, and opening a port
 * as a Firmata transport with failures mapped to coded errors (permission, missing, busy).
 */
import { readdirSync } from 'node:fs';
import SerialPort from 'serialport';
import { firmataTransport, type FirmataTransport } from '../firmata/transport.js';
import { BOARD_ERR, BoardError, portOpenError } from './errors.js';

/** USB vendor ids of Arduinos and the usual USB-serial chips on clones. */
const VENDORS = new Set(['2341', '2a03', '1a86', '0403', '10c4', '239a']);
const PORT_NAME = /ttyACM|ttyUSB|usbmodem|usbserial|wchusbserial|^COM\d+/i;

/** Candidate board ports. serialport's list needs udev on Linux; without it, /dev is scanned. */
export async function listBoardPorts(): Promise<string[]> {
  try {
    const ports = await SerialPort.list();
    return ports.filter((p) => VENDORS.has((p.vendorId ?? '').toLowerCase()) || PORT_NAME.test(p.path)).map((p) => p.path);
  } catch {
    try {
      return readdirSync('/dev')
        .filter((name) => /^tty(ACM|USB)\d+$/.test(name))
        .map((name) => `/dev/${name}`)
        .sort();
    } catch {
      return [];
    }
  }
}

/** The one attached board's port; a coded error when there is none or more than one. */
export async function detectBoardPort(): Promise<string> {
  const ports = await listBoardPorts();
  if (ports.length === 0) {
    throw new BoardError(BOARD_ERR.NO_BOARD, 'no board found: plug the Arduino in over USB (a data cable, not a charge-only one), or name its port with --port /dev/ttyACM0');
  }
  if (ports.length > 1) {
    throw new BoardError(BOARD_ERR.MANY_BOARDS, `${ports.length} boards found (${ports.join(', ')}): choose one with --port`);
  }
  return ports[0]!;
}

/** Opens a serial port at Firmata's 57600 baud and wraps it as a transport for openBoard(). */
export function openSerialLine(path: string): Promise<FirmataTransport> {
  return new Promise((resolve, reject) => {
    let port: SerialPort;
    try {
      port = new SerialPort(path, { baudRate: 57600, autoOpen: false });
    } catch (e) {
      reject(portOpenError(path, e as Error));
      return;
    }
    const transport = firmataTransport(port);
    port.open((error) => (error ? reject(portOpenError(path, error)) : resolve(transport)));
  });
}
