/**
 * Group `models`: how fast the device models replay a day, at the agent's default one-second step and
 * at 60-s steps (closed form between events: devices/kinds/*-span.ts). Models only: no agent, no broker.
 *
 *   models.<kind>.deviceDaysPerS1s    simulated device-days per wall second at 1-s steps
 *   models.<kind>.deviceDaysPerS60s   the same at 60-s steps
 *   models.<kind>.ratio60vs1          how many times faster the 60-s day is
 *   models.<kind>.pieces60sPerDay     integration pieces a 60-s day computes (1-s: 86,400)
 *
 * Each device-day is a typical one (the fridge: 30 random door openings and a take-out; the car: a
 * commute there and back; the washer: one cotton-40 load), with its own seed.
 */
import { round } from '../contracts/round.js';
import type { DeviceKind } from '../contracts/index.js';
import { KINDS } from '../devices/kinds/index.js';

const H = 3_600_000;
const T0 = Date.parse('2020-11-02T23:00:00Z');

const DAYS: Record<DeviceKind, unknown> = {
  fridge: {
    randomDoorOpeningsPerDay: 30,
    inventory: [{ name: 'milk', quantity: 2, unit: 'l' }],
    takeOut: [{ at: T0 + 8 * H, name: 'milk', quantity: 1 }],
  },
  'car-battery': {
    trips: [
      { start: T0 + 8 * H, end: T0 + 8 * H + 1_800_000 },
      { start: T0 + 17 * H, end: T0 + 17 * H + 2_100_000 },
    ],
  },
  washer: { loads: [{ at: T0 + 19 * H, deadline: T0 + 30 * H, offerId: 'bench-load' }] },
};

/** runs device-days (one seed each) until `minMs` of wall time has passed; device-days per second and pieces a day */
function measure(kind: DeviceKind, dtS: number, minMs: number): { perS: number; pieces: number } {
  const model = KINDS[kind];
  const params = model.params.parse(DAYS[kind]);
  let days = 0;
  let pieces = 0;
  const start = performance.now();
  while (days < 2 || performance.now() - start < minMs) {
    let s = model.init(params, days + 1, T0);
    for (let t = T0 + dtS * 1000; t <= T0 + 24 * H; t += dtS * 1000) s = model.step(s, dtS, t).state;
    pieces += (s as { pieces: number }).pieces;
    days++;
  }
  return { perS: days / ((performance.now() - start) / 1000), pieces: pieces / days };
}

export async function benchModels(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const kind of Object.keys(DAYS) as DeviceKind[]) {
    measure(kind, 60, 300); // warm up
    const long = measure(kind, 60, 1500);
    const one = measure(kind, 1, 1500);
    out[`models.${kind}.deviceDaysPerS1s`] = round(one.perS, 2);
    out[`models.${kind}.deviceDaysPerS60s`] = round(long.perS, 1);
    out[`models.${kind}.ratio60vs1`] = round(long.perS / one.perS, 1);
    out[`models.${kind}.pieces60sPerDay`] = round(long.pieces, 0);
  }
  return out;
}
