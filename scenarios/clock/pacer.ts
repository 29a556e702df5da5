/**
 * Paces a replay against the wall clock: `--speed 60` makes one simulated minute take one real
 * second. The only place besides contracts/clock.ts that reads wall time.
 */
export function createPacer(speed: number | undefined) {
  const wallStart = performance.now();
  let simStart: number | null = null;
  return {
    /** Waits until wall time has caught up with simulated time t (ms); returns at once in fast mode. */
    async until(t: number): Promise<void> {
      if (!speed) return;
      simStart ??= t;
      const due = wallStart + (t - simStart) / speed;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    },
  };
}

/** Rejects with a coded error if `p` does not settle within `ms` of wall time. */
export async function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`EVN_ERR_REPLAY_STALLED: ${what()}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a teardown step for at most `ms` of wall time: one that does not finish by then (a connection
 * waiting for an acknowledgement that never comes) is let go, and `onLate` says which. Never rejects.
 */
export async function atMost(step: () => Promise<unknown>, ms: number, onLate: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)));
  const outcome = await Promise.race([step().then(() => 'done', () => 'done'), late]);
  clearTimeout(timer);
  if (outcome === 'late') onLate();
}
