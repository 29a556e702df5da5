/**
 * The transport firmata-io's Firmata class talks to: anything with on('data'|'open'|'close'|'error')
 * and write(buffer, callback). `firmataTransport` wraps a Duplex (an in-memory pair, a TCP socket, a
 * pseudo-terminal) or an already-created serial port so that:
 *   - 'open' is emitted once the stream is usable (johnny-five never gets `ready` without it);
 *   - writes after the line is gone are dropped instead of throwing (johnny-five components keep
 *     timers that write after a board is unplugged);
 *   - 'close' is emitted exactly once, whether the stream ended, closed or was destroyed.
 *
 * Part of devices/firmata/ (imports nothing of evernet). Lines are opened elsewhere: a serial path
 * by devices/drivers/serial.ts, the software board's in-memory pair by devices/simulator/plug-in.ts.
 */
import { EventEmitter } from 'node:events';

/** The part of a stream (or serialport) the wrapper needs. */
export interface ByteLine {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close' | 'end', listener: () => void): unknown;
  write(data: Buffer, callback?: (error?: Error | null) => void): unknown;
  destroy?(): unknown;
  close?(callback?: (error?: Error | null) => void): unknown;
  /** serialport: true once open */
  isOpen?: boolean;
}

export interface FirmataTransport extends EventEmitter {
  write(data: Buffer, callback?: (error?: Error | null) => void): void;
  readonly isClosed: boolean;
  /** bytes received so far (to tell "silent" from "talks, but not Firmata") */
  readonly bytesReceived: number;
  /** Emits 'open' (on the next tick). Called by whoever opened the underlying line. */
  open(): void;
  /** Closes the underlying line; resolves once 'close' was emitted. */
  close(): Promise<void>;
  /** Gives up on a line that went silent: 'close' now, the line is closed in the background. */
  drop(): void;
}

class WrappedTransport extends EventEmitter implements FirmataTransport {
  #closed = false;
  #opened = false;
  #received = 0;

  constructor(private readonly line: ByteLine) {
    super();
    // bytes that arrive before anyone listens (the board announces itself early) are kept
    const early: Buffer[] = [];
    line.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      if (this.#closed) return;
      if (this.listenerCount('data') === 0) early.push(chunk);
      else this.emit('data', chunk);
    });
    this.on('newListener', (event: string) => {
      if (event !== 'data' || early.length === 0) return;
      process.nextTick(() => {
        for (const chunk of early.splice(0)) if (!this.#closed) this.emit('data', chunk);
      });
    });
    line.on('error', (error: Error & { code?: string; disconnect?: boolean }) => {
      if (this.#closed) return;
      // a tty whose device went away reads EIO (serialport 8 reports it as a plain error)
      if (error.disconnect || /^(EIO|ENXIO|EBADF|ENODEV)$/.test(error.code ?? '')) {
        this.#markClosed();
        try {
          line.destroy?.();
        } catch {
          // already gone
        }
        return;
      }
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    line.on('end', () => this.#markClosed());
    line.on('close', () => this.#markClosed());
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  get bytesReceived(): number {
    return this.#received;
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close');
  }

  open(): void {
    if (this.#opened) return;
    this.#opened = true;
    process.nextTick(() => {
      if (!this.#closed) this.emit('open');
    });
  }

  write(data: Buffer, callback?: (error?: Error | null) => void): void {
    if (this.#closed) {
      callback?.();
      return;
    }
    try {
      this.line.write(data, (error) => callback?.(error ?? null));
    } catch {
      callback?.();
    }
  }

  drop(): void {
    if (this.#closed) return;
    this.#markClosed();
    try {
      if (typeof this.line.close === 'function') this.line.close(() => {});
      else this.line.destroy?.();
    } catch {
      // already gone
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.once('close', () => resolve());
      if (typeof this.line.close === 'function') {
        this.line.close(() => this.#markClosed());
      } else if (typeof this.line.destroy === 'function') {
        this.line.destroy();
      } else {
        this.#markClosed();
      }
    });
  }
}

/** Wraps a line; call `.open()` when the line is open (at once for streams that already are). */
export function firmataTransport(line: ByteLine): FirmataTransport {
  return new WrappedTransport(line);
}
