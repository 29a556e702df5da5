/**
 * A customer's small usage profile at one moment: the metrics the rules read (rules.ts METRICS),
 * computed from their usage days (usage.ts) and their tickets. Pure. "The 7 days before today" are the
 * seven local days before the moment's day: a morning's offer reads whole days, not a partial one.
 */
import type { DeviceKind } from '../../contracts/index.js';
import { localParts } from '../../contracts/local-time.js';
import type { Metric } from './rules.js';
import type { UsageDay } from './usage.js';

export interface ProfileInput {
  /** the customer's devices (id and kind) */
  devices: ReadonlyArray<{ id: string; kind: DeviceKind }>;
  usage: readonly UsageDay[];
  /** their tickets: device, kind, when opened */
  tickets: ReadonlyArray<{ deviceId: string; kind: string; openedAt: number }>;
  at: number;
  zone: string;
}

export type Metrics = Partial<Record<Metric, number>>;

const DAY_MS = 86_400_000;
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
/** 'YYYY-MM-DD' of the local day `days` before the moment's */
function dayBefore(at: number, zone: string, days: number): string {
  const p = localParts(at, zone);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day - days));
  return d.toISOString().slice(0, 10);
}

/** the drop of a series over its span: first minus last (positive: it fell); needs 3 values */
function drop(values: number[]): number | undefined {
  if (values.length < 3) return undefined;
  return round(values[0]! - values[values.length - 1]!);
}

export function buildProfile(p: ProfileInput): Metrics {
  const m: Metrics = { month: localParts(p.at, p.zone).month };
  const today = dayBefore(p.at, p.zone, 0);
  const weekFrom = dayBefore(p.at, p.zone, 7);
  const monthFrom = dayBefore(p.at, p.zone, 30);
  const yearFrom = dayBefore(p.at, p.zone, 365);
  const ofKind = (kind: DeviceKind): Set<string> => new Set(p.devices.filter((d) => d.kind === kind).map((d) => d.id));
  const tickets = (ids: Set<string>, kinds: (k: string) => boolean): number =>
    p.tickets.filter((t) => ids.has(t.deviceId) && kinds(t.kind) && t.openedAt > p.at - 30 * DAY_MS && t.openedAt <= p.at).length;

  const cars = ofKind('car-battery');
  if (cars.size) {
    const mine = p.usage.filter((u) => cars.has(u.deviceId));
    const week = mine.filter((u) => u.day >= weekFrom && u.day < today);
    const perDay = new Map<string, { km: number; trips: number }>();
    for (const u of week) {
      const d = perDay.get(u.day) ?? { km: 0, trips: 0 };
      d.km += u.km ?? 0;
      d.trips += u.trips ?? 0;
      perDay.set(u.day, d);
    }
    const days = [...perDay.values()];
    m['car.km7d'] = Math.round(days.reduce((s, d) => s + d.km, 0));
    m['car.trips7d'] = days.reduce((s, d) => s + d.trips, 0);
    m['car.drivingDays7d'] = days.filter((d) => d.trips > 0 || d.km > 0).length;
    m['car.commuteDays7d'] = days.filter((d) => d.trips >= 2).length;
    const month = mine.filter((u) => u.day >= monthFrom && u.day <= today);
    const rest = month.filter((u) => u.restVoltageV !== undefined).map((u) => u.restVoltageV!);
    const crank = month.filter((u) => u.crankMinV !== undefined).map((u) => u.crankMinV!);
    if (rest.length) m['car.restVoltageV'] = rest[rest.length - 1]!;
    const rd = drop(rest);
    if (rd !== undefined) m['car.restVoltageDropV'] = rd;
    const cd = drop(crank);
    if (cd !== undefined) m['car.crankMinDropV'] = cd;
    m['car.batteryTickets30d'] = tickets(cars, (k) => k.startsWith('battery-'));
  }
  const washers = ofKind('washer');
  if (washers.size) {
    m['washer.cycles365d'] = p.usage.filter((u) => washers.has(u.deviceId) && u.day >= yearFrom && u.day <= today).reduce((s, u) => s + (u.cycles ?? 0), 0);
    m['washer.heaterTickets30d'] = tickets(washers, (k) => k === 'washer-heater');
  }
  return m;
}
