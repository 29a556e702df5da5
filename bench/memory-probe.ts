/**
 * A preload for measuring a process's memory from outside (bench/fleet-memory.ts): started with
 * `--expose-gc --import <this file>` and EVERNET_MEMPROBE=<file>, the process answers SIGUSR2 with one
 * JSON line appended to that file: its memory before and after a full collection, and V8's heap
 * spaces. With EVERNET_MEMPROBE_SNAPSHOT=<dir> it also writes a heap snapshot there (after the
 * collection). Nothing happens without EVERNET_MEMPROBE.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';

const out = process.env.EVERNET_MEMPROBE;
if (out) {
  let n = 0;
  process.on('SIGUSR2', () => {
    const before = process.memoryUsage();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const after = process.memoryUsage();
    const dir = process.env.EVERNET_MEMPROBE_SNAPSHOT;
    const snapshot = dir ? v8.writeHeapSnapshot(join(dir, `${process.pid}-${++n}.heapsnapshot`)) : null;
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]));
    appendFileSync(out, JSON.stringify({ pid: process.pid, gc: Boolean(gc), before, after, spaces, snapshot }) + '\n');
  });
}
