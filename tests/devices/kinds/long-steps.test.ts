/**
 * Long steps (dtS > 1) integrate in closed form between events: the same params and seed at 1-s,
 * 10-s and 60-s steps over a day with faults must tell the same story within physical tolerances,
 * raise the same events (each stamped when it happened, emitted at most one step late), and cost
 * O(events), not O(seconds).
 */
import { describe, expect, it } from 'vitest';
import { DeviceEvent, Telemetry } from '../../../contracts/index.js';
import { carBattery, CarBatteryParams, type CarBatteryState } from '../../../devices/kinds/car-battery.js';
import { fridge, FridgeParams, type FridgeState } from '../../../devices/kinds/fridge.js';
import type { EventBody, KindModel, StepResult } from '../../../devices/kinds/model.js';
import { programmeEnergyWh, PROGRAMMES, washer, WasherParams, type WasherState } from '../../../devices/kinds/washer.js';

const T0 = Date.UTC(2020, 10, 2, 23); // 00:00 local
const S = 1000;
const MIN = 60_000;
const H = 3_600_000;

interface Timed {
  /** the event's own time (eventTimes, else the step's end) */
  at: number;
  /** the end of the step that raised it */
  step: number;
  e: EventBody;
}

interface Run<S> {
  /** the state at every whole minute */
  minutes: Map<number, S>;
  events: Timed[];
  /** Σ powerW × step (Wh) */
  energyWh: number;
  noticedAt: number | null;
  state: S;
  steps: number;
}

function run<S, R extends { powerW?: number }>(model: KindModel<never, unknown, S>, params: unknown, dtS: number, hours = 24, seed = 7): Run<S> {
  let s = model.init(params, seed, T0);
  const minutes = new Map<number, S>();
  const events: Timed[] = [];
  let energyWh = 0;
  let noticedAt: number | null = null;
  let steps = 0;
  for (let t = T0 + dtS * S; t <= T0 + hours * H; t += dtS * S) {
    const r = model.step(s, dtS, t) as StepResult<S, R>;
    s = r.state;
    steps++;
    energyWh += ((r.readings.powerW ?? 0) * dtS) / 3600;
    r.events.forEach((e, i) => events.push({ at: r.eventTimes?.[i] ?? t, step: t, e }));
    if ((t - T0) % MIN === 0) minutes.set(t, s);
    if (noticedAt === null && model.noticeable(s)) noticedAt = t;
  }
  return { minutes, events, energyWh, noticedAt, state: s, steps };
}

const label = (e: EventBody) => `${e.type}${'state' in e ? `:${String(e.state)}` : ''}`;

/** same events in kind and order; each stamped within `slackMs` of the 1-s one and raised at most one step late */
function expectSameEvents(ref: Timed[], long: Timed[], dtS: number, slackMs = 2 * S): void {
  expect(long.map((x) => label(x.e))).toEqual(ref.map((x) => label(x.e)));
  ref.forEach((r, i) => {
    const l = long[i]!;
    expect(Math.abs(l.at - r.at), `${label(r.e)} at ${r.at - T0} vs ${l.at - T0}`).toBeLessThanOrEqual(slackMs);
    expect(l.step - r.step).toBeLessThanOrEqual(dtS * S);
    expect(l.at).toBeLessThanOrEqual(l.step);
    expect(l.at).toBeGreaterThan(l.step - dtS * S - 1);
  });
}

function maxDiff<S>(ref: Run<S>, long: Run<S>, pick: (s: S) => number, when: (a: S, b: S) => boolean = () => true): number {
  let max = 0;
  for (const [t, s] of long.minutes) {
    const r = ref.minutes.get(t)!;
    if (when(r, s)) max = Math.max(max, Math.abs(pick(r) - pick(s)));
  }
  return max;
}

const fridgeModel = fridge as unknown as KindModel<never, unknown, FridgeState>;
const carModel = carBattery as unknown as KindModel<never, unknown, CarBatteryState>;
const washerModel = washer as unknown as KindModel<never, unknown, WasherState>;

describe('fridge: long steps against one-second steps', () => {
  const params = FridgeParams.parse({
    doorOpenings: [{ at: T0 + 8 * H, durationS: 45 }, { at: T0 + 18 * H + 3 * S, durationS: 30 }],
    inventory: [{ name: 'milk', quantity: 2, unit: 'l' }],
    takeOut: [{ at: T0 + 9 * H + 12_345, name: 'milk', quantity: 1 }],
    faults: [
      { kind: 'worn-seal', at: T0 + 6 * H + 500, uaFactor: 1.8 },
      { kind: 'compressor-failure', at: T0 + 20 * H + 30 * S },
    ],
  });
  const ref = run(fridgeModel, params, 1);
  const onMinutes = (r: Run<FridgeState>) => [...r.minutes.values()].map((s) => s.compressorOn);
  const starts = (on: boolean[]) => on.filter((x, i) => x && !on[i - 1]).length;

  it.each([10, 60])('at %i-s steps: cabinet temperature, duty, starts, energy, events and the moment it is noticed agree', (dtS) => {
    const long = run(fridgeModel, params, dtS);
    expect(maxDiff(ref, long, (s) => s.tempC)).toBeLessThan(0.1);
    const on1 = onMinutes(ref);
    const onL = onMinutes(long);
    const duty1 = on1.filter(Boolean).length / on1.length;
    expect(Math.abs(onL.filter(Boolean).length / onL.length - duty1) / duty1).toBeLessThan(0.03);
    expect(Math.abs(starts(onL) - starts(on1))).toBeLessThanOrEqual(Math.max(1, starts(on1) * 0.03));
    expect(starts(on1)).toBeGreaterThan(25);
    expect(Math.abs(long.energyWh - ref.energyWh) / ref.energyWh).toBeLessThan(0.01);
    expectSameEvents(ref.events, long.events, dtS);
    expect(ref.noticedAt).not.toBeNull();
    expect(Math.abs(long.noticedAt! - ref.noticedAt!)).toBeLessThanOrEqual(dtS * S + 30 * S);
  });

  it('a door-ajar leak the compressor can barely hold: the long compressor runs and the warming agree', () => {
    const ajar = FridgeParams.parse({ faults: [{ kind: 'door-ajar', at: T0 + 3 * H, leakFactor: 8 }] });
    const one = run(fridgeModel, ajar, 1);
    const long = run(fridgeModel, ajar, 60);
    expect(maxDiff(one, long, (s) => s.tempC)).toBeLessThan(0.1);
    expect(Math.abs(long.energyWh - one.energyWh) / one.energyWh).toBeLessThan(0.01);
    expect(Math.abs(long.noticedAt! - one.noticedAt!)).toBeLessThanOrEqual(60 * S);
  });

  it('random door openings: the Poisson schedule opens the door as often as the one-second draws, deterministically', () => {
    const openings = (dtS: number, seed: number) => {
      const p = FridgeParams.parse({ randomDoorOpeningsPerDay: 40 });
      let s = fridge.init(p, seed, T0);
      let n = 0;
      for (let t = T0 + dtS * S; t <= T0 + 24 * H; t += dtS * S) {
        const before = s.doorUntil;
        s = fridge.step(s, dtS, t).state;
        if (s.doorUntil !== before) n++;
      }
      return n;
    };
    const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
    const mean = (dtS: number) => seeds.reduce((sum, seed) => sum + openings(dtS, seed), 0) / seeds.length;
    const one = mean(1);
    const long = mean(10);
    expect(one).toBeGreaterThan(30);
    expect(Math.abs(long - one) / one).toBeLessThan(0.15);
    expect(openings(10, 3)).toBe(openings(10, 3));
    expect(openings(10, 3)).not.toBe(openings(10, 4) + 1000); // a number, not NaN
    expect(Number.isInteger(openings(10, 3))).toBe(true);
  });

  it('costs O(events): a day at 60-s steps is ~1,500 pieces, at one-hour steps ~100, against 86,400 at 1 s', () => {
    expect(ref.state.pieces).toBe(86_400);
    const m = run(fridgeModel, params, 60);
    const h = run(fridgeModel, params, 3600);
    expect(m.state.pieces).toBeLessThan(m.steps + 200);
    expect(h.state.pieces).toBeLessThan(h.steps + 200);
    expect(h.state.pieces).toBeLessThan(150);
    // an hour-long step still finds every thermostat switch: the temperature at each hour agrees
    expect(maxDiff(ref, h, (s) => s.tempC)).toBeLessThan(0.1);
  });
});

describe('car battery: long steps against one-second steps', () => {
  const params = CarBatteryParams.parse({
    initialSoc: 0.55,
    trips: [
      { start: T0 + 8 * H + 7 * S, end: T0 + 8 * H + 40 * MIN },
      { start: T0 + 18 * H, end: T0 + 19 * H + 15 * MIN, speedKmh: 80 },
    ],
    faults: [
      { kind: 'parasitic-drain', at: T0 + 2 * H + 30_500, currentA: 0.8 },
      { kind: 'weak-cell', at: T0 + H, overDays: 2 },
      { kind: 'failing-alternator', at: T0 + 18 * H + 20 * MIN, outputA: 30 },
    ],
  });
  const ref = run(carModel, params, 1);
  const sameMode = (a: CarBatteryState, b: CarBatteryState) => a.engineRunning === b.engineRunning && a.cranking === b.cranking;

  it.each([10, 60])('at %i-s steps: SoC, voltage driving and parked, cranks, trips and the moment it is noticed agree', (dtS) => {
    const long = run(carModel, params, dtS);
    expect(maxDiff(ref, long, (s) => s.soc)).toBeLessThan(0.005);
    const parked = (a: CarBatteryState, b: CarBatteryState) => sameMode(a, b) && !a.engineRunning;
    const driving = (a: CarBatteryState, b: CarBatteryState) => sameMode(a, b) && a.engineRunning;
    expect(maxDiff(ref, long, (s) => s.lastV, parked)).toBeLessThan(0.05);
    expect(maxDiff(ref, long, (s) => s.lastV, driving)).toBeLessThan(0.05);
    expect([...long.minutes.values()].filter((s) => s.engineRunning).length).toBeGreaterThan(90);
    expectSameEvents(ref.events, long.events, dtS);
    const cranks = (r: Run<CarBatteryState>) => r.events.flatMap((x) => (x.e.type === 'crank' ? [x.e] : []));
    expect(cranks(ref)).toHaveLength(2);
    cranks(long).forEach((c, i) => {
      const r = cranks(ref)[i]!;
      expect(Math.abs(c.minVoltageV - r.minVoltageV)).toBeLessThan(0.1);
      expect(Math.abs(c.restVoltageV - r.restVoltageV)).toBeLessThan(0.05);
      expect(c.durationMs).toBe(r.durationMs);
    });
    expect(ref.noticedAt === null).toBe(long.noticedAt === null);
    if (ref.noticedAt !== null) expect(Math.abs(long.noticedAt! - ref.noticedAt)).toBeLessThanOrEqual(dtS * S + 30 * S);
  });

  it('a weak battery the crank takes below its limit is noticed at the same step-rounded moment', () => {
    const weak = CarBatteryParams.parse({ initialSoc: 0.3, trips: [{ start: T0 + 8 * H, end: T0 + 10 * H }], faults: [{ kind: 'failing-alternator', at: T0 + 8 * H + 20 * MIN, outputA: 45 }, { kind: 'parasitic-drain', at: T0, currentA: 2 }] });
    const one = run(carModel, weak, 1);
    const long = run(carModel, weak, 60);
    expect(one.noticedAt).not.toBeNull();
    expect(Math.abs(long.noticedAt! - one.noticedAt!)).toBeLessThanOrEqual(60 * S);
    expect(maxDiff(one, long, (s) => s.soc)).toBeLessThan(0.005);
  });

  it('costs O(events): parked at a constant draw, a step is one piece', () => {
    const m = run(carModel, params, 60);
    expect(ref.state.pieces).toBe(86_400);
    // driving pieces are at most a minute; the trips, cranks and fault onsets add a few
    expect(m.state.pieces).toBeLessThan(m.steps + 30);
    const parkedDay = run(carModel, CarBatteryParams.parse({}), 600);
    expect(parkedDay.state.pieces).toBe(parkedDay.steps);
  });
});

describe('washer: long steps against one-second steps', () => {
  const load = (h: number, id: string, extra = {}) => ({ at: T0 + h * H + 1234, deadline: T0 + (h + 5) * H, offerId: id, ...extra });
  // the first cycle starts at its latest start, 3:58:30 (fail-safe), heats from 4:06:00 to 4:16:50
  const params = WasherParams.parse({
    powerNoise: 0,
    loads: [load(1, 'o1'), load(12, 'o2', { programme: 'quick-30' })],
    faults: [{ kind: 'heater-failure', at: T0 + 4 * H + 10 * MIN + 17 * S }],
  });
  const ref = run(washerModel, params, 1);

  it.each([10, 60])('at %i-s steps: offers, cycle starts and ends, energy and the cold wash agree', (dtS) => {
    const long = run(washerModel, params, dtS);
    expectSameEvents(ref.events, long.events, dtS);
    expect(ref.events.map((x) => label(x.e))).toEqual(['flex-offer', 'cycle:started', 'cycle:finished', 'flex-offer', 'cycle:started', 'cycle:finished']);
    // the long path stamps the offer at the load's own time, to the millisecond
    expect(long.events[0]!.at).toBe(T0 + H + 1234);
    expect(Math.abs(long.energyWh - ref.energyWh) / ref.energyWh).toBeLessThan(0.01);
    expect(long.state.cycleMaxTempC).toBeCloseTo(ref.state.cycleMaxTempC!, 6);
    expect(long.state.coldWash).toBe(ref.state.coldWash);
    expect(Math.abs(long.noticedAt! - ref.noticedAt!)).toBeLessThanOrEqual(dtS * S);
  });

  it("at 60-s steps the energy summed from the readings is each cycle's own (mean power over the span)", () => {
    const healthy = WasherParams.parse({ powerNoise: 0, loads: [load(1, 'o1'), load(12, 'o2', { programme: 'quick-30' })] });
    const long = run(washerModel, healthy, 60);
    const expected = programmeEnergyWh(PROGRAMMES['cotton-40']!) + programmeEnergyWh(PROGRAMMES['quick-30']!);
    // readings are rounded to 0.1 W
    expect(Math.abs(long.energyWh - expected) / expected).toBeLessThan(1e-5);
  });

  it('a blocked drain pauses the machine at the same moment', () => {
    const blocked = WasherParams.parse({ loads: [load(1, 'o1')], faults: [{ kind: 'drain-blocked', at: T0 + 2 * H }] });
    const one = run(washerModel, blocked, 1);
    const long = run(washerModel, blocked, 60);
    expectSameEvents(one.events, long.events, 60);
    expect(long.events.at(-1)!.e).toMatchObject({ type: 'cycle', state: 'paused' });
    expect(Math.abs(long.noticedAt! - one.noticedAt!)).toBeLessThanOrEqual(60 * S);
  });

  it('costs O(events): a waiting washer is one piece a step', () => {
    const m = run(washerModel, params, 60);
    expect(ref.state.pieces).toBeGreaterThanOrEqual(86_400);
    expect(m.state.pieces).toBeLessThan(m.steps + 60);
    const idle = run(washerModel, WasherParams.parse({}), 600);
    expect(idle.state.pieces).toBe(idle.steps);
  });
});

describe('long steps keep the model contract', () => {
  const cases: ReadonlyArray<readonly [string, KindModel<never, unknown, unknown>, unknown]> = [
    ['fridge', fridgeModel, FridgeParams.parse({ randomDoorOpeningsPerDay: 100, inventory: [{ name: 'milk', quantity: 2, unit: 'l' }], takeOut: [{ at: T0 + 9 * H, name: 'milk', quantity: 1 }] })],
    ['car-battery', carModel, CarBatteryParams.parse({ trips: [{ start: T0 + 8 * H, end: T0 + 9 * H }] })],
    ['washer', washerModel, WasherParams.parse({ loads: [{ at: T0 + H, deadline: T0 + 6 * H, offerId: 'o1' }] })],
  ];

  it.each(cases)('%s: pure (a deep-frozen state is not mutated), deterministic, valid telemetry and events, whole-ms event times', (kind, model, params) => {
    const freeze = <T>(o: T): T => {
      if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
        Object.freeze(o);
        for (const v of Object.values(o as object)) freeze(v);
      }
      return o;
    };
    const go = (frozen: boolean) => {
      let s = model.init(params, 3, T0);
      const out: unknown[] = [];
      let seq = 0;
      for (let t = T0 + 60 * S; t <= T0 + 12 * H; t += 60 * S) {
        const r = model.step(frozen ? freeze(s) : s, 60, t);
        s = r.state;
        out.push(r.readings, r.events, r.eventTimes);
        expect(Telemetry.safeParse({ v: 1, ts: t, seq: ++seq, kind, readings: r.readings }).success).toBe(true);
        r.events.forEach((e, i) => {
          const at = r.eventTimes![i]!;
          expect(Number.isInteger(at) && at <= t && at >= t - 60 * S).toBe(true);
          expect(DeviceEvent.safeParse({ v: 1, ts: at, seq: ++seq, ...e }).success).toBe(true);
        });
      }
      expect(JSON.parse(JSON.stringify(s))).toEqual(s);
      return out;
    };
    expect(go(true)).toEqual(go(false));
  });

  it('one-second steps say no event times (the agent stamps them at the step end, as before)', () => {
    const s = washer.init(WasherParams.parse({ loads: [{ at: T0 + 500, deadline: T0 + 6 * H, offerId: 'o1' }] }), 3, T0);
    const r = washer.step(s, 1, T0 + S);
    expect(r.events).toHaveLength(1);
    expect(r.eventTimes).toBeUndefined();
  });
});
