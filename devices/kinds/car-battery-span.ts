/**
 * The car battery's physics (open-circuit voltage, resistance, charge acceptance, regulator, drains)
 * and its long step (dtS > 1): between events the battery current is constant or follows the charge
 * acceptance, so the state of charge has a closed form, and a span is split only at events — a trip's
 * start and end, the end of the crank, a fault's onset, the alternator running out of headroom — so a
 * step costs O(events in it). Parked at a constant draw, a step is one piece.
 *
 *   constant current i:        soc(t) = soc0 + i·η·t / (3600·C)          (η = 0.95 charging, else 1)
 *   charging at acceptance:    x = 1 − soc, dx/dt = −k·x^1.5  →  x(t) = (x0^−½ + k·t/2)^−2
 *   battery temperature:       T(t) = T∞ + (T0 − T∞)·e^(−t/2400 s)  (the one-second path's recurrence composes to it)
 *   speed while driving:       the one-second lag-plus-noise recurrence is an AR(1) process; over n seconds
 *                              it is drawn in one go from its exact n-step mean and spread (one Gaussian draw)
 *
 * Capacity (a weak cell degrading over days) and the acceptance's temperature factor are taken at a
 * piece's midpoint and start; pieces while driving are at most a minute long so both stay true.
 */
import { round } from '../../contracts/round.js';
import type { CarBatteryFault, CarBatteryParams, CarBatteryState } from './car-battery.js';
import type { EventBody } from './model.js';
import { nextGaussian } from './rng.js';

/** Resting open-circuit voltage against SoC (typical flooded lead-acid table). */
const OCV_TABLE: ReadonlyArray<readonly [number, number]> = [
  [0, 11.9],
  [0.25, 12.06],
  [0.5, 12.24],
  [0.75, 12.45],
  [1, 12.7],
];

/**
 * The table's voltage at `soc`, interpolated. Its rows are read by index: destructured (`const [s, v] =`),
 * each row went through the iterator protocol, about 200 bytes of iterators a call that V8 did not
 * optimize away, and a car calls this every step.
 */
export function ocv(soc: number): number {
  const x = Math.min(1, Math.max(0, soc));
  for (let i = 1; i < OCV_TABLE.length; i++) {
    const hi = OCV_TABLE[i]!;
    if (x <= hi[0]) {
      const lo = OCV_TABLE[i - 1]!;
      return lo[1] + ((hi[1] - lo[1]) * (x - lo[0])) / (hi[0] - lo[0]);
    }
  }
  return OCV_TABLE[OCV_TABLE.length - 1]![1];
}

export const active = (p: CarBatteryParams, t: number) => p.faults.filter((f) => f.at <= t);
/** a parasitic consumer is off once it, or the circuit it hangs on, was switched off */
const isOff = (s: CarBatteryState, f: { consumer: string; circuit: string }) =>
  s.switchedOff.includes(f.consumer) || s.switchedOff.includes(`${f.circuit}-circuit`);

type WeakCell = Extract<CarBatteryFault, { kind: 'weak-cell' }>;
/** how far a weak cell has degraded at t: 0 at `at`, 1 after `overDays` */
const progress = (f: WeakCell, t: number): number => (f.overDays === 0 ? 1 : Math.min(1, (t - f.at) / (f.overDays * 86_400_000)));

export function capacityAh(p: CarBatteryParams, t: number): number {
  let c = p.capacityAh;
  for (const f of p.faults) if (f.at <= t && f.kind === 'weak-cell') c *= 1 - (1 - f.capacityFactor) * progress(f, t);
  return c;
}

/** Internal resistance: +1 %/K below 10 °C, +125 % per unit of SoC below 0.6; times weak-cell factors (as far as each has degraded). */
export function resistance(s: Pick<CarBatteryState, 'p' | 'soc' | 'tempC'>, t: number): number {
  const fTemp = Math.min(1.8, Math.max(0.85, 1 + 0.01 * (10 - s.tempC)));
  const fSoc = 1 + 1.25 * Math.max(0, 0.6 - s.soc);
  let r = s.p.internalResistanceOhm * fTemp * fSoc;
  for (const f of s.p.faults) if (f.at <= t && f.kind === 'weak-cell') r *= 1 + (f.resistanceFactor - 1) * progress(f, t);
  return r;
}

/** acceptanceA = acceptanceScale · (1 − soc)^1.5 */
const acceptanceScale = (tempC: number, capAh: number) => 20 * (capAh / 60) * Math.min(1.2, Math.max(0.4, 1 - 0.015 * (20 - tempC)));

/** The current a battery accepts at the regulator voltage: a few amps when well charged, ~20 A when low. */
export function acceptanceA(soc: number, tempC: number, capAh: number): number {
  const fTemp = Math.min(1.2, Math.max(0.4, 1 - 0.015 * (20 - tempC)));
  return (20 * (capAh / 60) * Math.pow(Math.max(0, 1 - soc), 1.5)) * fTemp;
}

export function regulatorTarget(p: CarBatteryParams, soc: number, tempC: number): number {
  const v = p.regulatorV + 0.005 * Math.max(0, 20 - tempC) + 0.2 * Math.max(0, 0.5 - soc);
  return Math.min(14.4, Math.max(13.5, v));
}

export function drainA(s: CarBatteryState, t: number): number {
  let a = 0;
  for (const f of s.p.faults) if (f.at <= t && f.kind === 'parasitic-drain' && !isOff(s, f)) a += f.currentA;
  return a;
}

/** The alternator's output limit at t. */
export function alternatorA(p: CarBatteryParams, t: number): number {
  let avail = p.alternatorMaxA;
  for (const f of p.faults) if (f.at <= t && f.kind === 'failing-alternator') avail = Math.min(avail, f.outputA);
  return avail;
}

/** Terminal voltage and current while driving, the alternator giving `net` = output − load amps. */
export function drivingVI(p: CarBatteryParams, soc: number, tempC: number, cap: number, r: number, net: number): { v: number; i: number } {
  const open = ocv(soc);
  const acc = acceptanceA(soc, tempC, cap);
  const vReg = regulatorTarget(p, soc, tempC);
  if (net >= acc) return { v: vReg, i: acc };
  // the alternator covers the load but not the full charge current: voltage between OCV and regulator
  if (net >= 0) return { v: open + (vReg - open) * (acc > 0 ? net / acc : 1), i: net };
  return { v: open + net * r, i: net };
}

export const crankEvent = (c: NonNullable<CarBatteryState['crank']>, end: number): EventBody => ({
  type: 'crank',
  minVoltageV: round(Math.max(0, c.minV), 3),
  restVoltageV: round(c.restV, 3),
  currentA: round(c.currentA, 1),
  temperatureC: round(c.tempC, 1),
  durationMs: Math.round(end - c.start),
});

type Mode = 'parked' | 'cranking' | 'running';
const SPEED_DECAY = Math.exp(-1 / 20);
/** longest piece while driving, so the acceptance's temperature factor stays that of the piece */
const DRIVING_PIECE_MS = 60_000;

type Trip = CarBatteryParams['trips'][number];

/** the trip under way at x, if any (a loop: no function and no object made for a piece, which a driving car takes every step) */
function tripAt(p: CarBatteryParams, x: number): Trip | undefined {
  for (const tr of p.trips) if (tr.start <= x && x < tr.end) return tr;
  return undefined;
}

/** what the car does at x, `trip` being the trip under way then (tripAt) */
function modeOf(p: CarBatteryParams, x: number, trip: Trip | undefined): Mode {
  if (!trip) return 'parked';
  return x - trip.start < p.crankDurationS * 1000 ? 'cranking' : 'running';
}

/** What happened in (from, x]: trip starts and ends; a crank begins or ends at x. */
function arrive(s: CarBatteryState, from: number, x: number, events: EventBody[], times: number[]): void {
  for (const trip of s.p.trips) {
    if (trip.start > from && trip.start <= x) {
      events.push({ type: 'trip', state: 'started' });
      times.push(trip.start);
    }
    if (trip.end > from && trip.end <= x) {
      events.push({ type: 'trip', state: 'ended' });
      times.push(trip.end);
    }
  }
  const cranking = modeOf(s.p, x, tripAt(s.p, x)) === 'cranking';
  if (cranking && !s.crank) s.crank = { start: x, restV: s.lastV, minV: Infinity, currentA: 0, tempC: s.tempC };
  else if (!cranking && s.crank) {
    // the crank is over: one event with its lowest voltage, seen even when telemetry is sparse
    events.push(crankEvent(s.crank, x));
    times.push(x);
    s.crank = null;
  }
}

/** the earlier of `next` and x, if x is after `now` */
function sooner(next: number, x: number, now: number): number {
  return x > now && x < next ? x : next;
}

function nextChange(p: CarBatteryParams, now: number): number {
  let next = Infinity;
  for (const tr of p.trips) {
    if (tr.end <= now) continue;
    next = sooner(sooner(sooner(next, tr.start, now), tr.start + p.crankDurationS * 1000, now), tr.end, now);
  }
  for (const f of p.faults) {
    next = sooner(next, f.at, now);
    // a weak cell stops degrading: the capacity's midpoint value holds on either side
    if (f.kind === 'weak-cell') next = sooner(next, f.at + f.overDays * 86_400_000, now);
  }
  return next;
}

/**
 * One piece parked at the parked draw (and any drain) over (now, end]: the general loop's arithmetic for
 * a parked piece, in the same order, so either way gives the same bits.
 */
function parkedPiece(s: CarBatteryState, now: number, end: number): void {
  const p = s.p;
  const cap = capacityAh(p, (now + end) / 2);
  const load = p.parkedDrawA + drainA(s, now);
  const net = -load;
  const d = (end - now) / 1000;
  s.soc = Math.min(1, Math.max(0, s.soc + (net * (net > 0 ? 0.95 : 1) * d) / 3600 / cap));
  s.tempC += (p.ambientC + 0 - s.tempC) * (1 - Math.exp(-d / 2400));
  s.speedKmh = 0;
  const r = resistance(s, end);
  s.engineRunning = false;
  s.cranking = false;
  s.lastV = Math.min(20, Math.max(0, ocv(s.soc) - load * r));
  s.lastI = -load;
  s.loadA = load;
  s.pieces++;
}

/** Advances s (a private copy) over (a, b] ms in closed-form pieces. */
export function spanCar(s: CarBatteryState, a: number, b: number, events: EventBody[], times: number[]): void {
  const p = s.p;
  // parked, with no trip, crank or fault boundary before s.parkedUntil (found by a parked piece before):
  // nothing happens in (a, b] but one parked piece, and nothing need be looked for
  if (s.crank === null && b < s.parkedUntil) return parkedPiece(s, a, b);
  let now = a;
  arrive(s, a, a, events, times);
  for (let guard = 0; now < b && guard < 1_000_000; guard++) {
    const trip = tripAt(p, now);
    const mode = modeOf(p, now, trip);
    const change = nextChange(p, now);
    if (mode === 'parked' && s.crank === null) {
      // until the next change the car stays parked: later steps before it take the short way above
      s.parkedUntil = Math.min(change, Number.MAX_VALUE);
      const end = Math.min(b, change);
      parkedPiece(s, now, end);
      arrive(s, now, end, events, times);
      now = end;
      continue;
    }
    let end = Math.min(b, change);
    if (mode === 'running') end = Math.min(end, now + DRIVING_PIECE_MS);
    const cap = capacityAh(p, (now + end) / 2);
    const drain = drainA(s, now);
    const load = (mode === 'cranking' ? p.crankCurrentA : mode === 'parked' ? p.parkedDrawA : s.batterySaver ? p.essentialLoadA : p.baseLoadA + p.comfortLoadA) + drain;
    const net = mode === 'running' ? alternatorA(p, now) - load : -load;
    const k = mode === 'running' ? acceptanceScale(s.tempC, cap) : 0;
    const soc0 = s.soc;
    const charging = mode === 'running' && net >= 0 && net >= k * Math.pow(Math.max(0, 1 - soc0), 1.5);
    if (mode === 'running' && net > 0 && !charging) {
      // the acceptance falls as the charge rises: from soc* on the battery takes less than the alternator offers
      const socStar = 1 - Math.pow(net / k, 2 / 3);
      end = Math.min(end, Math.max(now + 1, now + ((socStar - soc0) * 3600 * cap * 1000) / (0.95 * net)));
    }
    const d = (end - now) / 1000;
    if (charging) {
      const x0 = Math.max(0, 1 - soc0);
      const x = x0 > 0 ? Math.pow(Math.pow(x0, -0.5) + ((0.95 * k) / (3600 * cap)) * (d / 2), -2) : 0;
      s.soc = Math.min(1, Math.max(0, 1 - x));
    } else {
      s.soc = Math.min(1, Math.max(0, soc0 + (net * (net > 0 ? 0.95 : 1) * d) / 3600 / cap));
    }
    const tempTarget = p.ambientC + (trip ? 12 : 0);
    const temp0 = s.tempC;
    s.tempC += (tempTarget - s.tempC) * (1 - Math.exp(-d / 2400));
    if (mode === 'running') {
      const target = trip!.speedKmh;
      const decay = Math.pow(SPEED_DECAY, d);
      const sd = 0.8 * Math.sqrt((1 - decay * decay) / (1 - SPEED_DECAY * SPEED_DECAY));
      s.speedKmh = Math.min(target * 1.4 + 5, Math.max(0, target + (s.speedKmh - target) * decay + nextGaussian(s.rng) * sd));
    } else {
      s.speedKmh = 0;
    }
    const r = resistance(s, end);
    const vi = mode === 'running' ? drivingVI(p, s.soc, s.tempC, cap, r, net) : { v: ocv(s.soc) - load * r, i: -load };
    if (mode === 'cranking' && s.crank) {
      // the voltage falls through the crank: its lowest is at one end (the start's, should the charge not fall)
      const vStart = ocv(soc0) - load * resistance({ p, soc: soc0, tempC: temp0 }, now);
      const minV = Math.min(vStart, vi.v);
      if (minV < s.crank.minV) s.crank = { ...s.crank, minV, currentA: -load };
    }
    s.engineRunning = mode === 'running';
    s.cranking = mode === 'cranking';
    s.lastV = Math.min(20, Math.max(0, vi.v));
    s.lastI = vi.i;
    s.loadA = load;
    s.pieces++;
    arrive(s, now, end, events, times);
    now = end;
  }
}
