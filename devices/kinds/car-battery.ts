/**
 * A 12 V lead-acid starter battery in a car: Coulomb-counted state of charge, an open-circuit
 * voltage curve, an internal resistance that grows when cold and when discharged, engine cranking,
 * an alternator with a voltage regulator and charge acceptance, and the car's electrical loads.
 * Calibrated against data/car-obd-commute.csv (12.32 V at rest, 10.33 V cranking, 13.5–14.4 V driving).
 *
 * A step of dtS = 1 runs the one-second recurrence below. A longer step integrates in closed form
 * between events (car-battery-span.ts): it costs O(events in the span); the speed's random walk is
 * drawn once a piece from its exact distribution instead of once a second (deterministic from the
 * seed, not the same draw).
 */
import { z } from 'zod';
import { EventTime } from '../../contracts/index.js';
import { round } from '../../contracts/round.js';
import { acceptanceA, active, capacityAh, crankEvent, drainA, ocv, regulatorTarget, resistance, spanCar } from './car-battery-span.js';
import { ownResult, StepScratch, type CommandBody, type CommandResult, type EventBody, type KindModel, type ReadingsOf, type StepResult } from './model.js';
import { nextGaussian, rngFrom, type RngState } from './rng.js';

export { ocv, resistance } from './car-battery-span.js';

const Trip = z
  .object({ start: EventTime, end: EventTime, speedKmh: z.number().min(0).max(250).default(45) })
  .refine((t) => t.end > t.start, 'a trip must end after it starts');

export const CarBatteryFault = z.discriminatedUnion('kind', [
  /** the alternator delivers at most outputA from `at` on */
  z.object({ kind: z.literal('failing-alternator'), at: EventTime, outputA: z.number().min(0).max(500).default(12) }),
  /** an extra consumer that always draws, also when parked */
  z.object({
    kind: z.literal('parasitic-drain'),
    at: EventTime,
    currentA: z.number().min(0).max(100).default(1.5),
    consumer: z.string().min(1).max(40).default('aftermarket-dashcam'),
    /** the switchable circuit it hangs on: 'switch-off-consumer' with '<circuit>-circuit' cuts it too */
    circuit: z.string().min(1).max(40).default('accessory'),
  }),
  /**
   * a cell that sulphates: from `at` its internal resistance rises (and its capacity falls) steadily over
   * `overDays` to the given factors, so cranking gets harder crank by crank; 0 days: at once
   */
  z.object({
    kind: z.literal('weak-cell'),
    at: EventTime,
    resistanceFactor: z.number().min(1).max(100).default(3),
    capacityFactor: z.number().gt(0).max(1).default(0.6),
    overDays: z.number().min(0).max(365).default(14),
  }),
]);
export type CarBatteryFault = z.output<typeof CarBatteryFault>;

export const CarBatteryParams = z
  .object({
    capacityAh: z.number().positive().max(500).default(60),
    initialSoc: z.number().min(0).max(1).default(0.62),
    /** at 10 °C and SoC >= 0.6; grows when colder and when discharged */
    internalResistanceOhm: z.number().positive().max(1).default(0.0125),
    ambientC: z.number().min(-40).max(50).default(8),
    crankCurrentA: z.number().min(0).max(1000).default(160),
    crankDurationS: z.number().min(0).max(30).default(2),
    crankMinV: z.number().min(0).max(12).default(9.6),
    alternatorMaxA: z.number().min(0).max(500).default(90),
    regulatorV: z.number().min(13).max(15).default(14.1),
    /** engine running: essentials and lights */
    baseLoadA: z.number().min(0).max(300).default(18),
    /** heated seats, rear defrost, blower, infotainment */
    comfortLoadA: z.number().min(0).max(300).default(22),
    /** the whole load while driving with the battery saver on */
    essentialLoadA: z.number().min(0).max(300).default(9),
    parkedDrawA: z.number().min(0).max(10).default(0.03),
    trips: z.array(Trip).default([]),
    faults: z.array(CarBatteryFault).default([]),
  })
  .prefault({});
export type CarBatteryParams = z.output<typeof CarBatteryParams>;

export interface CarBatteryState {
  p: CarBatteryParams;
  rng: RngState;
  /** event time (ms) the state is at */
  t: number;
  soc: number;
  tempC: number;
  engineRunning: boolean;
  cranking: boolean;
  speedKmh: number;
  batterySaver: boolean;
  /** consumers the customer switched off (ends a parasitic drain with that name) */
  switchedOff: string[];
  message: string | null;
  /** noise-free terminal voltage and battery current of the last step */
  lastV: number;
  lastI: number;
  loadA: number;
  /** the crank in progress: when it began, the voltage at rest before it, its lowest voltage and current */
  crank: { start: number; restV: number; minV: number; currentA: number; tempC: number } | null;
  /** integration pieces computed so far (one a second at dtS = 1, one per span between events on long steps): a cost measure */
  pieces: number;
  /**
   * Long steps: the event time (exclusive) up to which the car stays parked with no trip, crank or fault
   * boundary, as a parked piece found it (a cache of the next change; finite, so that the state stays
   * JSON: -Number.MAX_VALUE when not known, Number.MAX_VALUE when no change comes). A step that ends
   * before it is one parked piece, without a look at the trips and faults (car-battery-span.ts).
   */
  parkedUntil: number;
}

type Readings = ReadingsOf<'car-battery'>;

/** Advances s (a private copy) over the interval (a, b] ms. */
function advance(s: CarBatteryState, a: number, b: number, events: EventBody[]): void {
  const p = s.p;
  const dt = (b - a) / 1000;
  const mid = (a + b) / 2;
  s.pieces++;
  for (const trip of p.trips) {
    if (trip.start > a && trip.start <= b) events.push({ type: 'trip', state: 'started' });
    if (trip.end > a && trip.end <= b) events.push({ type: 'trip', state: 'ended' });
  }
  const trip = p.trips.find((tr) => tr.start <= mid && mid < tr.end);
  const cranking = trip !== undefined && mid - trip.start < p.crankDurationS * 1000;
  const running = trip !== undefined && !cranking;
  const cap = capacityAh(p, mid);
  const r = resistance(s, mid);
  const open = ocv(s.soc);
  const drain = drainA(s, mid);
  let load: number;
  let i: number;
  let v: number;
  if (cranking) {
    load = p.crankCurrentA + drain;
    i = -load;
    v = open + i * r;
  } else if (running) {
    load = (s.batterySaver ? p.essentialLoadA : p.baseLoadA + p.comfortLoadA) + drain;
    let avail = p.alternatorMaxA;
    for (const f of active(p, mid)) if (f.kind === 'failing-alternator') avail = Math.min(avail, f.outputA);
    const acc = acceptanceA(s.soc, s.tempC, cap);
    const vReg = regulatorTarget(p, s.soc, s.tempC);
    if (avail >= load + acc) {
      i = acc;
      v = vReg;
    } else if (avail >= load) {
      // the alternator covers the load but not the full charge current: voltage between OCV and regulator
      i = avail - load;
      v = open + (vReg - open) * (acc > 0 ? i / acc : 1);
    } else {
      i = avail - load;
      v = open + i * r;
    }
  } else {
    load = p.parkedDrawA + drain;
    i = -load;
    v = open + i * r;
  }
  // speed: first-order lag to the trip speed plus a seeded random walk
  if (running) {
    const target = trip!.speedKmh;
    s.speedKmh += (target - s.speedKmh) * (1 - Math.exp(-dt / 20)) + nextGaussian(s.rng) * 0.8 * Math.sqrt(dt);
    s.speedKmh = Math.min(target * 1.4 + 5, Math.max(0, s.speedKmh));
  } else {
    s.speedKmh = 0;
  }
  const efficiency = i > 0 ? 0.95 : 1;
  s.soc = Math.min(1, Math.max(0, s.soc + (i * efficiency * dt) / 3600 / cap));
  // the battery warms under the bonnet while the engine runs
  const tTarget = p.ambientC + (trip ? 12 : 0);
  s.tempC += (tTarget - s.tempC) * (1 - Math.exp(-dt / 2400));
  if (cranking) {
    const c = s.crank ?? { start: a, restV: s.lastV, minV: Infinity, currentA: 0, tempC: s.tempC };
    s.crank = v < c.minV ? { ...c, minV: v, currentA: i } : c;
  } else if (s.crank) {
    // the crank is over: one event with its lowest voltage, seen even when telemetry is sparse
    events.push(crankEvent(s.crank, a));
    s.crank = null;
  }
  s.engineRunning = running;
  s.cranking = cranking;
  s.lastV = Math.min(20, Math.max(0, v));
  s.lastI = i;
  s.loadA = load;
}

/**
 * The state a step works on: a shallow copy (params are read-only and shared, nested values are replaced,
 * never changed), the generator's state copied. Written out field by field: in Node 20 that is several
 * times cheaper than an object spread, which dominated a long step's cost; the type makes it complete.
 * With `into` (KindModel.copyInto: a look-ahead reuses two states), `x` is copied into it the same way, the
 * generator's state into `into`'s own: Object.assign there was 4 % of a host's simulation
 * (docs/fleet-engine-log.md); the kinds' conformance test holds this list to every field.
 */
function copyState(x: CarBatteryState, into: CarBatteryState | null = null): CarBatteryState {
  if (into === null) {
    return {
      p: x.p, rng: { s: x.rng.s }, t: x.t, soc: x.soc, tempC: x.tempC, engineRunning: x.engineRunning,
      cranking: x.cranking, speedKmh: x.speedKmh, batterySaver: x.batterySaver, switchedOff: x.switchedOff,
      message: x.message, lastV: x.lastV, lastI: x.lastI, loadA: x.loadA, crank: x.crank, pieces: x.pieces,
      parkedUntil: x.parkedUntil,
    };
  }
  into.p = x.p; into.rng.s = x.rng.s; into.t = x.t; into.soc = x.soc; into.tempC = x.tempC;
  into.engineRunning = x.engineRunning; into.cranking = x.cranking; into.speedKmh = x.speedKmh;
  into.batterySaver = x.batterySaver; into.switchedOff = x.switchedOff; into.message = x.message;
  into.lastV = x.lastV; into.lastI = x.lastI; into.loadA = x.loadA; into.crank = x.crank; into.pieces = x.pieces;
  into.parkedUntil = x.parkedUntil;
  return into;
}

function step(state: CarBatteryState, dtS: number, t: number): StepResult<CarBatteryState, Readings> {
  return ownResult(stepOwned(copyState(state), dtS, t));
}

/** stepOwned's one result (StepScratch), its readings in the order they are sent */
const scratch = new StepScratch<CarBatteryState, Readings>({ voltageV: 0, currentA: 0, loadA: 0, temperatureC: 0, engineRunning: false, speedKmh: 0, batterySaver: false });

/** step() on a state the caller owns: advanced in place and returned, in the kind's one result (KindModel.stepOwned) */
function stepOwned(s: CarBatteryState, dtS: number, t: number): StepResult<CarBatteryState, Readings> {
  const readings = scratch.begin();
  const { events, times } = scratch;
  const spanMs = Math.round(dtS * 1000);
  const a0 = t - spanMs;
  const long = dtS > 1;
  if (long) spanCar(s, a0, t, events, times);
  else {
    const n = Math.max(1, Math.ceil(dtS - 1e-9));
    for (let k = 0; k < n; k++) advance(s, a0 + Math.round((spanMs * k) / n), k === n - 1 ? t : a0 + Math.round((spanMs * (k + 1)) / n), events);
  }
  s.t = t;
  readings.voltageV = round(Math.min(20, Math.max(0, s.lastV + nextGaussian(s.rng) * 0.01)), 3);
  readings.currentA = round(s.lastI, 2);
  readings.loadA = round(s.loadA, 2);
  readings.temperatureC = round(s.tempC, 1);
  readings.engineRunning = s.engineRunning;
  readings.speedKmh = round(s.speedKmh, 1);
  readings.batterySaver = s.batterySaver;
  return scratch.finish(s, long, a0, t);
}

function command(state: CarBatteryState, cmd: CommandBody, t: number): CommandResult<CarBatteryState> {
  const s = structuredClone(state);
  switch (cmd.action) {
    case 'battery-saver':
      s.batterySaver = cmd.on;
      return { state: s, ok: true, events: [] };
    case 'switch-off-consumer': {
      const has = active(s.p, t).some((f) => f.kind === 'parasitic-drain' && (f.consumer === cmd.consumer || `${f.circuit}-circuit` === cmd.consumer));
      if (!has) return { state, ok: false, code: 'EVN_ERR_NO_SUCH_CONSUMER', detail: `no consumer '${cmd.consumer}'`, events: [] };
      if (!s.switchedOff.includes(cmd.consumer)) s.switchedOff.push(cmd.consumer);
      return { state: s, ok: true, events: [] };
    }
    case 'display-message':
      s.message = cmd.text;
      return { state: s, ok: true, events: [] };
    default:
      return { state, ok: false, code: 'EVN_ERR_UNSUPPORTED_COMMAND', detail: `car-battery does not support '${cmd.action}'`, events: [] };
  }
}

export const carBattery: KindModel<'car-battery', CarBatteryParams, CarBatteryState> = {
  kind: 'car-battery',
  params: CarBatteryParams,
  faultKinds: ['failing-alternator', 'parasitic-drain', 'weak-cell'],
  init(params, seed, t0) {
    const p = structuredClone(params);
    p.trips.sort((x, y) => x.start - y.start);
    const s: CarBatteryState = {
      p,
      rng: rngFrom(seed, 0xca7),
      t: t0,
      soc: p.initialSoc,
      tempC: p.ambientC,
      engineRunning: false,
      cranking: false,
      speedKmh: 0,
      batterySaver: false,
      switchedOff: [],
      message: null,
      lastV: 0,
      lastI: -p.parkedDrawA,
      loadA: p.parkedDrawA,
      crank: null,
      pieces: 0,
      parkedUntil: -Number.MAX_VALUE,
    };
    s.lastV = ocv(s.soc) - p.parkedDrawA * resistance(s, t0);
    return s;
  },
  step,
  stepOwned,
  copyInto: (from, into) => copyState(from, into),
  command,
  noticeable(s) {
    const cannotCrank = ocv(s.soc) - s.p.crankCurrentA * resistance(s, s.t) < s.p.crankMinV;
    return cannotCrank || (s.engineRunning && s.lastV < 10.5);
  },
};
