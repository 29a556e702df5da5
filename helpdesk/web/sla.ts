/**
 * The contact SLA per severity, in event time: the customer is contacted within 5 / 15 / 60 / 240
 * minutes (critical / high / medium / low) of the ticket opening. Pure.
 *   met      contacted (or resolved without contact) within the target
 *   breached contacted late, or still waiting past the target
 *   due      still waiting, within the target (dueAt says until when)
 */
import type { Severity } from '../../contracts/index.js';
import type { Ticket } from '../tickets/lifecycle.js';

export type SlaPolicy = Record<Severity, number>;
export const DEFAULT_SLA_MINUTES: SlaPolicy = { critical: 5, high: 15, medium: 60, low: 240 };

export interface SlaView {
  targetMinutes: number;
  status: 'met' | 'breached' | 'due';
  /** event time by which the first contact is due */
  dueAt: number;
  /** first response: contactedAt, else resolvedAt; null while waiting */
  respondedAt: number | null;
  /** respondedAt - openedAt, or null */
  timeToContactMs: number | null;
}

export function slaOf(t: Pick<Ticket, 'severity' | 'openedAt' | 'contactedAt' | 'resolvedAt'>, now: number, policy: SlaPolicy = DEFAULT_SLA_MINUTES): SlaView {
  const targetMinutes = policy[t.severity];
  const dueAt = t.openedAt + targetMinutes * 60_000;
  const respondedAt = t.contactedAt ?? t.resolvedAt;
  if (respondedAt !== null) {
    return { targetMinutes, dueAt, respondedAt, timeToContactMs: respondedAt - t.openedAt, status: respondedAt <= dueAt ? 'met' : 'breached' };
  }
  return { targetMinutes, dueAt, respondedAt: null, timeToContactMs: null, status: now > dueAt ? 'breached' : 'due' };
}
