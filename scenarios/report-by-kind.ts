/**
 * The report's figures per device kind (`byKind`): how many devices, which faults were injected and
 * caught before the customer would have noticed, the lead times, the false tickets and the loads'
 * savings. A pure function of the report's own lists (times as the report writes them) and the
 * scenario's devices, so it is deterministic and agrees with the lists it summarises.
 */
import { SILENCE_KIND } from '../helpdesk/detect/silence.js';

/**
 * The ticket kinds that count as finding each fault kind: the one definition, used by the report and
 * by the fault suite (bench/detection). A fault kind missing here is never caught.
 */
export const FAULT_FINDS: Readonly<Record<string, readonly string[]>> = {
  'failing-alternator': ['battery-discharge'],
  'parasitic-drain': ['battery-parasitic'],
  'weak-cell': ['battery-weak'],
  'compressor-failure': ['fridge-warm'],
  'door-ajar': ['fridge-warm', 'fridge-duty'],
  'worn-seal': ['fridge-warm', 'fridge-duty'],
  'heater-failure': ['washer-heater'],
  'drain-blocked': ['washer-drain'],
};

/** whether a ticket of `ticketKind` finds a fault of `faultKind` */
export const finds = (faultKind: string, ticketKind: string): boolean => FAULT_FINDS[faultKind]?.includes(ticketKind) ?? false;

/**
 * Tickets that say a device went silent: an outage drill's are right, and the report does not know the
 * outages, so they are counted by kind but never as false tickets.
 */
export const NOT_A_FAULT_TICKET: ReadonlySet<string> = new Set([SILENCE_KIND]);

/** a device of the scenario, as the loaded scenario lists it */
export interface ReportDevice {
  customerId: string;
  id: string;
  kind: string;
}

/** the parts of the report the figures are drawn from */
export interface ByKindSource {
  simulated: { start: string | null; end: string | null };
  tickets: ReadonlyArray<{ customerId: string; deviceId: string; kind: string; openedAt: string | null }>;
  faults: ReadonlyArray<{ customerId: string; deviceId: string; kind: string; injectedAt: string | null; noticeableAt: string | null }>;
  loads: ReadonlyArray<{ customerId: string; deviceId: string; plannedStart: string | null; savedEur: number | null; savedPct: number | null }>;
}

export interface KindFigures {
  devices: number;
  /** devices × the replay's length in days */
  deviceDays: number;
  faults: {
    /** faults injected before the replay's end */
    injected: number;
    /** a ticket that finds it, on its device, opened at or after the injection and no later than the customer would have noticed */
    caught: number;
    /** such a ticket, but only after the customer would have noticed */
    late: number;
    /** no such ticket within the replay */
    missed: number;
    /** caught / injected; null without faults */
    recall: number | null;
  };
  /** minutes from the first finding ticket to when the customer would have noticed, over the caught faults the customer would notice; null without any */
  leadMinutes: { min: number; median: number; p90: number; max: number } | null;
  tickets: {
    total: number;
    /** tickets on a device without a fault they find, injected at or before they opened (device-offline tickets excepted) */
    false: number;
    falsePer10kDeviceDays: number | null;
    byKind: Record<string, number>;
  };
  /** the deferrable loads, for kinds that had any: saved against starting each at once */
  loads?: { count: number; planned: number; savedEur: number; meanSavedPct: number | null };
}
export type ByKind = Record<string, KindFigures>;

const DAY_MS = 86_400_000;
const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));
const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
const keyOf = (customerId: string, deviceId: string): string => `${customerId}/${deviceId}`;

/** the median: the mean of the two middle values of an even count */
export function median(sorted: readonly number[]): number {
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** the p-th percentile by nearest rank: the smallest value with at least p % of the values at or below it */
export function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The figures per device kind, kinds in alphabetical order; a ticket or load on a device not in `devices` counts under 'unknown'. */
export function byKind(r: ByKindSource, devices: readonly ReportDevice[]): ByKind {
  const start = ms(r.simulated.start) ?? 0;
  const end = ms(r.simulated.end) ?? start;
  const days = Math.max(0, end - start) / DAY_MS;
  const kindOf = new Map(devices.map((d) => [keyOf(d.customerId, d.id), d.kind]));
  const kind = (customerId: string, deviceId: string): string => kindOf.get(keyOf(customerId, deviceId)) ?? 'unknown';

  const faultsOn = new Map<string, Array<{ kind: string; injectedAt: number }>>();
  for (const f of r.faults) {
    const at = ms(f.injectedAt);
    if (at === null || at >= end) continue;
    const k = keyOf(f.customerId, f.deviceId);
    faultsOn.set(k, [...(faultsOn.get(k) ?? []), { kind: f.kind, injectedAt: at }]);
  }
  const ticketsOn = new Map<string, Array<{ kind: string; openedAt: number }>>();
  for (const t of r.tickets) {
    const k = keyOf(t.customerId, t.deviceId);
    ticketsOn.set(k, [...(ticketsOn.get(k) ?? []), { kind: t.kind, openedAt: ms(t.openedAt) ?? end }]);
  }

  const acc = new Map<string, { devices: number; injected: number; caught: number; late: number; leads: number[]; tickets: number; false: number; ticketKinds: Map<string, number>; loads: Array<ByKindSource['loads'][number]> }>();
  const of = (k: string) => {
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { devices: 0, injected: 0, caught: 0, late: 0, leads: [], tickets: 0, false: 0, ticketKinds: new Map(), loads: [] }));
    return a;
  };
  for (const d of devices) of(d.kind).devices++;

  for (const f of r.faults) {
    const injectedAt = ms(f.injectedAt);
    if (injectedAt === null || injectedAt >= end) continue;
    const a = of(kind(f.customerId, f.deviceId));
    a.injected++;
    const first = (ticketsOn.get(keyOf(f.customerId, f.deviceId)) ?? [])
      .filter((t) => finds(f.kind, t.kind) && t.openedAt >= injectedAt)
      .reduce<number | null>((m, t) => (m === null || t.openedAt < m ? t.openedAt : m), null);
    if (first === null) continue;
    const noticeableAt = ms(f.noticeableAt);
    if (noticeableAt !== null && first > noticeableAt) {
      a.late++;
      continue;
    }
    a.caught++;
    if (noticeableAt !== null) a.leads.push((noticeableAt - first) / 60_000);
  }

  for (const t of r.tickets) {
    const a = of(kind(t.customerId, t.deviceId));
    a.tickets++;
    a.ticketKinds.set(t.kind, (a.ticketKinds.get(t.kind) ?? 0) + 1);
    const openedAt = ms(t.openedAt) ?? end;
    const found = (faultsOn.get(keyOf(t.customerId, t.deviceId)) ?? []).some((f) => finds(f.kind, t.kind) && f.injectedAt <= openedAt);
    if (!found && !NOT_A_FAULT_TICKET.has(t.kind)) a.false++;
  }

  for (const l of r.loads) of(kind(l.customerId, l.deviceId)).loads.push(l);

  const out: ByKind = {};
  for (const k of [...acc.keys()].sort()) {
    const a = acc.get(k)!;
    const deviceDays = a.devices * days;
    const leads = [...a.leads].sort((x, y) => x - y);
    const pcts = a.loads.map((l) => l.savedPct).filter((p): p is number => p !== null);
    out[k] = {
      devices: a.devices,
      deviceDays: round(deviceDays, 3),
      faults: { injected: a.injected, caught: a.caught, late: a.late, missed: a.injected - a.caught - a.late, recall: a.injected ? round(a.caught / a.injected, 3) : null },
      leadMinutes: leads.length ? { min: round(leads[0]!, 1), median: round(median(leads), 1), p90: round(nearestRank(leads, 90), 1), max: round(leads[leads.length - 1]!, 1) } : null,
      tickets: {
        total: a.tickets,
        false: a.false,
        falsePer10kDeviceDays: deviceDays > 0 ? round((a.false / deviceDays) * 10_000, 1) : null,
        byKind: Object.fromEntries([...a.ticketKinds.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
      },
      ...(a.loads.length
        ? {
            loads: {
              count: a.loads.length,
              planned: a.loads.filter((l) => l.plannedStart !== null).length,
              savedEur: round(a.loads.reduce((s, l) => s + (l.savedEur ?? 0), 0), 6),
              meanSavedPct: pcts.length ? round(pcts.reduce((s, p) => s + p, 0) / pcts.length, 1) : null,
            },
          }
        : {}),
    };
  }
  return out;
}

/** the report with `byKind` after its messages (the rest keeps its order and bytes); a report that has one is returned as it is */
export function withByKind<R extends ByKindSource & { scenario: string; seed: number; messages: unknown; byKind?: ByKind }>(report: R, devices: readonly ReportDevice[]): R & { byKind: ByKind } {
  if (report.byKind) return report as R & { byKind: ByKind };
  const { scenario, seed, simulated, messages, ...rest } = report;
  return { scenario, seed, simulated, messages, byKind: byKind(report, devices), ...rest } as unknown as R & { byKind: ByKind };
}
