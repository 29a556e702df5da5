/**
 * The benches' process-tree sampler (bench/process-tree.ts) on real processes: it measures the tree under its
 * root and nothing beside it, reads only the processes it knows between its looks for new ones, and finds a
 * process started meanwhile at the next look.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { peakRss } from '../../bench/process-tree.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** a node process that burns CPU for `busyMs`, then waits; with `child`, it starts one like it first and prints its pid */
const BUSY = (busyMs: number, child: boolean) => `
  const { spawn } = require('node:child_process');
  ${child ? `const c = spawn(process.execPath, ['-e', 'const e = Date.now() + ${busyMs}; while (Date.now() < e); setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log(c.pid);` : 'console.log(0);'}
  const end = Date.now() + ${busyMs}; while (Date.now() < end);
  setInterval(() => {}, 1000);
`;

describe('the benches process-tree sampler', () => {
  const started: ChildProcess[] = [];
  const grandchildren: number[] = [];
  afterEach(() => {
    for (const pid of grandchildren.splice(0)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  async function start(busyMs: number, child: boolean): Promise<{ pid: number; grandchild: number }> {
    const c = spawn(process.execPath, ['-e', BUSY(busyMs, child)], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(c);
    const [line] = (await once(c.stdout!, 'data')) as [Buffer];
    const grandchild = Number(line.toString().trim());
    if (grandchild) grandchildren.push(grandchild);
    return { pid: c.pid!, grandchild };
  }

  it('measures each process of the tree under its root, and nothing beside it', async () => {
    const tree = await start(400, true);
    const beside = await start(400, false);
    const sampler = peakRss({ root: tree.pid, everyMs: 50, discoverEveryMs: 100 });
    await sleep(1200);
    const peak = sampler.stop();
    const pids = (rows: Array<[string, number]>) => rows.map(([p]) => Number(p.split(' ')[0]));
    expect(pids(sampler.byProcess()).sort()).toEqual([tree.pid, tree.grandchild].sort());
    expect(pids(sampler.byProcess())).not.toContain(beside.pid);
    const rss = new Map(sampler.byProcess().map(([p, b]) => [Number(p.split(' ')[0]), b]));
    expect(rss.get(tree.pid)).toBeGreaterThan(10 * 1024 * 1024);
    expect(peak).toBeGreaterThanOrEqual(rss.get(tree.pid)!);
    // each burnt about 400 ms of CPU before the sampler's last look
    for (const [, s] of sampler.cpuByProcess()) expect(s).toBeGreaterThan(0.2);
  });

  it('reads only the processes it knows between its looks, and finds a new one at the next look', async () => {
    const sampler = peakRss({ everyMs: 50, discoverEveryMs: 800 });
    await sleep(100); // past the first look
    const later = await start(0, false);
    await sleep(300);
    const seen = () => sampler.cpuByProcess().map(([p]) => Number(p.split(' ')[0]));
    expect(seen()).not.toContain(later.pid);
    await sleep(900);
    sampler.stop();
    expect(seen()).toContain(later.pid);
  });
});
