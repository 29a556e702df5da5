/**
 * A ticket's evidence window: the device's telemetry from 10 minutes before the anomaly began
 * (`evidence.since`, or the opening) to 5 minutes after the ticket's last change, at most 2 hours.
 * Its start is fixed when the ticket opens, so the whole window it can ever show, [from, from + 2 h],
 * is pinned then (recorder.keep): retention keeps those readings as long as the ticket exists.
 */
const MINUTE = 60_000;
export const EVIDENCE_BEFORE_MS = 10 * MINUTE;
export const EVIDENCE_AFTER_MS = 5 * MINUTE;
export const EVIDENCE_MAX_MS = 120 * MINUTE;

export interface EvidenceTicket {
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  evidence: { since?: unknown };
}

export function evidenceWindow(t: EvidenceTicket): { since: number; from: number; to: number; keepTo: number } {
  const since = typeof t.evidence.since === 'number' && Number.isFinite(t.evidence.since) ? Math.min(t.evidence.since, t.openedAt) : t.openedAt;
  const from = since - EVIDENCE_BEFORE_MS;
  const keepTo = from + EVIDENCE_MAX_MS;
  const to = Math.min(Math.max(t.resolvedAt ?? t.updatedAt, t.openedAt) + EVIDENCE_AFTER_MS, keepTo);
  return { since, from, to, keepTo };
}
