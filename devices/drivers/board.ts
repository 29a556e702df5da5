/**
 * The one file that imports johnny-five (and firmata-io, its Firmata client). It opens a board over
 * a Firmata transport (a serial port, a pseudo-terminal, an in-memory stream to the software board)
 * and hands out the few components evernet wires: analog sensors, thermometers (TMP36, DS18B20),
 * switches and buttons, relays and LEDs. Everything above this file sees plain functions, so the
 * device driver (board-device.ts) stays independent of johnny-five.
 *
 * johnny-five keeps timers of its own (sensor intervals, the DS18B20 read loop, firmata-io's 1-Wire
 * read timeouts); close() disables what can be disabled and the decorated IO drops late callbacks,
 * so an unplugged board never throws from a timer.
 *
 * Dependencies point one way: devices/drivers/ uses devices/firmata/ (the transport and pin
 * layouts) and never devices/simulator/; the software board is just another line, plugged in by
 * whoever opens it (the CLI's --simulate, tests, benches).
 */
import five from 'johnny-five';
import firmataIo from 'firmata-io';
import { BOARD_ERR, BoardError, notFirmata } from './errors.js';
import type { FirmataTransport } from '../firmata/transport.js';

const { Firmata } = firmataIo;
type FirmataIo = InstanceType<typeof Firmata>;

export interface OpenBoardOptions {
  transport: FirmataTransport;
  /** where the board is, for messages ("/dev/ttyACM0", "software board") */
  port?: string;
  /** how long to wait for the Firmata handshake (default 10 s: an Uno resets when the port opens) */
  readyTimeoutMs?: number;
  /** Firmata sampling interval: how often the board reports analog inputs (default 19 ms) */
  samplingIntervalMs?: number;
  /**
   * While an analog input reports, a board sends bytes every sampling interval; this long without a
   * byte counts as unplugged (some USB-serial chips and hubs never signal a disconnect). Default
   * max(3000 ms, 50 sampling intervals).
   */
  silenceTimeoutMs?: number;
}

export interface AnalogInput {
  /** last raw ADC value, null before the first report */
  raw(): number | null;
}
export interface ThermometerInput {
  celsius(): number | null;
  raw(): number | null;
}
export interface DigitalInput {
  /** true when the input is in its active state; null before the first report */
  active(): boolean | null;
  onChange(listener: (active: boolean) => void): void;
}
export interface ButtonInput {
  isDown(): boolean;
  on(event: 'press' | 'release', listener: () => void): void;
}
export interface RelayOutput {
  close(): void;
  open(): void;
  isClosed(): boolean;
}
export interface LedOutput {
  on(): void;
  off(): void;
  isOn(): boolean;
}

export interface BoardHandle {
  readonly port: string;
  readonly firmware: { name: string; version: string };
  readonly analogResolution: number;
  readonly closed: boolean;
  /** true when the firmware advertises 1-Wire on that pin (ConfigurableFirmata) */
  supportsOneWire(pin: number): boolean;
  analogSensor(channel: number, options?: { freqMs?: number }): AnalogInput;
  /** TMP36 (on analog channel `pin`, converted by `toCelsius` from the raw ADC value) or DS18B20 (on digital `pin`) */
  thermometer(options: { controller: 'TMP36'; pin: number; toCelsius: (raw: number) => number; freqMs?: number } | { controller: 'DS18B20'; pin: number; address?: number; freqMs?: number }): ThermometerInput;
  /** a switch between the pin and ground (pullup) or 5 V; active = the level given */
  digitalInput(pin: number, options: { pullup: boolean; activeWhen: 'high' | 'low' }): DigitalInput;
  button(pin: number, options?: { pullup?: boolean }): ButtonInput;
  relay(pin: number, options?: { type?: 'NO' | 'NC' }): RelayOutput;
  led(pin: number): LedOutput;
  /** called once when the line closes without close() (board unplugged, stream ended) */
  onDisconnect(listener: () => void): void;
  close(): Promise<void>;
}

/** Connects johnny-five to a board over `transport`; rejects with a coded BoardError. */
export async function openBoard(options: OpenBoardOptions): Promise<BoardHandle> {
  const { transport } = options;
  const port = options.port ?? 'the board';
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let closed = false;
  let closing = false;
  const disconnectListeners: Array<() => void> = [];
  const disablers: Array<() => void> = [];

  const io: FirmataIo = new Firmata(transport, {
    // a board that does not reset when the port opens (Leonardo) is asked for its version after this
    reportVersionTimeout: Math.min(2000, Math.max(100, Math.floor(readyTimeoutMs / 2))),
    samplingInterval: options.samplingIntervalMs ?? 19,
  });
  guardOneWire(io, () => closed);
  // errors after the handshake surface as a disconnect; before it, as the rejection below
  io.on('error', () => {});
  const board = new five.Board({ io, repl: false, debug: false, sigint: false, timeout: readyTimeoutMs + 1000 });
  board.on('error', () => {});

  const cleanup = () => {
    closed = true;
    if (board.timer) clearTimeout(board.timer);
    for (const d of disablers.splice(0)) d();
  };

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(notFirmata(port, readyTimeoutMs, transport.bytesReceived)), readyTimeoutMs);
    const onClose = () => fail(new BoardError(BOARD_ERR.DISCONNECTED, `${port} closed before the Firmata handshake finished`));
    const onError = (e: Error) => fail(new BoardError(BOARD_ERR.PORT_OPEN, `${port}: ${e.message}`));
    function settle() {
      clearTimeout(timer);
      transport.off('close', onClose);
      transport.off('error', onError);
    }
    function fail(e: BoardError) {
      settle();
      cleanup();
      void transport.close();
      reject(e);
    }
    transport.once('close', onClose);
    transport.on('error', onError);
    board.once('ready', () => {
      settle();
      resolve();
    });
    transport.open();
  });

  transport.once('close', () => {
    const unplugged = !closing;
    cleanup();
    if (unplugged) for (const l of disconnectListeners.splice(0)) l();
  });

  // the silence watchdog, armed by the first analog input
  const silenceMs = options.silenceTimeoutMs ?? Math.max(3000, 50 * (options.samplingIntervalMs ?? 19));
  let lastByteAt = Date.now();
  let watchdog: NodeJS.Timeout | null = null;
  transport.on('data', () => (lastByteAt = Date.now()));
  const armWatchdog = () => {
    if (watchdog || closed) return;
    lastByteAt = Date.now();
    watchdog = setInterval(() => {
      if (Date.now() - lastByteAt > silenceMs) transport.drop();
    }, Math.max(10, Math.floor(silenceMs / 4)));
    disablers.push(() => clearInterval(watchdog!));
  };

  const version = `${io.version.major ?? '?'}.${io.version.minor ?? '?'}`;
  const track = <T extends { disable(): void }>(c: T): T => {
    disablers.push(() => c.disable());
    return c;
  };

  return {
    port,
    firmware: { name: io.firmware.name ?? 'unknown', version },
    analogResolution: io.RESOLUTION?.ADC ?? 1023,
    get closed() {
      return closed;
    },
    supportsOneWire(pin) {
      return io.pins[pin]?.supportedModes.includes(io.MODES.ONEWIRE ?? 7) ?? false;
    },
    analogSensor(channel, o = {}) {
      armWatchdog();
      const sensor = track(new five.Sensor({ board, pin: `A${channel}`, freq: o.freqMs ?? 25 }));
      return { raw: () => sensor.raw };
    },
    thermometer(o) {
      if (o.controller === 'TMP36') {
        armWatchdog();
        let raw: number | null = null;
        const t = track(
          new five.Thermometer({
            board,
            controller: 'ANALOG',
            pin: `A${o.pin}`,
            freq: o.freqMs ?? 25,
            toCelsius: (r: number) => {
              raw = r;
              return o.toCelsius(r);
            },
          }),
        );
        return { celsius: () => (raw === null ? null : t.celsius), raw: () => raw };
      }
      let seen = false;
      const t = track(new five.Thermometer({ board, controller: 'DS18B20', pin: o.pin, freq: o.freqMs ?? 100, ...(o.address ? { address: o.address } : {}) }));
      t.on('data', () => (seen = true));
      t.on('error', () => {});
      return {
        // johnny-five reads the 16-bit value unsigned: below 0 °C it reports 4096 − t
        celsius: () => (seen ? (t.celsius > 2048 ? t.celsius - 4096 : t.celsius) : null),
        raw: () => (seen ? Math.round(t.celsius * 16) : null),
      };
    },
    digitalInput(pin, o) {
      // Switch 'NO' writes the pull-up; invert decides which level counts as closed (= active)
      const sw = new five.Switch({ board, pin, type: o.pullup ? 'NO' : 'NC', invert: o.activeWhen === 'low' });
      let known = false;
      const listeners: Array<(active: boolean) => void> = [];
      const emit = () => {
        known = true;
        for (const l of listeners) l(sw.isClosed);
      };
      sw.on('open', emit);
      sw.on('close', emit);
      return { active: () => (known ? sw.isClosed : null), onChange: (l) => void listeners.push(l) };
    },
    button(pin, o = {}) {
      const b = new five.Button({ board, pin, isPullup: o.pullup ?? false });
      return { isDown: () => b.isDown, on: (event, l) => void b.on(event, l) };
    },
    relay(pin, o = {}) {
      board.pinMode(pin, io.MODES.OUTPUT ?? 1);
      const r = new five.Relay({ board, pin, type: o.type ?? 'NO' });
      r.open();
      return { close: () => void r.close(), open: () => void r.open(), isClosed: () => r.isClosed };
    },
    led(pin) {
      const l = new five.Led({ board, pin });
      disablers.push(() => l.stop());
      return { on: () => void l.on(), off: () => void l.off(), isOn: () => l.isOn };
    },
    onDisconnect(listener) {
      if (closed && !closing) listener();
      else disconnectListeners.push(listener);
    },
    async close() {
      if (closed) return;
      closing = true;
      cleanup();
      await transport.close();
    },
  };
}

/**
 * johnny-five's DS18B20 driver loops forever and emits 'error' on an object nobody can listen to
 * when a 1-Wire search finds nothing or a read times out (5 s after an unplug). The IO is ours, so
 * we decorate its two 1-Wire calls: once the board is closed, requests are dropped and late replies
 * ignored; a failed search is logged by the caller (the reading stays silent) instead of throwing.
 */
function guardOneWire(io: FirmataIo, isClosed: () => boolean): void {
  const search = io.sendOneWireSearch.bind(io);
  const writeAndRead = io.sendOneWireWriteAndRead.bind(io);
  io.sendOneWireSearch = (pin, callback) => {
    if (isClosed()) return;
    search(pin, (error, devices) => {
      if (isClosed() || error || devices.length === 0) {
        io.emit('onewire-missing', { pin, error: error?.message ?? 'no 1-Wire device answered' });
        return;
      }
      callback(null, devices);
    });
  };
  io.sendOneWireWriteAndRead = (pin, device, data, n, callback) => {
    if (isClosed()) return;
    writeAndRead(pin, device, data, n, (error, bytes) => {
      if (isClosed() || error) return;
      callback(null, bytes);
    });
  };
}
