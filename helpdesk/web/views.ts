/**
 * What the API returns: tickets with their device and customer names, SLA and who took them; devices
 * and loads as the page shows them. Pure functions of the helpdesk's data and event time.
 *
 * Every ticket, device and load carries `timeZone`, its customer's zone (an IANA name such as
 * 'Europe/Berlin', or a fixed offset '+01:00'): the page shows every time of it in that zone, with
 * the zone named, never in the browser's own. A ticket whose device is no longer known gets 'UTC'.
 */
import { deviceKey } from '../../contracts/index.js';
import type { LoadRecord } from '../loads.js';
import type { Ticket } from '../tickets/lifecycle.js';
import { summaryOf, type TicketSummaryRecord } from '../tickets/store.js';
import { slaOf, type SlaPolicy } from './sla.js';
import type { DashboardHelpdesk } from './deps.js';

/** what naming a ticket's device and owner needs of a device row (GET /devices has more: state, problem, ...) */
export type DeviceRow = Pick<ReturnType<DashboardHelpdesk['devices']>[number], 'customerId' | 'customer' | 'timeZone' | 'deviceId' | 'kind' | 'name' | 'online' | 'lastTs' | 'last'>;
/** what a ticket or load takes from its device's row: names, kind and the owner's zone */
export type NamedDevice = Pick<DeviceRow, 'customerId' | 'customer' | 'timeZone' | 'deviceId' | 'kind' | 'name'>;

export interface Names {
  device(customerId: string, deviceId: string): NamedDevice | undefined;
}

export function namesOf(devices: NamedDevice[]): Names {
  const byKey = new Map(devices.map((d) => [deviceKey(d.customerId, d.deviceId), d]));
  return { device: (c, d) => byKey.get(deviceKey(c, d)) };
}

/** the zone of times whose customer is not known */
export const UNKNOWN_ZONE = 'UTC';

/** The zone for times that belong to no one customer (the header's event-time clock): the customers' one zone when they share it, else UTC. */
export function siteZone(devices: ReadonlyArray<Pick<DeviceRow, 'timeZone'>>): string {
  const zones = new Set(devices.map((d) => d.timeZone));
  return zones.size === 1 ? [...zones][0]! : UNKNOWN_ZONE;
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
    /** the customer's zone: every time of this ticket is shown in it */
    timeZone: d?.timeZone ?? UNKNOWN_ZONE,
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
    /** the customer's last answer through the app: 'call-me' asks staff to call, 'decline' to follow up */
    customerAnswer: t.customerAnswer,
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
    timeZone: d?.timeZone ?? UNKNOWN_ZONE,
    durationS,
    plannedEnd: l.plannedStart === null ? null : l.plannedStart + durationS * 1000,
    runEnd: start === null ? null : start + durationS * 1000,
    savingEur: l.startNowCostEur !== null && l.optimalCostEur !== null ? l.startNowCostEur - l.optimalCostEur : null,
  };
}
