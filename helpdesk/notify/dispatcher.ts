/**
 * The dispatcher: every notification goes to each adapter that accepts it, as one job per adapter
 * in an in-memory queue with a cap. run() tries the jobs that are due on the given clock; a failed
 * job waits baseBackoffMs × 2^(attempt-1) (capped) and is tried again, up to maxAttempts. Each
 * attempt, its outcome and code, is handed to onAttempt (the service notes it on the ticket) and
 * kept in a bounded log. Nothing throws out of it.
 */
import type { Clock, EvnErrorCode } from '../../contracts/index.js';
import { NOTIFY_ERR, NotifyError, type Notification, type NotifyAdapter } from './adapter.js';

export interface DispatcherOptions {
  adapters: NotifyAdapter[];
  clock: Clock;
  /** attempts per notification and adapter; default 5 */
  maxAttempts?: number;
  /** default 1000 ms */
  baseBackoffMs?: number;
  /** default 60000 ms */
  maxBackoffMs?: number;
  /** jobs waiting at most; past it a notification is recorded as failed (QUEUE_FULL); default 1000 */
  queueCap?: number;
  /** attempts kept for reading (newest last); default 1000 */
  logCap?: number;
  onAttempt?: (a: NotifyAttempt) => void;
}

export interface NotifyAttempt {
  adapter: string;
  ticketId: string;
  customerId: string;
  /** 1-based; 0 for a notification refused by a full queue */
  attempt: number;
  /** clock time of the attempt */
  at: number;
  outcome: 'delivered' | 'failed' | 'gave-up';
  code?: EvnErrorCode;
  reason?: string;
  /** clock time of the next attempt, when one is scheduled */
  retryAt?: number;
}

interface Job {
  adapter: NotifyAdapter;
  n: Notification;
  attempts: number;
  dueAt: number;
}

export function createDispatcher(options: DispatcherOptions) {
  const o = { maxAttempts: 5, baseBackoffMs: 1000, maxBackoffMs: 60_000, queueCap: 1000, logCap: 1000, ...options };
  const queue: Job[] = [];
  const log: NotifyAttempt[] = [];
  let running: Promise<void> | null = null;

  const record = (a: NotifyAttempt): void => {
    log.push(a);
    if (log.length > o.logCap) log.splice(0, log.length - o.logCap);
    try {
      o.onAttempt?.(a);
    } catch {
      // a recorder that fails must not stop delivery; the attempt is in the log
    }
  };

  async function attempt(job: Job): Promise<void> {
    job.attempts++;
    const at = o.clock.now();
    const base = { adapter: job.adapter.name, ticketId: job.n.ticketId, customerId: job.n.customerId, attempt: job.attempts, at };
    try {
      await job.adapter.send(job.n);
      record({ ...base, outcome: 'delivered' });
    } catch (e) {
      const err = e instanceof NotifyError ? e : new NotifyError(NOTIFY_ERR.UNREACHABLE, (e as Error).message);
      if (!err.retryable || job.attempts >= o.maxAttempts) {
        record({ ...base, outcome: 'failed', code: err.code, reason: err.message });
        if (err.retryable) record({ ...base, outcome: 'gave-up', code: NOTIFY_ERR.GAVE_UP, reason: `${job.attempts} attempts failed` });
        return;
      }
      const retryAt = at + Math.min(o.maxBackoffMs, o.baseBackoffMs * 2 ** (job.attempts - 1));
      job.dueAt = retryAt;
      queue.push(job);
      record({ ...base, outcome: 'failed', code: err.code, reason: err.message, retryAt });
    }
  }

  async function runDue(): Promise<void> {
    const now = o.clock.now();
    const due = queue.filter((j) => j.dueAt <= now);
    for (const j of due) queue.splice(queue.indexOf(j), 1);
    for (const j of due) await attempt(j);
  }

  return {
    /** Queues the notification for each adapter that accepts it (tried on the next run()). */
    enqueue(n: Notification): void {
      for (const adapter of o.adapters) {
        if (!adapter.accepts(n)) continue;
        if (queue.length >= o.queueCap) {
          record({ adapter: adapter.name, ticketId: n.ticketId, customerId: n.customerId, attempt: 0, at: o.clock.now(), outcome: 'failed', code: NOTIFY_ERR.QUEUE_FULL, reason: `${queue.length} waiting` });
          continue;
        }
        queue.push({ adapter, n, attempts: 0, dueAt: o.clock.now() });
      }
    },
    /** Tries every job due now, one at a time; overlapping calls share the one run. */
    run(): Promise<void> {
      running ??= runDue().finally(() => {
        running = null;
      });
      return running;
    },
    /** jobs waiting (new or to be retried) */
    pending: (): number => queue.length,
    /** the earliest time a waiting job is due, or null */
    nextDueAt: (): number | null => (queue.length ? Math.min(...queue.map((j) => j.dueAt)) : null),
    /** the recorded attempts, oldest first */
    attempts: (): NotifyAttempt[] => [...log],
    close(): void {
      for (const a of o.adapters) a.close?.();
    },
  };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
