/**
 * Plugs a software board into a fresh in-memory line and returns the host's end as a Firmata
 * transport, ready for openBoard(). Each call is one "USB cable": unplug() on the board (or closing
 * the transport) ends it; call again to plug the board back in. Uses devices/firmata/'s pair and
 * transport; the host (devices/drivers/board.ts) cannot tell this line from a serial port.
 */
import { createDuplexPair } from '../firmata/duplex-pair.js';
import { firmataTransport, type FirmataTransport } from '../firmata/transport.js';
import type { SoftwareBoard } from './software-board.js';

export function plugIn(board: SoftwareBoard): FirmataTransport {
  const [host, device] = createDuplexPair();
  board.attach(device);
  return firmataTransport(host);
}
