/**
 * A software Arduino running StandardFirmata (plus ConfigurableFirmata's OneWire support): it speaks
 * the Firmata protocol over any byte stream, so johnny-five and firmata-io talk to it exactly as they
 * talk to a board on USB. It answers version, firmware, capability, analog-mapping and pin-state
 * queries, takes pin modes, digital and PWM writes, reporting switches and the sampling interval,
 * reports analog inputs every sampling interval and digital inputs when they change, and runs a
 * 1-Wire bus with DS18B20 sensors.
 *
 * Its inputs are set from outside (a test, or a physics rig driven by a device model): setAnalog,
 * setDigital, a DS18B20's temperatureC. What the host writes is readable as output(pin) and is
 * emitted as 'digital-write'.
 *
 * devices/simulator/ is the software side of the USB cable, for tests, benches and `evernet board
 * --simulate`. It depends on devices/firmata/ (protocol, layouts, transports); only physics.ts also
 * reads devices/drivers/' pure board-file and sensor modules, to turn a board file into signals.
 * Nothing in devices/drivers/ or devices/firmata/ imports the simulator: the CLI plugs it in when
 * --simulate asks for it, tests and benches plug it in directly.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { LAYOUTS, type BoardLayout } from '../firmata/layouts.js';
import type { OneWireDevice } from './ds18b20.js';
import { createMessageParser, from7Bit, lsbMsb, MSG, ONEWIRE, PIN_MODE, SYSEX, to7Bit } from '../firmata/protocol.js';

export interface SoftwareBoardOptions {
  layout?: BoardLayout;
  firmware?: { name: string; major: number; minor: number };
  /** advertise and serve OneWire (ConfigurableFirmata); StandardFirmata has none (default true) */
  oneWire?: boolean;
  /** ADC resolution in bits (default 10, as an AVR) */
  adcBits?: number;
  /** sampling interval until the host sets one (default 19 ms, StandardFirmata's) */
  samplingIntervalMs?: number;
}

interface PinState {
  mode: number;
  /** output level (OUTPUT) or pull-up enabled (INPUT) */
  state: number;
  /** level driven from outside on an input pin; null = floating */
  external: 0 | 1 | null;
  pwm: number;
}

export class SoftwareBoard extends EventEmitter {
  readonly layout: BoardLayout;
  readonly firmware: { name: string; major: number; minor: number };
  readonly oneWire: boolean;
  readonly adcMax: number;
  #pins: PinState[];
  #analogRaw: number[];
  #reportAnalog: boolean[];
  #reportDigital: boolean[];
  #lastPortReport: number[];
  #samplingMs: number;
  #timer: NodeJS.Timeout | null = null;
  #stream: Duplex | null = null;
  #buses = new Map<number, { devices: OneWireDevice[]; selected: OneWireDevice | null }>();
  /** messages received from the host, by kind (for tests and logs) */
  readonly received = { total: 0, unknown: 0 };

  constructor(options: SoftwareBoardOptions = {}) {
    super();
    this.layout = options.layout ?? LAYOUTS.uno;
    this.firmware = options.firmware ?? { name: 'StandardFirmata.ino', major: 2, minor: 5 };
    this.oneWire = options.oneWire ?? true;
    this.adcMax = (1 << (options.adcBits ?? 10)) - 1;
    this.#samplingMs = options.samplingIntervalMs ?? 19;
    this.#pins = [];
    this.#analogRaw = this.layout.analog.map(() => 0);
    this.#reportAnalog = this.layout.analog.map(() => false);
    this.#reportDigital = [];
    this.#lastPortReport = [];
    this.#reset();
  }

  /** Plugs the board into a byte stream: it announces itself as StandardFirmata does after a reset. */
  attach(stream: Duplex): this {
    if (this.#stream) throw new Error('the software board is already attached to a stream');
    this.#stream = stream;
    const parse = createMessageParser((m) => this.#handle(m));
    stream.on('data', (chunk: Buffer) => parse(chunk));
    stream.on('close', () => this.#detached());
    stream.on('error', () => this.#detached());
    this.#reset();
    this.#sendVersion();
    this.#sendFirmware();
    this.#startSampling();
    return this;
  }

  /** Pulls the USB plug: the stream is destroyed, the host sees the line close. */
  unplug(): void {
    const s = this.#stream;
    this.#detached();
    s?.destroy();
  }

  get attached(): boolean {
    return this.#stream !== null;
  }

  get samplingIntervalMs(): number {
    return this.#samplingMs;
  }

  /** Sets the raw ADC value of analog input `channel` (A0 = 0). Values outside 0..adcMax are sent as given (14 bits max). */
  setAnalog(channel: number, raw: number): void {
    if (channel < 0 || channel >= this.#analogRaw.length) throw new RangeError(`no analog channel A${channel}`);
    this.#analogRaw[channel] = Math.max(0, Math.min(0x3fff, Math.round(raw)));
  }

  analog(channel: number): number {
    return this.#analogRaw[channel] ?? 0;
  }

  /** Drives an input pin from outside (a switch, a sensor's digital output); null leaves it floating. */
  setDigital(pin: number, level: 0 | 1 | null): void {
    const p = this.#pin(pin);
    p.external = level;
    this.#reportPortIfChanged(pin >> 3);
  }

  /** The level the host drives on an output pin (0 when the pin is not an output). */
  output(pin: number): 0 | 1 {
    const p = this.#pin(pin);
    return p.mode === PIN_MODE.OUTPUT && p.state ? 1 : 0;
  }

  mode(pin: number): number {
    return this.#pin(pin).mode;
  }

  /** Puts 1-Wire devices on a pin. */
  attachOneWire(pin: number, ...devices: OneWireDevice[]): void {
    const bus = this.#buses.get(pin) ?? { devices: [], selected: null };
    bus.devices.push(...devices);
    this.#buses.set(pin, bus);
  }

  #pin(pin: number): PinState {
    const p = this.#pins[pin];
    if (!p) throw new RangeError(`pin ${pin} does not exist on an ${this.layout.title}`);
    return p;
  }

  #reset(): void {
    // StandardFirmata's systemResetCallback: digital pins OUTPUT low, analog pins ANALOG, no reporting
    const { pinCount, analog } = this.layout;
    const old = this.#pins;
    this.#pins = Array.from({ length: pinCount }, (_, i) => ({
      mode: analog.includes(i) ? PIN_MODE.ANALOG : PIN_MODE.OUTPUT,
      state: 0,
      external: old[i]?.external ?? null,
      pwm: 0,
    }));
    this.#reportAnalog.fill(false);
    this.#reportDigital = Array.from({ length: Math.ceil(pinCount / 8) }, () => false);
    this.#lastPortReport = this.#reportDigital.map(() => -1);
  }

  #detached(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#stream) {
      this.#stream = null;
      this.emit('detached');
    }
  }

  #send(bytes: number[]): void {
    const s = this.#stream;
    if (s && !s.destroyed && s.writable) s.write(Buffer.from(bytes));
  }

  #startSampling(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = setInterval(() => this.sample(), this.#samplingMs);
  }

  /** One sampling tick: reports every analog channel that has reporting on (runs on its own timer too). */
  sample(): void {
    this.#reportAnalog.forEach((on, ch) => {
      if (on) this.#send([MSG.ANALOG | (ch & 0x0f), ...lsbMsb(this.#analogRaw[ch]!)]);
    });
  }

  #sendVersion(): void {
    this.#send([MSG.REPORT_VERSION, this.firmware.major, this.firmware.minor]);
  }

  #sendFirmware(): void {
    const name = [...Buffer.from(this.firmware.name, 'utf8')].flatMap((b) => lsbMsb(b));
    this.#send([MSG.START_SYSEX, SYSEX.REPORT_FIRMWARE, this.firmware.major, this.firmware.minor, ...name, MSG.END_SYSEX]);
  }

  /** An input pin's level: driven from outside, else the pull-up (floating without one reads low). */
  #level(p: PinState): number {
    if (p.external !== null) return p.external;
    return p.mode === PIN_MODE.PULLUP || (p.mode === PIN_MODE.INPUT && p.state) ? 1 : 0;
  }

  #portValue(port: number): number {
    let v = 0;
    for (let i = 0; i < 8; i++) {
      const p = this.#pins[port * 8 + i];
      if (p && (p.mode === PIN_MODE.INPUT || p.mode === PIN_MODE.PULLUP) && this.#level(p)) v |= 1 << i;
    }
    return v;
  }

  #reportPortIfChanged(port: number, force = false): void {
    if (!this.#reportDigital[port]) return;
    const v = this.#portValue(port);
    if (!force && v === this.#lastPortReport[port]) return;
    this.#lastPortReport[port] = v;
    this.#send([MSG.DIGITAL | port, ...lsbMsb(v)]);
  }

  #setOutput(pin: number, value: number): void {
    const p = this.#pins[pin];
    if (!p) return;
    if (p.mode === PIN_MODE.OUTPUT) {
      const v = value ? 1 : 0;
      if (p.state !== v) {
        p.state = v;
        this.emit('digital-write', { pin, value: v });
      }
    } else if (p.mode === PIN_MODE.INPUT) {
      // writing HIGH to an input enables its pull-up (the Arduino convention Firmata keeps)
      p.state = value ? 1 : 0;
      this.#reportPortIfChanged(pin >> 3);
    }
  }

  #handle(m: number[]): void {
    this.received.total++;
    const cmd = m[0]!;
    if (cmd === MSG.START_SYSEX) return this.#sysex(m[1]!, m.slice(2, -1));
    const type = cmd < 0xf0 ? cmd & 0xf0 : cmd;
    const channel = cmd & 0x0f;
    switch (type) {
      case MSG.REPORT_VERSION:
        return this.#sendVersion();
      case MSG.SYSTEM_RESET:
        return this.#reset();
      case MSG.DIGITAL: {
        const value = m[1]! | (m[2]! << 7);
        for (let i = 0; i < 8; i++) this.#setOutput(channel * 8 + i, (value >> i) & 1);
        return;
      }
      case MSG.SET_DIGITAL_PIN_VALUE:
        return this.#setOutput(m[1]!, m[2]!);
      case MSG.ANALOG: {
        const p = this.#pins[channel];
        if (p) p.pwm = m[1]! | (m[2]! << 7);
        return;
      }
      case MSG.REPORT_ANALOG:
        if (channel < this.#reportAnalog.length) this.#reportAnalog[channel] = m[1] === 1;
        return;
      case MSG.REPORT_DIGITAL:
        if (channel < this.#reportDigital.length) {
          this.#reportDigital[channel] = m[1] === 1;
          if (m[1] === 1) this.#reportPortIfChanged(channel, true);
        }
        return;
      case MSG.SET_PIN_MODE:
        return this.#setMode(m[1]!, m[2]!);
      default:
        this.received.unknown++;
    }
  }

  #setMode(pin: number, mode: number): void {
    const p = this.#pins[pin];
    if (!p) return;
    p.mode = mode;
    p.state = 0;
    this.emit('pin-mode', { pin, mode });
    if (mode === PIN_MODE.INPUT || mode === PIN_MODE.PULLUP) this.#reportPortIfChanged(pin >> 3);
  }

  #capabilities(): number[] {
    const out: number[] = [];
    const { analog, analogOnly, pwm, serial } = this.layout;
    this.#pins.forEach((_, pin) => {
      if (!serial.includes(pin)) {
        if (!analogOnly.includes(pin)) {
          out.push(PIN_MODE.INPUT, 1, PIN_MODE.OUTPUT, 1, PIN_MODE.PULLUP, 1);
          if (this.oneWire) out.push(PIN_MODE.ONEWIRE, 1);
        }
        if (analog.includes(pin)) out.push(PIN_MODE.ANALOG, Math.log2(this.adcMax + 1));
        if (pwm.includes(pin)) out.push(PIN_MODE.PWM, 8);
      }
      out.push(0x7f);
    });
    return out;
  }

  #sysex(command: number, data: number[]): void {
    switch (command) {
      case SYSEX.REPORT_FIRMWARE:
        return this.#sendFirmware();
      case SYSEX.CAPABILITY_QUERY:
        return this.#send([MSG.START_SYSEX, SYSEX.CAPABILITY_RESPONSE, ...this.#capabilities(), MSG.END_SYSEX]);
      case SYSEX.ANALOG_MAPPING_QUERY: {
        const map = this.#pins.map((_, pin) => {
          const ch = this.layout.analog.indexOf(pin);
          return ch >= 0 ? ch : 0x7f;
        });
        return this.#send([MSG.START_SYSEX, SYSEX.ANALOG_MAPPING_RESPONSE, ...map, MSG.END_SYSEX]);
      }
      case SYSEX.PIN_STATE_QUERY: {
        const pin = data[0]!;
        const p = this.#pins[pin];
        if (!p) return;
        return this.#send([MSG.START_SYSEX, SYSEX.PIN_STATE_RESPONSE, pin, p.mode, p.state & 0x7f, MSG.END_SYSEX]);
      }
      case SYSEX.SAMPLING_INTERVAL: {
        this.#samplingMs = Math.max(1, (data[0] ?? 0) | ((data[1] ?? 0) << 7));
        if (this.#timer) this.#startSampling();
        return;
      }
      case SYSEX.ONEWIRE_DATA:
        if (this.oneWire) return this.#oneWire(data);
        this.received.unknown++;
        return;
      default:
        this.received.unknown++;
    }
  }

  #oneWire(data: number[]): void {
    const [sub, pin] = [data[0]!, data[1]!];
    const bus = this.#buses.get(pin) ?? { devices: [], selected: null };
    this.#buses.set(pin, bus);
    if (sub === ONEWIRE.CONFIG_REQUEST) return;
    if (sub === ONEWIRE.SEARCH_REQUEST || sub === ONEWIRE.SEARCH_ALARMS_REQUEST) {
      const found = sub === ONEWIRE.SEARCH_REQUEST ? bus.devices : [];
      const reply = sub === ONEWIRE.SEARCH_REQUEST ? ONEWIRE.SEARCH_REPLY : ONEWIRE.SEARCH_ALARMS_REPLY;
      this.#send([MSG.START_SYSEX, SYSEX.ONEWIRE_DATA, reply, pin, ...to7Bit(found.flatMap((d) => [...d.rom])), MSG.END_SYSEX]);
      return;
    }
    // a request: reset / skip / select / read / delay / write, as ConfigurableFirmata's OneWireFirmata runs it
    if (sub & ONEWIRE.RESET_BIT) bus.selected = null;
    if (sub & ONEWIRE.SKIP_BIT) bus.selected = bus.devices.length === 1 ? bus.devices[0]! : null;
    if (!(sub & ONEWIRE.WITHDATA_BITS)) return;
    const bytes = from7Bit(data.slice(2));
    let readCount = 0;
    let correlationId = 0;
    if (sub & ONEWIRE.SELECT_BIT && bytes.length >= 8) {
      const rom = bytes.slice(0, 8);
      bus.selected = bus.devices.find((d) => d.rom.every((b, i) => b === rom[i])) ?? null;
    }
    if (sub & ONEWIRE.READ_BIT && bytes.length >= 12) {
      readCount = bytes[8]! | (bytes[9]! << 8);
      correlationId = bytes[10]! | (bytes[11]! << 8);
    }
    if (sub & ONEWIRE.WRITE_BIT) for (const b of bytes.slice(16)) bus.selected?.write(b);
    if (readCount > 0) {
      const read = Array.from({ length: readCount }, () => bus.selected?.read() ?? 0xff);
      const payload = to7Bit([correlationId & 0xff, (correlationId >> 8) & 0xff, ...read]);
      this.#send([MSG.START_SYSEX, SYSEX.ONEWIRE_DATA, ONEWIRE.READ_REPLY, pin, ...payload, MSG.END_SYSEX]);
    }
  }
}
