/**
 * Heap of this (the broker's) process after a full garbage collection. The bench runs under tsx
 * without --expose-gc, so gc is switched on at run time; without it the figures are noisier.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

function findGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

const gc = findGc();

export const gcAvailable = gc !== null;

export async function heapMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
}
