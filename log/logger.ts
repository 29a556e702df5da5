/**
 * pino logger whose `time` is event time from the injected clock: JSON by default, pretty on a TTY.
 */
import { pino, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';
import type { Clock } from '../contracts/clock.js';

export interface LoggerOptions {
  clock: Clock;
  level?: string;
  pretty?: boolean;
  /** where JSON lines go; default stderr (stdout belongs to reports and summaries) */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const { clock } = options;
  const settings = {
    level: options.level ?? 'info',
    base: undefined,
    timestamp: () => `,"time":"${new Date(clock.now()).toISOString()}"`,
  };
  const destination = options.pretty
    ? PinoPretty({ colorize: true, destination: 2, ignore: 'pid,hostname' })
    : (options.destination ?? pino.destination(2));
  return pino(settings, destination);
}

/** A logger that drops everything (for tests that assert on counters, not log lines). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
