/**
 * A pino logger whose lines a test can read: every line at `level` and above, parsed from its JSON,
 * kept in memory in the order written.
 */
import { pino, type Logger } from 'pino';

export function memoryLog(level = 'info'): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines };
}
