/**
 * A queue in front of scrypt, so that a storm of logins cannot monopolise it. scrypt runs on libuv's
 * thread pool (4 threads by default) in submission order: 500 attempts submitted at once would make
 * the 501st wait for all of them. Here at most `maxConcurrent` verifications run at a time, at most
 * `maxPerSource` from one source address, and a free slot goes to the oldest waiting attempt from a
 * clean source (see login-throttle.ts) before any from a source with failures. A source with more
 * than `maxQueuedPerSource` waiting is refused at once.
 */

export interface VerifyQueueOptions {
  /** verifications running at once, all sources; default 4 (libuv's default thread pool) */
  maxConcurrent?: number;
  /** verifications running at once from one source; default 2 */
  maxPerSource?: number;
  /** attempts waiting from one source before more are refused; default 256 */
  maxQueuedPerSource?: number;
}

export const DEFAULT_VERIFY_QUEUE: Required<VerifyQueueOptions> = { maxConcurrent: 4, maxPerSource: 2, maxQueuedPerSource: 256 };

interface Waiter {
  source: string;
  clean: () => boolean;
  start: (release: () => void) => void;
}

export function createVerifyQueue(options: VerifyQueueOptions = {}) {
  const o = { ...DEFAULT_VERIFY_QUEUE, ...options };
  const running = new Map<string, number>();
  const queuedBySource = new Map<string, number>();
  const waiting: Waiter[] = [];
  let total = 0;

  const bump = (m: Map<string, number>, k: string, by: number) => {
    const n = (m.get(k) ?? 0) + by;
    if (n <= 0) m.delete(k);
    else m.set(k, n);
  };

  function pump(): void {
    while (total < o.maxConcurrent && waiting.length > 0) {
      let pick = -1;
      let fallback = -1;
      for (let i = 0; i < waiting.length; i++) {
        const w = waiting[i]!;
        if ((running.get(w.source) ?? 0) >= o.maxPerSource) continue;
        if (w.clean()) {
          pick = i;
          break;
        }
        if (fallback < 0) fallback = i;
      }
      if (pick < 0) pick = fallback;
      if (pick < 0) return; // every waiter's source is at its cap
      const [w] = waiting.splice(pick, 1) as [Waiter];
      bump(queuedBySource, w.source, -1);
      bump(running, w.source, 1);
      total++;
      let released = false;
      w.start(() => {
        if (released) return;
        released = true;
        bump(running, w.source, -1);
        total--;
        pump();
      });
    }
  }

  return {
    /**
     * Waits for a slot; resolves with its release function (call it when the verification is done),
     * or null when the source has too many attempts waiting already.
     */
    enter(source: string, clean: () => boolean): Promise<(() => void) | null> {
      if ((queuedBySource.get(source) ?? 0) >= o.maxQueuedPerSource) return Promise.resolve(null);
      return new Promise((resolve) => {
        bump(queuedBySource, source, 1);
        waiting.push({ source, clean, start: resolve });
        pump();
      });
    },
    stats: () => ({ running: total, waiting: waiting.length }),
  };
}
export type VerifyQueue = ReturnType<typeof createVerifyQueue>;
