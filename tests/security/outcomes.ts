/**
 * What the corpus tests check after each message: the helpdesk's counters moved exactly as the
 * corpus says (and by nothing else), and the valid reading sent after it was accepted.
 */
import { expect } from 'vitest';
import type { IngestStats } from '../../helpdesk/ingest/ingest.js';
import type { CorpusMessage, SenderState } from './corpus.js';
import { FRIDGE_TELEMETRY, T0, fridgeTelemetry } from './fixture.js';

/** The counts that changed between two byCode snapshots. */
export function codeDelta(before: Record<string, number | undefined>, after: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const code of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[code] ?? 0) - (before[code] ?? 0);
    if (d !== 0) out[code] = d;
  }
  return out;
}

/** The valid fridge reading that follows each corpus message: the next seq, a minute later. */
export function nextValid(state: SenderState): Buffer {
  const last = state.get('maria/fridge') ?? { seq: 0, ts: T0 };
  return Buffer.from(fridgeTelemetry(last.seq + 1, last.ts + 60_000));
}

/**
 * `delivered`: the broker passed the message on (always on an open broker; on a secured one only
 * when it forwards). The valid reading after it must always be accepted.
 */
export function expectHelpdeskOutcome(m: CorpusMessage, before: IngestStats, after: IngestStats, delivered: boolean): void {
  const e = m.expect;
  const seen = delivered && !('unseen' in e);
  const delta = {
    received: after.received - before.received,
    accepted: after.accepted - before.accepted,
    rejected: after.rejected - before.rejected,
    duplicates: after.duplicates - before.duplicates,
    gaps: after.gaps - before.gaps,
    byCode: codeDelta(before.byCode, after.byCode),
  };
  const want = {
    received: seen ? 2 : 1,
    accepted: 1 + (seen && 'accepted' in e ? 1 : 0),
    rejected: seen && 'code' in e ? 1 : 0,
    duplicates: seen && 'duplicate' in e ? 1 : 0,
    gaps: seen && 'accepted' in e ? (e.gaps ?? 0) : 0,
    byCode: !seen ? {} : 'code' in e ? { [e.code]: 1 } : 'duplicate' in e ? { EVN_ERR_DUPLICATE: 1 } : {},
  };
  expect(delta, `${m.name} (${m.about}) on ${m.topic}`).toEqual(want);
}

export { FRIDGE_TELEMETRY };
