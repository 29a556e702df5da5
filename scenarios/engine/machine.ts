/** This machine's figures for chooseLayout: cores, memory and the descriptors a process may hold. */
import { execFileSync } from 'node:child_process';
import { availableParallelism, totalmem } from 'node:os';
import type { Machine } from './layout.js';

export function thisMachine(): Machine {
  let fdLimit = 1024;
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    fdLimit = out === 'unlimited' ? 1_048_576 : Number(out) || fdLimit;
  } catch {
    // no shell: the common default
  }
  return { cores: availableParallelism(), totalMemBytes: totalmem(), fdLimit };
}
