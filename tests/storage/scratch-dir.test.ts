/**
 * A run's scratch folders (storage/scratch-dir.ts) go with the run however it ends: removed by their owner,
 * at the process's exit (an uncaught error included), and on SIGINT and SIGTERM, after which the process
 * still ends by the signal — unless it has a handler of its own, which then decides, and the folder goes
 * at its exit. Real child processes, real signals.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { scratchDir } from '../../storage/scratch-dir.js';

const CHILD = fileURLToPath(new URL('../fixtures/scratch-dir/child.ts', import.meta.url));

describe('a scratch folder', () => {
  const started: Array<ReturnType<typeof spawn>> = [];
  afterEach(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  /** the child's folder and its lines after it, and how it ended */
  async function child(mode: string) {
    const c = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { stdio: ['ignore', 'pipe', 'ignore'] });
    started.push(c);
    const exited = new Promise<[number | null, string | null]>((r) => c.once('exit', (code, sig) => r([code, sig])));
    const lines = createInterface({ input: c.stdout! })[Symbol.asyncIterator]();
    const dir = (await lines.next()).value as string;
    return { c, dir, exited, lines };
  }

  it('is removed by its owner, and its process keeps its signals as they were while none is live', () => {
    const before = process.listenerCount('SIGINT');
    const a = scratchDir('evernet-scratch-test-');
    const b = scratchDir('evernet-scratch-test-');
    expect(existsSync(a.path) && existsSync(b.path)).toBe(true);
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    a.remove();
    a.remove();
    expect(existsSync(a.path)).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    b.remove();
    expect(existsSync(b.path)).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it.skipIf(process.platform === 'win32').each(['SIGINT', 'SIGTERM'] as const)('goes when %s ends the process, which still ends by the signal', async (signal) => {
    const { c, dir, exited } = await child('wait');
    expect(existsSync(dir)).toBe(true);
    c.kill(signal);
    expect(await exited).toEqual([null, signal]);
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it.skipIf(process.platform === 'win32')('stays while the process stops on its own handler, which decides how it ends, and goes at its exit', async () => {
    const { c, dir, exited, lines } = await child('graceful');
    c.kill('SIGTERM');
    expect((await lines.next()).value).toBe('stopping');
    expect(existsSync(dir)).toBe(true);
    expect(await exited).toEqual([0, null]);
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it('goes when the process dies of an uncaught error', async () => {
    const { dir, exited } = await child('throw');
    expect(await exited).toEqual([1, null]);
    expect(existsSync(dir)).toBe(false);
  }, 30_000);
});
