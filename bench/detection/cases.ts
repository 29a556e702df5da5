/**
 * The fault suite's cases: for each device kind, conditions (ambient, usage) crossed with seeds,
 * each replayed healthy and with every fault kind injected. Pure data.
 */
import type { DeviceKind } from '../../contracts/index.js';

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
}

const H = 3_600_000;
/** Monday 2 November 2020, 00:00 CET */
const DAY0 = Date.UTC(2020, 10, 1, 23);

const EXPECTS: Record<string, string[]> = {
  'failing-alternator': ['battery-discharge'],
  'parasitic-drain': ['battery-parasitic'],
  'weak-cell': ['battery-weak'],
  'compressor-failure': ['fridge-warm'],
  'door-ajar': ['fridge-warm', 'fridge-duty'],
  'worn-seal': ['fridge-warm', 'fridge-duty'],
  'heater-failure': ['washer-heater'],
  'drain-blocked': ['washer-drain'],
};

function carCases(seed: number): Case[] {
  const out: Case[] = [];
  for (const ambientC of [-10, 2, 12, 28]) {
    for (const commuteMin of [20, 45, 75]) {
      const trips = [0, 1].flatMap((d) => [
        { start: DAY0 + d * 24 * H + 7.5 * H, end: DAY0 + d * 24 * H + 7.5 * H + commuteMin * 60_000, speedKmh: 40 },
        { start: DAY0 + d * 24 * H + 17.5 * H, end: DAY0 + d * 24 * H + 17.5 * H + commuteMin * 60_000, speedKmh: 40 },
      ]);
      const condition = `ambient ${ambientC} °C, commute ${commuteMin} min`;
      const base = { kind: 'car-battery' as const, condition, seed, startMs: DAY0, hours: 48 };
      out.push({ ...base, fault: null, expects: [], params: { ambientC, trips }, injectAt: null });
      // the alternator fails a few minutes into the evening drive of day 1; a drain starts when parking
      const during = trips[3]!.start + 5 * 60_000;
      const parked = trips[3]!.end + 60_000;
      // a weak cell shows only when cranking: it starts the evening before the next morning's start
      const overnight = trips[1]!.end + 60_000;
      for (const [fault, at] of [['failing-alternator', during], ['parasitic-drain', parked], ['weak-cell', overnight]] as const) {
        out.push({ ...base, fault, expects: EXPECTS[fault]!, params: { ambientC, trips, faults: [{ kind: fault, at }] }, injectAt: at });
      }
    }
  }
  return out;
}

function fridgeCases(seed: number): Case[] {
  const out: Case[] = [];
  for (const ambientC of [16, 21, 27, 32]) {
    for (const randomDoorOpeningsPerDay of [4, 15, 30]) {
      const condition = `ambient ${ambientC} °C, ${randomDoorOpeningsPerDay} door openings/day`;
      const base = { kind: 'fridge' as const, condition, seed, startMs: DAY0, hours: 48 };
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
  for (const programme of ['cotton-40', 'quick-30']) {
    for (const loadHour of [8, 20]) {
      const condition = `${programme} loaded at ${loadHour}:00`;
      const at = DAY0 + loadHour * H;
      // no helpdesk plans these runs: a deadline 3 h out makes the washer start on its own after 1 h
      const loads = [{ at, programme, deadline: at + 3 * H, offerId: 'w1' }];
      const base = { kind: 'washer' as const, condition, seed, startMs: DAY0, hours: 24 };
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
