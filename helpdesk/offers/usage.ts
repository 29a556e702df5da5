/**
 * A customer's usage as the helpdesk sees it, one record per device and local day: km driven and trips
 * (car telemetry: speed over time, engine starts), the first resting voltage and the lowest voltage of
 * the day's cranks (crank events), wash cycles finished. Small and derived: a year of one device is 365
 * records. Seeded days (`seed`) are what the helpdesk recorded before (a replay's days before its start);
 * observed days are added as messages are processed, in event time.
 */
import { localParts, startOfLocalDay } from '../../contracts/local-time.js';

export interface UsageDay {
  customerId: string;
  deviceId: string;
  /** the local date 'YYYY-MM-DD' in the customer's zone */
  day: string;
  km?: number;
  trips?: number;
  /** the first resting voltage before a crank that day */
  restVoltageV?: number;
  /** the lowest voltage while cranking that day */
  crankMinV?: number;
  /** wash cycles finished that day */
  cycles?: number;
}

/** a gap between two readings longer than this is not driven through (the car was off or silent) */
const MAX_GAP_MS = 5 * 60_000;
/** days kept per device */
export const USAGE_DAYS_KEPT = 400;

const pad = (n: number): string => String(n).padStart(2, '0');
export const localDate = (ms: number, zone: string): string => {
  const p = localParts(ms, zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
};

interface DeviceState {
  /** the current day's record and when that day starts and ends (the zone is read once a day, not per reading) */
  today: UsageDay | null;
  dayStart: number;
  dayEnd: number;
  lastTs: number | null;
  lastSpeed: number;
  running: boolean;
}

/** usage in a checkpoint (helpdesk/checkpoint.ts): the days, and each device's state with its current day named by date */
export interface UsageSnapshot {
  days: Map<string, Map<string, Map<string, UsageDay>>>;
  state: Map<string, Omit<DeviceState, 'today'> & { today: string | null; detached: UsageDay | null }>;
}

export function createUsage(options: { seed?: readonly UsageDay[] } = {}) {
  /** customer -> device -> day -> record */
  const days = new Map<string, Map<string, Map<string, UsageDay>>>();
  const state = new Map<string, DeviceState>();

  function record(customerId: string, deviceId: string, day: string): UsageDay {
    let perDevice = days.get(customerId);
    if (!perDevice) days.set(customerId, (perDevice = new Map()));
    let perDay = perDevice.get(deviceId);
    if (!perDay) perDevice.set(deviceId, (perDay = new Map()));
    let r = perDay.get(day);
    if (!r) {
      perDay.set(day, (r = { customerId, deviceId, day }));
      if (perDay.size > USAGE_DAYS_KEPT) perDay.delete([...perDay.keys()].sort()[0]!);
    }
    return r;
  }
  for (const d of options.seed ?? []) Object.assign(record(d.customerId, d.deviceId, d.day), d);

  /** the device's record of the local day of `ts` */
  function dayOf(customerId: string, deviceId: string, zoneOf: () => string, ts: number, key = `${customerId}/${deviceId}`): { s: DeviceState; r: UsageDay } {
    let s = state.get(key);
    if (!s) state.set(key, (s = { today: null, dayStart: Infinity, dayEnd: -Infinity, lastTs: null, lastSpeed: 0, running: false }));
    if (!s.today || ts >= s.dayEnd || ts < s.dayStart) {
      const zone = zoneOf();
      s.today = record(customerId, deviceId, localDate(ts, zone));
      s.dayStart = startOfLocalDay(ts, zone);
      s.dayEnd = startOfLocalDay(ts, zone, 1);
    }
    return { s, r: s.today };
  }

  return {
    /** a car's reading: distance at the previous reading's speed, a trip at each engine start; `key`: the device's, when the caller has it */
    car(customerId: string, deviceId: string, zone: () => string, ts: number, engineRunning: boolean, speedKmh: number, key?: string): void {
      const { s, r } = dayOf(customerId, deviceId, zone, ts, key);
      if (s.lastTs !== null && ts > s.lastTs && ts - s.lastTs <= MAX_GAP_MS && s.lastSpeed > 0) {
        r.km = (r.km ?? 0) + (s.lastSpeed * (ts - s.lastTs)) / 3_600_000;
      }
      if (engineRunning && !s.running) r.trips = (r.trips ?? 0) + 1;
      s.running = engineRunning;
      s.lastTs = ts;
      s.lastSpeed = speedKmh;
    },
    crank(customerId: string, deviceId: string, zone: () => string, ts: number, restVoltageV: number, minVoltageV: number): void {
      const { r } = dayOf(customerId, deviceId, zone, ts);
      r.restVoltageV ??= restVoltageV;
      r.crankMinV = Math.min(r.crankMinV ?? Infinity, minVoltageV);
    },
    cycleFinished(customerId: string, deviceId: string, zone: () => string, ts: number): void {
      const { r } = dayOf(customerId, deviceId, zone, ts);
      r.cycles = (r.cycles ?? 0) + 1;
    },
    /** the customer's days, per device, oldest first */
    of(customerId: string): UsageDay[] {
      const perDevice = days.get(customerId);
      if (!perDevice) return [];
      return [...perDevice.values()]
        .flatMap((m) => [...m.values()])
        .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.deviceId < b.deviceId ? -1 : 1))
        // km to the metre (summed unrounded: a reading a second would otherwise add up its rounding)
        .map((d) => (d.km === undefined ? { ...d } : { ...d, km: Math.round(d.km * 1000) / 1000 }));
    },
    snapshot(): UsageSnapshot {
      const saved = new Map([...state].map(([k, { today, ...s }]) => {
        // the current day is one of the days (a reference), unless it was evicted meanwhile (a copy of its own)
        const kept = today ? days.get(today.customerId)?.get(today.deviceId)?.get(today.day) === today : false;
        return [k, { ...s, today: today?.day ?? null, detached: today && !kept ? today : null }];
      }));
      return { days, state: saved };
    },
    /** takes a snapshot's state over (the seeded days included) */
    restore(s: UsageSnapshot): void {
      days.clear();
      for (const [k, v] of s.days) days.set(k, v);
      state.clear();
      for (const [k, { today, detached, ...rest }] of s.state) {
        const [customerId, deviceId] = [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)];
        state.set(k, { ...rest, today: detached ?? (today === null ? null : days.get(customerId)?.get(deviceId)?.get(today) ?? null) });
      }
    },
    /** an erasure: the customer's usage goes; how many days went */
    forget(customerId: string): number {
      const n = days.get(customerId);
      const count = n ? [...n.values()].reduce((k, m) => k + m.size, 0) : 0;
      days.delete(customerId);
      for (const key of [...state.keys()]) if (key.startsWith(`${customerId}/`)) state.delete(key);
      return count;
    },
  };
}
export type Usage = ReturnType<typeof createUsage>;
