/**
 * The few parts of johnny-five, firmata-io and serialport 8 that evernet uses (none ships types).
 * Only devices/drivers/board.ts imports johnny-five and firmata-io; only devices/drivers/serial.ts
 * imports serialport.
 */
declare module 'johnny-five' {
  import type { EventEmitter } from 'node:events';

  interface ComponentOptions {
    board: Board;
    pin?: number | string;
    freq?: number;
  }
  class Board extends EventEmitter {
    constructor(options: { io: unknown; repl?: boolean; debug?: boolean; sigint?: boolean; timeout?: number; id?: string });
    isReady: boolean;
    /** the connect-timeout johnny-five arms itself (cleared on ready) */
    timer: NodeJS.Timeout | null;
    pinMode(pin: number, mode: number): this;
  }
  class Sensor extends EventEmitter {
    constructor(options: ComponentOptions & { type?: 'analog' | 'digital'; threshold?: number });
    readonly raw: number | null;
    disable(): void;
  }
  class Thermometer extends EventEmitter {
    constructor(
      options: ComponentOptions & { controller: string; address?: number; aref?: number; toCelsius?: (raw: number) => number },
    );
    readonly celsius: number;
    readonly address?: number;
    disable(): void;
  }
  class Button extends EventEmitter {
    constructor(options: ComponentOptions & { isPullup?: boolean; invert?: boolean; holdtime?: number });
    readonly isDown: boolean;
  }
  class Switch extends EventEmitter {
    constructor(options: ComponentOptions & { type?: 'NO' | 'NC'; invert?: boolean });
    readonly isOpen: boolean;
    readonly isClosed: boolean;
  }
  class Relay {
    constructor(options: ComponentOptions & { type?: 'NO' | 'NC' });
    readonly isClosed: boolean;
    close(): this;
    open(): this;
  }
  class Led {
    constructor(options: ComponentOptions);
    readonly isOn: boolean;
    on(): this;
    off(): this;
    stop(): this;
  }
  const five: {
    Board: typeof Board;
    Sensor: typeof Sensor;
    Thermometer: typeof Thermometer;
    Button: typeof Button;
    Switch: typeof Switch;
    Relay: typeof Relay;
    Led: typeof Led;
  };
  export default five;
}

declare module 'firmata-io' {
  import type { EventEmitter } from 'node:events';

  class Firmata extends EventEmitter {
    constructor(
      transport: unknown,
      options?: { reportVersionTimeout?: number; samplingInterval?: number; skipCapabilities?: boolean },
      callback?: (error?: Error) => void,
    );
    isReady: boolean;
    firmware: { name?: string; version?: { major: number; minor: number } };
    version: { major?: number; minor?: number };
    pins: Array<{ supportedModes: number[]; mode?: number; value?: number; analogChannel?: number }>;
    analogPins: number[];
    MODES: Record<string, number>;
    /** from the capability response: ADC is the highest analog value (1023 for 10 bits) */
    RESOLUTION?: { ADC: number | null; PWM: number | null };
    sendOneWireSearch(pin: number, callback: (error: Error | null, devices: number[][]) => void): void;
    sendOneWireWriteAndRead(
      pin: number,
      device: number[],
      data: number | number[],
      numBytesToRead: number,
      callback: (error: Error | null, data: number[]) => void,
    ): void;
  }
  const firmataIo: ((transport: unknown) => typeof Firmata) & { Firmata: typeof Firmata };
  export default firmataIo;
}

declare module 'serialport' {
  import type { Duplex } from 'node:stream';

  interface PortInfo {
    path: string;
    manufacturer?: string;
    serialNumber?: string;
    vendorId?: string;
    productId?: string;
  }
  class SerialPort extends Duplex {
    constructor(path: string, options: { baudRate: number; autoOpen?: boolean }, callback?: (error: Error | null) => void);
    readonly isOpen: boolean;
    readonly path: string;
    open(callback?: (error: Error | null) => void): void;
    close(callback?: (error: Error | null) => void): void;
    static list(): Promise<PortInfo[]>;
  }
  export default SerialPort;
}
