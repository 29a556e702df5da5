/**
 * What the HTML report draws beyond the JSON report, read from the helpdesk at the end of a replay:
 * each device's telemetry over the whole replay (aggregated buckets with min and max, from the
 * helpdesk's telemetry store), each ticket's incident window as sent, and each load's prices and power
 * sequence. Plain numbers only, rounded, in a fixed order: the same replay gives the same data.
 */
import { KIND_READINGS, type DeviceKind, type PowerSlot } from '../../contracts/index.js';
import type { Helpdesk } from '../../helpdesk/service.js';
import type { ChartPoint } from '../../helpdesk/telemetry/chart.js';
import { priceWindow, snapshotOf } from '../../helpdesk/schedule/source.js';
import type { Tariff } from '../../helpdesk/schedule/tariff.js';

/** [ts, mean, min, max] (min and max equal the mean for a reading as sent) */
export type SeriesPoint = [number, number, number, number];

export interface DeviceSeries {
  customerId: string;
  deviceId: string;
  kind: DeviceKind;
  name: string;
  /** 0: readings as sent; otherwise the aggregate bucket's length */
  resolutionMs: number;
  /** reading name -> points, oldest first */
  readings: Record<string, SeriesPoint[]>;
}

export interface IncidentSeries extends Omit<DeviceSeries, 'name' | 'kind'> {
  ticketId: string;
  from: number;
  to: number;
}

export interface LoadSeries {
  customerId: string;
  deviceId: string;
  offerId: string;
  slotMs: number;
  /** [slot start, EUR/MWh] */
  prices: Array<[number, number]>;
  slots: PowerSlot[];
}

export interface ReportSeries {
  devices: DeviceSeries[];
  incidents: IncidentSeries[];
  loads: LoadSeries[];
}

/** the readings each kind's charts show, in this order */
export const CHARTED: Record<DeviceKind, readonly string[]> = {
  'car-battery': ['voltageV', 'currentA'],
  fridge: ['cabinetTempC', 'powerW'],
  washer: ['powerW', 'waterTempC'],
};

const round = (x: number): number => Math.round(x * 1000) / 1000;

function toSeries(points: readonly ChartPoint[], names: readonly string[]): Record<string, SeriesPoint[]> {
  const out: Record<string, SeriesPoint[]> = {};
  for (const name of names) {
    const list: SeriesPoint[] = [];
    for (const p of points) {
      const v = p.readings[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const lo = 'min' in p ? p.min[name] : undefined;
      const hi = 'max' in p ? p.max[name] : undefined;
      list.push([p.ts, round(v), round(lo ?? v), round(hi ?? v)]);
    }
    out[name] = list;
  }
  return out;
}

export interface CollectInput {
  helpdesk: Helpdesk;
  devices: ReadonlyArray<{ customerId: string; id: string; kind: DeviceKind; name: string }>;
  startMs: number;
  endMs: number;
  tariff: Tariff;
  /** points of a device's whole-replay chart; default 720 */
  maxPoints?: number;
  /** read only these customers' series (the report's listed customers, report-customers.ts); default: every customer's */
  customers?: ReadonlySet<string>;
}

/** An incident's chart: 30 min before the ticket opened to 30 min after it was resolved (at most 4 h). */
const MARGIN_MS = 30 * 60_000;
const MAX_INCIDENT_MS = 4 * 3600_000;

export function collectSeries(input: CollectInput): ReportSeries {
  const { helpdesk, startMs, endMs } = input;
  const maxPoints = input.maxPoints ?? 720;
  const wanted = (x: { customerId: string }): boolean => input.customers === undefined || input.customers.has(x.customerId);
  const devices = input.devices.filter(wanted).map((d): DeviceSeries => {
    const c = helpdesk.chart(d.customerId, d.id, startMs, endMs, maxPoints);
    const names = CHARTED[d.kind].filter((n) => KIND_READINGS[d.kind].includes(n));
    return { customerId: d.customerId, deviceId: d.id, kind: d.kind, name: d.name, resolutionMs: c.resolutionMs, readings: toSeries(c.points, names) };
  });
  const kindOf = new Map(input.devices.map((d) => [`${d.customerId}/${d.id}`, d.kind]));
  const incidents = helpdesk
    .tickets()
    .filter(wanted)
    .sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1))
    .flatMap((t): IncidentSeries[] => {
      const kind = kindOf.get(`${t.customerId}/${t.deviceId}`);
      if (!kind) return [];
      const from = Math.max(startMs, t.openedAt - MARGIN_MS);
      const to = Math.min(endMs, from + MAX_INCIDENT_MS, (t.resolvedAt ?? t.openedAt) + MARGIN_MS);
      const c = helpdesk.chart(t.customerId, t.deviceId, from, to, 600);
      return [{ ticketId: t.id, customerId: t.customerId, deviceId: t.deviceId, from, to, resolutionMs: c.resolutionMs, readings: toSeries(c.points, CHARTED[kind]) }];
    });
  const snap = snapshotOf(input.tariff);
  const loads = helpdesk.loads({ order: 'asc', slots: true }).loads.filter(wanted).map((l): LoadSeries => {
    const w = priceWindow(snap, l.requestedAt, Math.max(l.deadline, l.finishedAt ?? l.deadline), 400);
    return {
      customerId: l.customerId, deviceId: l.deviceId, offerId: l.offerId, slotMs: w.slotMs,
      prices: w.slots.map((s): [number, number] => [s.start, round(s.eurPerMwh)]),
      slots: 'slots' in l ? l.slots : [],
    };
  });
  return { devices, incidents, loads };
}
