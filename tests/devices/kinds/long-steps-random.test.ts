/**
 * Long steps against one-second steps over drawn days (a seeded stream, so the same draws every run):
 * set points, rooms, leaks, trips, loads and faults at odd times. The same tolerances as
 * long-steps.test.ts: the closed form must hold wherever the events fall, not only on a chosen day.
 */
import { describe, expect, it } from 'vitest';
import { carBattery, CarBatteryParams, type CarBatteryState } from '../../../devices/kinds/car-battery.js';
import { fridge, FridgeParams, type FridgeState } from '../../../devices/kinds/fridge.js';
import type { EventBody } from '../../../devices/kinds/model.js';
import { prng } from '../../../devices/kinds/rng.js';
import { washer, WasherParams, type WasherState } from '../../../devices/kinds/washer.js';

const T0 = Date.UTC(2020, 10, 2, 23);
const S = 1000;
const H = 3_600_000;

interface Model<St> {
  init(p: never, seed: number, t0: number): St;
  step(s: St, dtS: number, t: number): { state: St; events: EventBody[]; eventTimes?: number[] };
}

/** the state every minute and the events (label, own time) of a day at dtS */
function day<St>(model: Model<St>, params: unknown, dtS: number) {
  let s = model.init(params as never, 11, T0);
  const minutes: St[] = [];
  const events: Array<[string, number]> = [];
  for (let t = T0 + dtS * S; t <= T0 + 24 * H; t += dtS * S) {
    const r = model.step(s, dtS, t);
    s = r.state;
    r.events.forEach((e, i) => events.push([`${e.type}${'state' in e ? `:${String(e.state)}` : ''}`, r.eventTimes?.[i] ?? t]));
    if ((t - T0) % 60_000 === 0) minutes.push(s);
  }
  return { minutes, events };
}

function compare<St>(model: Model<St>, params: unknown, pick: (s: St) => number, tolerance: number, dtS = 60) {
  const one = day(model, params, 1);
  const long = day(model, params, dtS);
  expect(long.minutes).toHaveLength(one.minutes.length);
  const worst = Math.max(...long.minutes.map((s, i) => Math.abs(pick(s) - pick(one.minutes[i]!))));
  expect(worst).toBeLessThan(tolerance);
  expect(long.events.map((e) => e[0])).toEqual(one.events.map((e) => e[0]));
  long.events.forEach((e, i) => expect(Math.abs(e[1] - one.events[i]![1])).toBeLessThanOrEqual(2 * S));
}

describe('long steps over drawn days', () => {
  const rnd = prng(2020);
  const between = (a: number, b: number) => a + (b - a) * rnd();
  const when = () => T0 + Math.round(between(0.5, 23) * H);

  it.each(Array.from({ length: 6 }, (_, i) => i))('fridge %i', () => {
    const params = FridgeParams.parse({
      setpointC: between(2, 7),
      hysteresisC: between(0.5, 2),
      ambientC: between(15, 30),
      doorOpenings: [{ at: when(), durationS: between(5, 120) }],
      faults: rnd() < 0.5 ? [{ kind: 'worn-seal', at: when(), uaFactor: between(1.2, 3) }] : [{ kind: 'door-ajar', at: when(), leakFactor: between(2, 10) }],
    });
    compare(fridge as unknown as Model<FridgeState>, params, (s) => s.tempC, 0.1);
  });

  it.each(Array.from({ length: 6 }, (_, i) => i))('car battery %i', () => {
    const start = when();
    const params = CarBatteryParams.parse({
      initialSoc: between(0.3, 0.9),
      ambientC: between(-10, 25),
      trips: [{ start, end: start + Math.round(between(5, 90) * 60 * S), speedKmh: between(20, 110) }],
      faults: [
        { kind: 'failing-alternator', at: when(), outputA: between(0, 60) },
        { kind: 'parasitic-drain', at: when(), currentA: between(0.1, 2) },
      ],
    });
    compare(carBattery as unknown as Model<CarBatteryState>, params, (s) => s.soc, 0.005);
  });

  it.each(Array.from({ length: 4 }, (_, i) => i))('washer %i', () => {
    const at = when();
    const params = WasherParams.parse({
      loads: [{ at, programme: rnd() < 0.5 ? 'cotton-40' : 'quick-30', deadline: at + Math.round(between(3, 10) * H), offerId: 'o' }],
      faults: [{ kind: rnd() < 0.5 ? 'heater-failure' : 'drain-blocked', at: when() }],
    });
    compare(washer as unknown as Model<WasherState>, params, (s) => s.waterTempC, 0.01);
  });
});
