/**
 * A household refrigerator: one thermal node (cabinet air and contents) with a heat leak to the
 * room, a thermostat with hysteresis driving a fixed-power compressor, door openings that let warm
 * air in, and an inventory of what is inside. Calibrated against data/fridge-day.csv
 * (~64 W runs of 7.3–7.8 min, 18 % duty, ~34 starts a day, a 274 W start-up spike).
 *
 * A step of dtS = 1 runs the one-second Euler recurrence below (random door openings: one draw a
 * second). A longer step integrates in closed form between events (fridge-span.ts): it costs
 * O(events in the span), and draws random openings as a Poisson schedule instead, as deterministic
 * from the seed but not the same draw.
 */
import { z } from 'zod';
import { EventTime, Item } from '../../contracts/index.js';
import { round } from '../../contracts/round.js';
import { activeFaults as active, DAY_MS, inventoryEvent, LOCAL_OFFSET_MS, spanFridge, takeOutsIn } from './fridge-span.js';
import { ownResult, StepScratch, type CommandBody, type CommandResult, type EventBody, type KindModel, type ReadingsOf, type StepResult } from './model.js';
import { nextFloat, nextGaussian, rngFrom, type RngState } from './rng.js';

export const FridgeFault = z.discriminatedUnion('kind', [
  /** the compressor no longer runs (no cooling, no power) */
  z.object({ kind: z.literal('compressor-failure'), at: EventTime }),
  /** the door is not quite shut: the heat leak is multiplied by leakFactor, the door sensor still reads closed */
  z.object({ kind: z.literal('door-ajar'), at: EventTime, leakFactor: z.number().min(1).max(50).default(4) }),
  /** a worn door seal: the heat leak is multiplied by uaFactor */
  z.object({ kind: z.literal('worn-seal'), at: EventTime, uaFactor: z.number().min(1).max(20).default(1.8) }),
]);
export type FridgeFault = z.output<typeof FridgeFault>;

export const FridgeParams = z
  .object({
    setpointC: z.number().min(-30).max(20).default(4),
    /** compressor on above setpoint + h/2, off below setpoint − h/2 */
    hysteresisC: z.number().positive().max(10).default(1),
    ambientC: z.number().min(-20).max(50).default(21),
    compressorW: z.number().min(0).max(2000).default(64),
    startSpikeW: z.number().min(0).max(5000).default(274),
    startSpikeS: z.number().int().min(0).max(120).default(10),
    /** thermal model; the defaults give ≈18 % duty and ≈7.5 min runs at 4 °C in a 21 °C room */
    heatCapacityJK: z.number().positive().default(37_400),
    uaWK: z.number().positive().default(1.06),
    coolingW: z.number().positive().default(100),
    /** extra heat exchange while the door is open (W/K) */
    doorOpenUaWK: z.number().min(0).default(15),
    /** cabinet temperature at start (null: the setpoint) */
    initialTempC: z.number().min(-40).max(80).nullable().default(null),
    doorOpenings: z.array(z.object({ at: EventTime, durationS: z.number().positive().max(3600).default(20) })).default([]),
    /** seeded random openings of 10–40 s between 07:00 and 23:00 local time */
    randomDoorOpeningsPerDay: z.number().min(0).max(500).default(0),
    inventory: z.array(Item).max(500).default([]),
    takeOut: z
      .array(z.object({ at: EventTime, name: z.string().min(1).max(80), quantity: z.number().positive().max(1e6) }))
      .default([]),
    faults: z.array(FridgeFault).default([]),
  })
  .prefault({});
export type FridgeParams = z.output<typeof FridgeParams>;

export interface FridgeState {
  p: FridgeParams;
  rng: RngState;
  t: number;
  setpointC: number;
  tempC: number;
  compressorOn: boolean;
  /** seconds the current compressor run has lasted */
  runS: number;
  /** the door is held open (random opening or taking something out) until this time */
  doorUntil: number;
  doorOpen: boolean;
  inventory: Item[];
  /** the inventory changed and has not been reported yet (reported when the door closes) */
  inventoryDirty: boolean;
  inventoryReported: boolean;
  message: string | null;
  lastPowerW: number;
  /** long steps: the next random door opening of the Poisson schedule (null: not drawn yet) */
  nextOpenAt: number | null;
  /** integration pieces computed so far (one a second at dtS = 1, one per span between events on long steps): a cost measure */
  pieces: number;
  /**
   * Long steps: the event time (exclusive) up to which nothing but the thermostat changes (no door, take-out,
   * opening or fault), as a piece found it, and the insulation (W/K) and compressor failure it found then
   * (fridge-span.ts: a calm step looks at none of the schedules). Finite, so that the state stays JSON:
   * -Number.MAX_VALUE when not known; a one-second step forgets it.
   */
  calmUntil: number;
  calmUaWK: number;
  calmBroken: boolean;
}

type Readings = ReadingsOf<'fridge'>;

/** Advances s (a private copy) over (a, b] ms. */
function advance(s: FridgeState, a: number, b: number, events: EventBody[]): number {
  const p = s.p;
  const dt = (b - a) / 1000;
  const mid = (a + b) / 2;
  s.pieces++;
  takeOutsIn(s, a, b);
  if (p.randomDoorOpeningsPerDay > 0) {
    const local = (((mid + LOCAL_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
    const inWindow = local >= 7 * 3_600_000 && local < 23 * 3_600_000;
    const u = nextFloat(s.rng);
    const durationS = 10 + 30 * nextFloat(s.rng);
    if (inWindow && mid >= s.doorUntil && u < (p.randomDoorOpeningsPerDay / (16 * 3600)) * dt) {
      s.doorUntil = a + durationS * 1000;
    }
  }
  const scheduled = p.doorOpenings.some((o) => o.at <= mid && mid < o.at + o.durationS * 1000);
  s.doorOpen = scheduled || mid < s.doorUntil;

  let ua = p.uaWK;
  let broken = false;
  for (const f of active(p, mid)) {
    if (f.kind === 'worn-seal') ua *= f.uaFactor;
    else if (f.kind === 'door-ajar') ua *= f.leakFactor;
    else broken = true;
  }
  // thermostat on the true cabinet temperature
  if (broken) s.compressorOn = false;
  else if (s.tempC > s.setpointC + p.hysteresisC / 2) s.compressorOn = true;
  else if (s.tempC < s.setpointC - p.hysteresisC / 2) s.compressorOn = false;
  let power = 0;
  if (s.compressorOn) {
    power = s.runS < p.startSpikeS ? p.startSpikeW : p.compressorW;
    s.runS += dt;
  } else {
    s.runS = 0;
  }
  const leak = (ua + (s.doorOpen ? p.doorOpenUaWK : 0)) * (p.ambientC - s.tempC);
  s.tempC += ((leak - (s.compressorOn ? p.coolingW : 0)) * dt) / p.heatCapacityJK;
  if (!s.doorOpen && s.inventoryDirty) {
    s.inventoryDirty = false;
    events.push(inventoryEvent(s));
  }
  return power * dt;
}

/**
 * The state a step works on: a shallow copy (params are read-only and shared, nested values are replaced,
 * never changed), the generator's state copied. Written out field by field: in Node 20 that is several
 * times cheaper than an object spread, which dominated a long step's cost; the type makes it complete.
 * With `into` (KindModel.copyInto: a look-ahead reuses two states), `x` is copied into it the same way, the
 * generator's state into `into`'s own: Object.assign there was 4 % of a host's simulation
 * (docs/fleet-engine-log.md); the kinds' conformance test holds this list to every field.
 */
function copyState(x: FridgeState, into: FridgeState | null = null): FridgeState {
  if (into === null) {
    return {
      p: x.p, rng: { s: x.rng.s }, t: x.t, setpointC: x.setpointC, tempC: x.tempC,
      compressorOn: x.compressorOn, runS: x.runS, doorUntil: x.doorUntil, doorOpen: x.doorOpen,
      inventory: x.inventory, inventoryDirty: x.inventoryDirty, inventoryReported: x.inventoryReported,
      message: x.message, lastPowerW: x.lastPowerW, nextOpenAt: x.nextOpenAt, pieces: x.pieces,
      calmUntil: x.calmUntil, calmUaWK: x.calmUaWK, calmBroken: x.calmBroken,
    };
  }
  into.p = x.p; into.rng.s = x.rng.s; into.t = x.t; into.setpointC = x.setpointC; into.tempC = x.tempC;
  into.compressorOn = x.compressorOn; into.runS = x.runS; into.doorUntil = x.doorUntil; into.doorOpen = x.doorOpen;
  into.inventory = x.inventory; into.inventoryDirty = x.inventoryDirty; into.inventoryReported = x.inventoryReported;
  into.message = x.message; into.lastPowerW = x.lastPowerW; into.nextOpenAt = x.nextOpenAt; into.pieces = x.pieces;
  into.calmUntil = x.calmUntil; into.calmUaWK = x.calmUaWK; into.calmBroken = x.calmBroken;
  return into;
}

function step(state: FridgeState, dtS: number, t: number): StepResult<FridgeState, Readings> {
  return ownResult(stepOwned(copyState(state), dtS, t));
}

/** stepOwned's one result (StepScratch), its readings in the order they are sent */
const scratch = new StepScratch<FridgeState, Readings>({ cabinetTempC: 0, ambientTempC: 0, setpointC: 0, doorOpen: false, compressorOn: false, powerW: 0 });

/** step() on a state the caller owns: advanced in place and returned, in the kind's one result (KindModel.stepOwned) */
function stepOwned(s: FridgeState, dtS: number, t: number): StepResult<FridgeState, Readings> {
  const readings = scratch.begin();
  const { events, times } = scratch;
  const spanMs = Math.round(dtS * 1000);
  const a0 = t - spanMs;
  if (!s.inventoryReported) {
    s.inventoryReported = true;
    events.push(inventoryEvent(s));
    times.push(a0);
  }
  const long = dtS > 1;
  let energyJ = 0;
  if (long) energyJ = spanFridge(s, a0, t, events, times);
  else {
    // the one-second path moves the door its own way: what a long step found calm is forgotten
    s.calmUntil = -Number.MAX_VALUE;
    const n = Math.max(1, Math.ceil(dtS - 1e-9));
    for (let k = 0; k < n; k++) {
      const a = a0 + Math.round((spanMs * k) / n);
      const b = k === n - 1 ? t : a0 + Math.round((spanMs * (k + 1)) / n);
      energyJ += advance(s, a, b, events);
    }
  }
  s.t = t;
  const meanW = spanMs > 0 ? energyJ / (spanMs / 1000) : 0;
  s.lastPowerW = meanW;
  readings.cabinetTempC = round(Math.min(80, Math.max(-40, s.tempC + nextGaussian(s.rng) * 0.05)), 2);
  readings.ambientTempC = round(s.p.ambientC, 2);
  readings.setpointC = s.setpointC;
  readings.doorOpen = s.doorOpen;
  readings.compressorOn = s.compressorOn;
  readings.powerW = meanW > 0 ? round(Math.max(0, meanW + nextGaussian(s.rng) * 0.3), 1) : 0;
  return scratch.finish(s, long, a0, t);
}

function command(state: FridgeState, cmd: CommandBody): CommandResult<FridgeState> {
  switch (cmd.action) {
    case 'set-setpoint': {
      if (cmd.celsius < 0 || cmd.celsius > 12) {
        return { state, ok: false, code: 'EVN_ERR_OUT_OF_RANGE', detail: 'a fridge setpoint must be 0–12 °C', events: [] };
      }
      const s = structuredClone(state);
      s.setpointC = cmd.celsius;
      return { state: s, ok: true, events: [] };
    }
    case 'report-inventory':
      return { state: structuredClone(state), ok: true, events: [inventoryEvent(state)] };
    case 'display-message': {
      const s = structuredClone(state);
      s.message = cmd.text;
      return { state: s, ok: true, events: [] };
    }
    default:
      return { state, ok: false, code: 'EVN_ERR_UNSUPPORTED_COMMAND', detail: `fridge does not support '${cmd.action}'`, events: [] };
  }
}

export const fridge: KindModel<'fridge', FridgeParams, FridgeState> = {
  kind: 'fridge',
  params: FridgeParams,
  faultKinds: ['compressor-failure', 'door-ajar', 'worn-seal'],
  init(params, seed, t0) {
    const p = structuredClone(params);
    return {
      p,
      rng: rngFrom(seed, 0xf1d6e),
      t: t0,
      setpointC: p.setpointC,
      tempC: p.initialTempC ?? p.setpointC,
      compressorOn: false,
      runS: 0,
      doorUntil: t0,
      doorOpen: false,
      inventory: structuredClone(p.inventory),
      inventoryDirty: false,
      inventoryReported: false,
      message: null,
      lastPowerW: 0,
      nextOpenAt: null,
      pieces: 0,
      calmUntil: -Number.MAX_VALUE,
      calmUaWK: p.uaWK,
      calmBroken: false,
    };
  },
  step,
  stepOwned,
  copyInto: (from, into) => copyState(from, into),
  command,
  /** food-safety limit */
  noticeable: (s) => s.tempC > 8,
};
