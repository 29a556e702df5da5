/**
 * What the API returns: tickets with their device and customer names, SLA and who took them; devices
 * and loads as the page shows them. Pure functions of the helpdesk's data and event time.
 */
import { deviceKey } from '../../contracts/index.js';
import type { LoadRecord } from '../loads.js';
import type { Ticket } from '../tickets/lifecycle.js';
import { summaryOf, type TicketSummaryRecord } from '../tickets/store.js';
import { slaOf, type SlaPolicy } from './sla.js';
import type { DashboardHelpdesk } from './deps.js';

/** what naming a ticket's device and owner needs of a device row (GET /devices has more: state, problem, ...) */
export type DeviceRow = Pick<ReturnType<DashboardHelpdesk['devices']>[number], 'customerId' | 'customer' | 'deviceId' | 'kind' | 'name' | 'online' | 'lastTs' | 'last'>;

export interface Names {
  device(customerId: string, deviceId: string): DeviceRow | undefined;
}

export function namesOf(devices: DeviceRow[]): Names {
  const byKey = new Map(devices.map((d) => [deviceKey(d.customerId, d.deviceId), d]));
  return { device: (c, d) => byKey.get(deviceKey(c, d)) };
}

/**
 * A ticket as the queue shows it: no timeline and no evidence; `version` (the timeline's length),
 * the assignee and who acknowledged it (from the timeline's notes) stand in for the timeline.
 */
export function ticketSummary(ticket: Ticket | TicketSummaryRecord, now: number, names: Names, policy?: SlaPolicy) {
  const t = 'timeline' in ticket ? summaryOf(ticket) : ticket;
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
    version: t.version,
    timeToContactMs: sla.timeToContactMs,
    sla,
    assignee: t.assignee,
    acknowledgedBy: t.acknowledgedBy,
  };
}
export type TicketSummary = ReturnType<typeof ticketSummary>;

export function ticketDetail(t: Ticket, now: number, names: Names, policy?: SlaPolicy) {
  return { ...ticketSummary(t, now, names, policy), resolution: t.resolution, evidence: t.evidence, timeline: t.timeline };
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
