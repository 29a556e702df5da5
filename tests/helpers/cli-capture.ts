/**
 * Runs an `evernet` command function in this process and captures what it writes: its exit code and
 * its stdout and stderr (the CLI's tests; real processes are in tests/e2e/live/processes.ts).
 */
import { vi } from 'vitest';
import { main } from '../../cli/main.js';

export async function captured(fn: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await fn(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** `evernet ...argv` through cli/main.ts, captured */
export const evernet = (...argv: string[]) => captured(main, argv);
