/**
 * Telemetry writes after the decisions (a replay's option, HelpdeskOptions.deferTelemetryWrites): the
 * recorder's due flush runs on the next turn of the event loop instead of inside advance(), so in a
 * replay it overlaps with the devices moving through the next window (in other processes) instead of
 * holding the runner back. What is written, and in which batches, stays the same: the flush writes all
 * that is buffered when it runs, one pending flush stands for any number asked in between, a read
 * that needs the store (a chart, evidence) flushes first as always, and stop() cancels it before its
 * own final flush. A broken database found there stops the helpdesk as in advance(): `onFatal` is
 * told; what it throws (no owner to tell) is kept and thrown by the next `rethrow()`.
 */
import { isFatalStorageError } from '../../storage/sqlite.js';

export interface Deferral {
  /** runs `flush` on the next turn, unless one is pending already */
  defer(flush: () => void): void;
  /** forgets a pending flush (stop() writes everything itself) */
  cancel(): void;
  /** throws what a deferred flush left to throw (the helpdesk's fatal error without an owner), once */
  rethrow(): void;
}

export function createDeferral(o: { fatal: (err: Error) => void; onError: (err: unknown) => void }): Deferral {
  let pending: NodeJS.Immediate | null = null;
  let thrown: unknown = null;
  return {
    defer(flush) {
      if (pending) return;
      pending = setImmediate(() => {
        pending = null;
        try {
          flush();
        } catch (e) {
          if (!isFatalStorageError(e)) return o.onError(e);
          try {
            o.fatal(e as Error);
          } catch (t) {
            thrown = t;
          }
        }
      });
    },
    cancel() {
      if (pending) clearImmediate(pending);
      pending = null;
    },
    rethrow() {
      if (thrown === null) return;
      const t = thrown;
      thrown = null;
      throw t;
    },
  };
}
