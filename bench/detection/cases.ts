/**
 * The fault suite's cases: for each device kind, conditions (ambient, usage) crossed with seeds,
 * each replayed healthy and with every fault kind injected. Pure data.
 */
import type { DeviceKind } from '../../contracts/index.js';
import { FAULT_FINDS } from '../../scenarios/report-by-kind.js';

export interface Case {
  kind: DeviceKind;
  /** null for a healthy run */
  fault: string | null;
  /** detector kinds that count as finding this fault */
  expects: string[];
  condition: string;
  seed: number;
  startMs: number;
  hours: number;
  params: Record<string, unknown>;
  injectAt: number | null;
  /** seconds between telemetry messages (the model steps at 1 Hz; its events go out as they happen) */
  telemetryEveryS: number;
}

const H = 3_600_000;
/** Monday 2 November 2020, 00:00 CET */
const DAY0 = Date.UTC(2020, 10, 1, 23);

/** detector kinds that count as finding each fault: the replay report's definition (scenarios/report-by-kind.ts) */
const EXPECTS: Record<string, string[]> = Object.fromEntries(Object.entries(FAULT_FINDS).map(([fault, kinds]) => [fault, [...kinds]]));

/** a car's conditions: ambient × commute, then the variants a user meets (cold or hot at a low charge, sparse telemetry) */
const CAR_CONDITIONS: Array<{ ambientC: number; commuteMin: number; initialSoc?: number; telemetryEveryS?: number; variant?: string }> = [
  ...[-10, 2, 12, 28].flatMap((ambientC) => [20, 45, 75].map((commuteMin) => ({ ambientC, commuteMin }))),
  { ambientC: -8, commuteMin: 20, initialSoc: 0.55, variant: 'cold' },
  { ambientC: -18, commuteMin: 45, initialSoc: 0.5, variant: 'cold' },
  { ambientC: 38, commuteMin: 20, variant: 'hot' },
  { ambientC: 12, commuteMin: 20, initialSoc: 0.45, variant: 'low-charge' },
  { ambientC: -10, commuteMin: 45, telemetryEveryS: 60, variant: 'telemetry-60s' },
  { ambientC: 12, commuteMin: 20, telemetryEveryS: 60, variant: 'telemetry-60s' },
];
/** a weak cell degrades over this many days (the model's default is 14; shorter keeps the runs short) */
const WEAK_CELL_DAYS = 3;

function carCases(seed: number): Case[] {
  const out: Case[] = [];
  for (const { ambientC, commuteMin, initialSoc, telemetryEveryS = 1, variant } of CAR_CONDITIONS) {
    const trips = (days: number) =>
      Array.from({ length: days }, (_, d) => [
        { start: DAY0 + d * 24 * H + 7.5 * H, end: DAY0 + d * 24 * H + 7.5 * H + commuteMin * 60_000, speedKmh: 40 },
        { start: DAY0 + d * 24 * H + 17.5 * H, end: DAY0 + d * 24 * H + 17.5 * H + commuteMin * 60_000, speedKmh: 40 },
      ]).flat();
    const soc = initialSoc === undefined ? '' : `, charge ${Math.round(initialSoc * 100)} %`;
    const every = telemetryEveryS === 1 ? '' : `, telemetry every ${telemetryEveryS} s`;
    const condition = `${variant ? `${variant}: ` : ''}ambient ${ambientC} °C${soc}, commute ${commuteMin} min${every}`;
    const params = { ambientC, ...(initialSoc === undefined ? {} : { initialSoc }) };
    const base = { kind: 'car-battery' as const, condition, seed, startMs: DAY0, hours: 48, telemetryEveryS };
    const two = trips(2);
    out.push({ ...base, fault: null, expects: [], params: { ...params, trips: two }, injectAt: null });
    // the alternator fails a few minutes into the evening drive of day 1; a drain starts when parking
    const during = two[3]!.start + 5 * 60_000;
    const parked = two[3]!.end + 60_000;
    for (const [fault, at] of [['failing-alternator', during], ['parasitic-drain', parked]] as const) {
      out.push({ ...base, fault, expects: EXPECTS[fault]!, params: { ...params, trips: two, faults: [{ kind: fault, at }] }, injectAt: at });
    }
    // a weak cell degrades steadily from the morning of day 0 (after a first healthy crank) over
    // WEAK_CELL_DAYS; it shows only when cranking, so the run lasts until it has fully degraded
    const days = WEAK_CELL_DAYS + 2;
    const at = DAY0 + 9 * H;
    out.push({
      ...base,
      hours: days * 24,
      fault: 'weak-cell',
      expects: EXPECTS['weak-cell']!,
      params: { ...params, trips: trips(days), faults: [{ kind: 'weak-cell', at, overDays: WEAK_CELL_DAYS }] },
      injectAt: at,
    });
  }
  return out;
}

const FRIDGE_CONDITIONS: Array<{ ambientC: number; randomDoorOpeningsPerDay: number; telemetryEveryS?: number }> = [
  ...[16, 21, 27, 32].flatMap((ambientC) => [4, 15, 30].map((randomDoorOpeningsPerDay) => ({ ambientC, randomDoorOpeningsPerDay }))),
  { ambientC: 21, randomDoorOpeningsPerDay: 15, telemetryEveryS: 60 },
];

function fridgeCases(seed: number): Case[] {
  const out: Case[] = [];
  for (const { ambientC, randomDoorOpeningsPerDay, telemetryEveryS = 1 } of FRIDGE_CONDITIONS) {
    {
      const every = telemetryEveryS === 1 ? '' : `telemetry-60s: `;
      const condition = `${every}ambient ${ambientC} °C, ${randomDoorOpeningsPerDay} door openings/day`;
      const base = { kind: 'fridge' as const, condition, seed, startMs: DAY0, hours: 48, telemetryEveryS };
      out.push({ ...base, fault: null, expects: [], params: { ambientC, randomDoorOpeningsPerDay }, injectAt: null });
      const at = DAY0 + 26 * H;
      for (const fault of ['compressor-failure', 'door-ajar', 'worn-seal']) {
        out.push({ ...base, fault, expects: EXPECTS[fault]!, params: { ambientC, randomDoorOpeningsPerDay, faults: [{ kind: fault, at }] }, injectAt: at });
      }
    }
  }
  return out;
}

function washerCases(seed: number): Case[] {
  const out: Case[] = [];
  const conditions = [...['cotton-40', 'quick-30'].flatMap((programme) => [8, 20].map((loadHour) => ({ programme, loadHour, telemetryEveryS: 1 }))), { programme: 'cotton-40', loadHour: 20, telemetryEveryS: 60 }];
  for (const { programme, loadHour, telemetryEveryS } of conditions) {
    {
      const condition = `${telemetryEveryS === 1 ? '' : 'telemetry-60s: '}${programme} loaded at ${loadHour}:00`;
      const at = DAY0 + loadHour * H;
      // no helpdesk plans these runs: a deadline 3 h out makes the washer start on its own after 1 h
      const loads = [{ at, programme, deadline: at + 3 * H, offerId: 'w1' }];
      const base = { kind: 'washer' as const, condition, seed, startMs: DAY0, hours: 24, telemetryEveryS };
      out.push({ ...base, fault: null, expects: [], params: { loads }, injectAt: null });
      for (const fault of ['heater-failure', 'drain-blocked']) {
        out.push({ ...base, fault, expects: EXPECTS[fault]!, params: { loads, faults: [{ kind: fault, at: at - H }] }, injectAt: at - H });
      }
    }
  }
  return out;
}

export function faultSuiteCases(seeds: number): Case[] {
  const out: Case[] = [];
  for (let seed = 1; seed <= seeds; seed++) out.push(...carCases(seed), ...fridgeCases(seed), ...washerCases(seed));
  return out;
}
