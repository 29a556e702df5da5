/**
 * What the API returns: tickets with their device and customer names, SLA and who took them; devices
 * and loads as the page shows them. Pure functions of the helpdesk's data and event time.
 */
import type { LoadRecord } from '../loads.js';
import type { Ticket } from '../tickets/lifecycle.js';
import { slaOf, type SlaPolicy } from './sla.js';
import type { DashboardHelpdesk } from './deps.js';

export type DeviceRow = ReturnType<DashboardHelpdesk['devices']>[number];

export interface Names {
  device(customerId: string, deviceId: string): DeviceRow | undefined;
}

export function namesOf(devices: DeviceRow[]): Names {
  const byKey = new Map(devices.map((d) => [`${d.customerId}/${d.deviceId}`, d]));
  return { device: (c, d) => byKey.get(`${c}/${d}`) };
}

/** The staff member a ticket is assigned to and who acknowledged it, from its timeline notes. */
function staffNotes(t: Ticket): { assignee: string | null; acknowledgedBy: string | null } {
  let assignee: string | null = null;
  let acknowledgedBy: string | null = null;
  for (const e of t.timeline) {
    if (e.step !== 'note') continue;
    if (e.detail.kind === 'assigned' && typeof e.detail.to === 'string') assignee = e.detail.to;
    if (e.detail.kind === 'acknowledged') acknowledgedBy = e.by;
  }
  return { assignee, acknowledgedBy };
}

export function ticketSummary(t: Ticket, now: number, names: Names, policy?: SlaPolicy) {
  const d = names.device(t.customerId, t.deviceId);
  const sla = slaOf(t, now, policy);
  return {
    id: t.id,
    kind: t.kind,
    severity: t.severity,
    state: t.state,
    proactive: t.proactive,
    customerId: t.customerId,
    customer: d?.customer ?? t.customerId,
    deviceId: t.deviceId,
    device: d?.name ?? t.deviceId,
    deviceKind: d?.kind ?? null,
    openedAt: t.openedAt,
    contactedAt: t.contactedAt,
    channel: t.channel,
    actionSentAt: t.actionSentAt,
    resolvedAt: t.resolvedAt,
    updatedAt: t.updatedAt,
    /** grows with every change: the page keeps the copy with the larger version */
    version: t.timeline.length,
    timeToContactMs: sla.timeToContactMs,
    sla,
    ...staffNotes(t),
  };
}
export type TicketSummary = ReturnType<typeof ticketSummary>;

export function ticketDetail(t: Ticket, now: number, names: Names, policy?: SlaPolicy) {
  return { ...ticketSummary(t, now, names, policy), resolution: t.resolution, evidence: t.evidence, timeline: t.timeline };
}

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const STATE_RANK = { opened: 0, escalated: 1, contacted: 2, 'action-sent': 3, resolved: 4 } as const;

export type SortKey = 'opened' | 'severity' | 'state' | 'sla' | 'contact';

/** Sorts summaries in place; ties fall back to opening time, then id, so the order is stable. */
export function sortTickets(rows: TicketSummary[], key: SortKey, order: 'asc' | 'desc'): TicketSummary[] {
  const val = (r: TicketSummary): number => {
    switch (key) {
      case 'severity':
        return SEVERITY_RANK[r.severity];
      case 'state':
        return STATE_RANK[r.state];
      case 'sla':
        return r.sla.status === 'due' ? r.sla.dueAt : r.sla.status === 'breached' && r.sla.respondedAt === null ? -Infinity : Infinity;
      case 'contact':
        return r.timeToContactMs ?? Infinity;
      case 'opened':
        return r.openedAt;
    }
  };
  const dir = order === 'asc' ? 1 : -1;
  return rows.sort((a, b) => dir * (val(a) - val(b) || a.openedAt - b.openedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
}

/** A load plan with the numbers the page shows: run length, planned end, saving against starting at once. */
export function loadView(l: LoadRecord, names?: Names) {
  const d = names?.device(l.customerId, l.deviceId);
  const durationS = l.slots.reduce((s, x) => s + x.durationS, 0);
  const start = l.actualStart ?? l.plannedStart;
  return {
    ...l,
    device: d?.name ?? l.deviceId,
    customer: d?.customer ?? l.customerId,
    durationS,
    plannedEnd: l.plannedStart === null ? null : l.plannedStart + durationS * 1000,
    runEnd: start === null ? null : start + durationS * 1000,
    savingEur: l.startNowCostEur !== null && l.optimalCostEur !== null ? l.startNowCostEur - l.optimalCostEur : null,
  };
}
