/**
 * What the helpdesk tells its observers (the dashboard's live stream, tests): ticket changes, device
 * availability, telemetry and load plans. Listeners run synchronously; one that throws is logged and
 * does not stop the others.
 */
import type { Logger } from 'pino';
import type { LoadRecord } from './loads.js';
import type { ProblemRecord } from './problems/store.js';
import type { Ticket } from './tickets/lifecycle.js';

export type HelpdeskEvent =
  | { type: 'ticket'; at: number; ticket: Ticket; note: string }
  | { type: 'availability'; at: number; customerId: string; deviceId: string; online: boolean }
  | { type: 'telemetry'; at: number; customerId: string; deviceId: string; readings: Record<string, unknown> }
  | { type: 'load'; at: number; load: LoadRecord }
  /** a problem opened, grew, or one of its tickets changed state */
  | { type: 'problem'; at: number; problem: ProblemRecord; note: string };

export type Listener = (e: HelpdeskEvent) => void;

export function createEvents(log: Logger) {
  const listeners = new Set<Listener>();
  return {
    emit(e: HelpdeskEvent): void {
      for (const l of listeners) {
        try {
          l(e);
        } catch (err) {
          log.error({ err, event: e.type }, 'helpdesk event listener failed');
        }
      }
    },
    /** Adds a listener; returns the function that removes it. */
    on(l: Listener): () => void {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    get size(): number {
      return listeners.size;
    },
  };
}
export type Events = ReturnType<typeof createEvents>;
