/**
 * A fleet replay's detection figures, all drawn through the report's own `byKind` (scenarios/
 * report-by-kind.ts) so that "caught", "late", the lead times and which ticket finds which fault
 * (`FAULT_FINDS`) have one definition:
 *
 * - per device kind: the byKind figures, plus precision (tickets that find a fault / all tickets
 *   on the kind's devices) and the tickets on *healthy* devices (devices without any fault) per
 *   10,000 of their device-days;
 * - per fault kind: byKind over that fault kind's faults alone;
 * - per ticket (detector) kind: byKind over that kind's tickets alone, for its precision.
 *
 * The fleet has no outages, so a `device-offline` ticket on a healthy device is false here (byKind
 * itself never counts it false: a report does not know a scenario's outages); it finds no fault.
 */
import { SILENCE_KIND } from '../../helpdesk/detect/silence.js';
import { byKind, type ByKind, type ByKindSource, type ReportDevice } from '../../scenarios/report-by-kind.js';

export type Figures = Record<string, number | null>;

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r1 = (x: number): number => Math.round(x * 10) / 10;
const key = (customerId: string, deviceId: string): string => `${customerId}/${deviceId}`;

/** the healthy devices' tickets and device-days per device kind: what the across-modes figure sums */
export interface HealthyTotals {
  deviceDays: number;
  tickets: number;
}

export interface DetectionFigures {
  figures: Figures;
  healthy: HealthyTotals;
}

/** tickets that find a fault: all but byKind's false ones and the silence tickets (which find none) */
const finding = (k: ByKind[string]): number => k.tickets.total - k.tickets.false - (k.tickets.byKind[SILENCE_KIND] ?? 0);

/** The figures of one replay, named `<prefix>.<device kind>.<figure>`, `<prefix>.fault.<fault kind>.…`, `<prefix>.ticket.<ticket kind>.…`. */
export function detectionFigures(source: ByKindSource, devices: readonly ReportDevice[], prefix: string): DetectionFigures {
  const src: ByKindSource = { simulated: source.simulated, tickets: source.tickets, faults: source.faults, loads: [] };
  const out: Figures = {};
  const all = byKind(src, devices);

  const faulty = new Set(src.faults.map((f) => key(f.customerId, f.deviceId)));
  const healthyDevices = devices.filter((d) => !faulty.has(key(d.customerId, d.id)));
  const healthyKeys = new Set(healthyDevices.map((d) => key(d.customerId, d.id)));
  const healthy = byKind({ ...src, faults: [], tickets: src.tickets.filter((t) => healthyKeys.has(key(t.customerId, t.deviceId))) }, healthyDevices);
  const totals: HealthyTotals = { deviceDays: 0, tickets: 0 };

  for (const [kind, k] of Object.entries(all)) {
    const p = `${prefix}.${kind}`;
    const h = healthy[kind];
    out[`${p}.devices`] = k.devices;
    out[`${p}.faults`] = k.faults.injected;
    out[`${p}.caught`] = k.faults.caught;
    out[`${p}.late`] = k.faults.late;
    out[`${p}.missed`] = k.faults.missed;
    out[`${p}.recall`] = k.faults.recall;
    out[`${p}.tickets`] = k.tickets.total;
    out[`${p}.precision`] = k.tickets.total ? r3(finding(k) / k.tickets.total) : null;
    out[`${p}.leadMedianMinutes`] = k.leadMinutes?.median ?? null;
    out[`${p}.leadP90Minutes`] = k.leadMinutes?.p90 ?? null;
    out[`${p}.healthyDeviceDays`] = h ? r3(h.deviceDays) : 0;
    out[`${p}.healthyTickets`] = h?.tickets.total ?? 0;
    out[`${p}.falseTicketsPer10kHealthyDeviceDays`] = h && h.deviceDays > 0 ? r1((h.tickets.total / h.deviceDays) * 10_000) : null;
    totals.deviceDays += h?.deviceDays ?? 0;
    totals.tickets += h?.tickets.total ?? 0;
  }

  const deviceKindOf = new Map(devices.map((d) => [key(d.customerId, d.id), d.kind]));
  for (const fault of [...new Set(src.faults.map((f) => f.kind))].sort()) {
    const faults = src.faults.filter((f) => f.kind === fault);
    const k = byKind({ ...src, faults }, devices)[deviceKindOf.get(key(faults[0]!.customerId, faults[0]!.deviceId)) ?? 'unknown'];
    const p = `${prefix}.fault.${fault}`;
    out[`${p}.faults`] = k?.faults.injected ?? 0;
    out[`${p}.caught`] = k?.faults.caught ?? 0;
    out[`${p}.late`] = k?.faults.late ?? 0;
    out[`${p}.recall`] = k?.faults.recall ?? null;
    out[`${p}.leadMedianMinutes`] = k?.leadMinutes?.median ?? null;
    out[`${p}.leadP90Minutes`] = k?.leadMinutes?.p90 ?? null;
  }

  for (const ticket of [...new Set(src.tickets.map((t) => t.kind))].sort()) {
    const kinds = Object.values(byKind({ ...src, tickets: src.tickets.filter((t) => t.kind === ticket) }, devices));
    const total = kinds.reduce((n, k) => n + k.tickets.total, 0);
    const right = kinds.reduce((n, k) => n + finding(k), 0);
    out[`${prefix}.ticket.${ticket}.tickets`] = total;
    out[`${prefix}.ticket.${ticket}.precision`] = total ? r3(right / total) : null;
  }
  return { figures: out, healthy: totals };
}
