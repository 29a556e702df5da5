/**
 * A checkpoint of a helpdesk: everything it holds in memory that later decisions depend on, as plain
 * JSON data (plain.ts), so that a helpdesk created with it (`createHelpdesk({ restore })`) on the
 * database as it was at that moment decides exactly what the uninterrupted one does (docs/scale.md#checkpoints).
 * A helpdesk worker (cluster/) writes one with the stream position it includes; the worker that takes
 * the partition over restores it and goes on with the messages after that position.
 *
 * Each module keeps its own snapshot()/restore(s) next to its state; this file assembles them:
 *   service   watermark, messages published, messages decided but still waiting for the database
 *   ingest    per-sender sequence memory, reconnected senders, duplicates, stats, the messages received
 *             and not yet drained (they are in no database: the checkpoint must carry them)
 *   outbox    session (command ids), per-topic sequence numbers, command counts
 *   core      reporting modes, driving, inventories, availability, recipe answers; the detectors
 *             (per device plans and states, the general detector's memory), the silence watch,
 *             the telemetry recorder (buffered rows, open minutes, newest readings: carried, not
 *             flushed), commands awaiting results, the problems grouping, offers and usage, open
 *             loads, app-export throttle, the registry's observations
 * The stores' contents are not in it: they are the database's.
 */
import { CHECKPOINT_ERR, CheckpointError, fromPlain, toPlain, type Plain } from './plain.js';
import type { createCore } from './core.js';
import type { IngestSnapshot } from './ingest/ingest.js';
import type { OutboxSnapshot, OutMessage } from './outbox.js';

/** bumped whenever what a module's snapshot holds changes shape: a checkpoint of another version is refused */
export const CHECKPOINT_VERSION = 1;

export interface HelpdeskCheckpoint {
  version: number;
  /** event time up to which messages were processed (the last advance); -Number.MAX_VALUE before the first */
  watermark: number;
  /** the modules' state (plain.ts's encoding of HelpdeskState) */
  state: Plain;
}

/** the state as the modules give and take it */
export interface HelpdeskState {
  /**
   * started: start() had run (a restored helpdesk then resumes nothing: its state is the checkpoint's);
   * unsent: messages decided but waiting for the database (HelpdeskOptions.durable), sent first by the restored helpdesk
   */
  service: { watermark: number; published: number; started: boolean; unsent: OutMessage[] };
  ingest: IngestSnapshot;
  outbox: OutboxSnapshot;
  core: ReturnType<ReturnType<typeof createCore>['snapshot']>;
}

const PARTS = ['service', 'ingest', 'outbox', 'core'] as const;

/** the modules' state as a checkpoint (plain data; nothing in it is shared with the helpdesk) */
export function toCheckpoint(s: HelpdeskState): HelpdeskCheckpoint {
  return { version: CHECKPOINT_VERSION, watermark: Number.isFinite(s.service.watermark) ? s.service.watermark : -Number.MAX_VALUE, state: toPlain(s, 'helpdesk') };
}

/** A checkpoint's state for the modules to take over; refused with a coded error when it is of another version or not one. */
export function fromCheckpoint(cp: HelpdeskCheckpoint): HelpdeskState {
  if (!cp || typeof cp !== 'object') throw new CheckpointError(CHECKPOINT_ERR.INVALID, 'a checkpoint is an object');
  if (cp.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(CHECKPOINT_ERR.VERSION, `the checkpoint is of version ${JSON.stringify(cp.version)}; this build reads version ${CHECKPOINT_VERSION} only`);
  }
  const s = fromPlain(cp.state) as Partial<HelpdeskState> | null;
  const missing = PARTS.filter((p) => !s || typeof s !== 'object' || !s[p] || typeof s[p] !== 'object');
  if (missing.length) throw new CheckpointError(CHECKPOINT_ERR.INVALID, `the checkpoint lacks ${missing.join(', ')}`);
  return s as HelpdeskState;
}
