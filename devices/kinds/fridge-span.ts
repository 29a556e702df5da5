/**
 * The fridge over a long step (dtS > 1). Between events the cabinet is one thermal node with
 * constant coefficients, so its temperature has a closed form,
 *   T(t) = Teq + (T0 − Teq)·e^(−t/τ),  τ = C/UA,  Teq = ambient − cooling/UA,
 * and the thermostat's crossing time is solved from it: τ·ln((T0 − Teq)/(threshold − Teq)); the
 * thermostat reads on whole seconds, as in the one-second path, so it switches at the first whole
 * second past the crossing (its overshoot and cycle length are the one-second path's). A span
 * is split only at events — a thermostat switch, a door opening or closing, a take-out, a fault's
 * onset — so a step costs O(events in it), not O(seconds). Energy is exact per piece (the start-up
 * spike for the first startSpikeS seconds of a run, the running power after).
 *
 * Random door openings (randomDoorOpeningsPerDay) are the same process as the one-second path's but
 * drawn differently: a Poisson schedule, exponential gaps in window time (07:00–23:00 local) from
 * the state's generator, the next opening drawn when the door closes after the last one. So a
 * long-step replay is as deterministic from the seed as a one-second one, but not the same draw.
 */
import type { Item } from '../../contracts/index.js';
import { round } from '../../contracts/round.js';
import type { FridgeParams, FridgeState } from './fridge.js';
import type { EventBody } from './model.js';
import { nextFloat } from './rng.js';

export const DAY_MS = 86_400_000;
/** Local time for random openings is taken as UTC+1 (central European winter time), without DST. */
export const LOCAL_OFFSET_MS = 3_600_000;
export const TAKE_OUT_DOOR_S = 20;
const WINDOW_FROM_MS = 7 * 3_600_000;
const WINDOW_TO_MS = 23 * 3_600_000;

export const activeFaults = (p: FridgeParams, t: number) => p.faults.filter((f) => f.at <= t);
export const inventoryEvent = (s: FridgeState): EventBody => ({ type: 'inventory', items: structuredClone(s.inventory) });

/** the take-outs in (from, to]: the inventory changes (reported when the door shuts) and the door is held open */
export function takeOutsIn(s: FridgeState, from: number, to: number): void {
  for (const o of s.p.takeOut) {
    if (o.at > from && o.at <= to) {
      s.inventory = takeOut(s.inventory, o.name, o.quantity);
      s.inventoryDirty = true;
      s.doorUntil = Math.max(s.doorUntil, o.at + TAKE_OUT_DOOR_S * 1000);
    }
  }
}

export function takeOut(inv: Item[], name: string, quantity: number): Item[] {
  return inv
    .map((it) => (it.name === name ? { ...it, quantity: Math.max(0, round(it.quantity - quantity, 6)) } : it))
    .filter((it) => it.quantity > 0);
}

/** The time `seconds` of opening window after `from` (the window's closed hours do not count). */
function afterWindowSeconds(from: number, seconds: number): number {
  let x = from;
  let left = seconds * 1000;
  for (let guard = 0; guard < 8; guard++) {
    const local = (((x + LOCAL_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
    const day = x - local;
    if (local < WINDOW_FROM_MS) x = day + WINDOW_FROM_MS;
    else if (local >= WINDOW_TO_MS) x = day + DAY_MS + WINDOW_FROM_MS;
    else {
      const close = day + WINDOW_TO_MS;
      if (x + left <= close) return x + left;
      left -= close - x;
      // whole windows at once: a rare opening may be many days off
      const days = Math.floor(left / (WINDOW_TO_MS - WINDOW_FROM_MS));
      left -= days * (WINDOW_TO_MS - WINDOW_FROM_MS);
      x = day + (days + 1) * DAY_MS + WINDOW_FROM_MS;
    }
  }
  return x + left;
}

/** The next random opening after `from`: an exponential gap in window time. */
function drawOpening(s: FridgeState, from: number): number {
  const perS = s.p.randomDoorOpeningsPerDay / (16 * 3600);
  return afterWindowSeconds(from, -Math.log(1 - nextFloat(s.rng)) / perS);
}

const scheduledOpen = (p: FridgeParams, t: number) => p.doorOpenings.some((o) => o.at <= t && t < o.at + o.durationS * 1000);

interface Env {
  ua: number;
  broken: boolean;
}

/**
 * Brings s to time `now`: what happened in (from, now] (take-outs, random openings), then the door,
 * the faults and the thermostat as they are from `now` on, and the inventory once the door is shut.
 */
function arrive(s: FridgeState, from: number, now: number, events: EventBody[], times: number[]): Env {
  const p = s.p;
  takeOutsIn(s, from, now);
  if (p.randomDoorOpeningsPerDay > 0) {
    if (s.nextOpenAt === null) s.nextOpenAt = drawOpening(s, Math.max(now, s.doorUntil));
    while (s.nextOpenAt <= now) {
      const x: number = s.nextOpenAt;
      // the door already held open: no opening then (the process is memoryless: draw on from its closing)
      if (x >= s.doorUntil) s.doorUntil = x + (10 + 30 * nextFloat(s.rng)) * 1000;
      s.nextOpenAt = drawOpening(s, s.doorUntil);
    }
  }
  s.doorOpen = scheduledOpen(p, now) || now < s.doorUntil;
  let ua = p.uaWK;
  let broken = false;
  for (const f of p.faults) {
    if (f.at > now) continue;
    if (f.kind === 'worn-seal') ua *= f.uaFactor;
    else if (f.kind === 'door-ajar') ua *= f.leakFactor;
    else broken = true;
  }
  settle(s, broken, now, events, times);
  return { ua, broken };
}

/** The thermostat as it reads at `now`, and the inventory reported once the door is shut. */
function settle(s: FridgeState, broken: boolean, now: number, events: EventBody[], times: number[]): void {
  const p = s.p;
  if (broken) s.compressorOn = false;
  else if (s.tempC > s.setpointC + p.hysteresisC / 2) s.compressorOn = true;
  else if (s.tempC < s.setpointC - p.hysteresisC / 2) s.compressorOn = false;
  if (!s.compressorOn) s.runS = 0;
  if (!s.doorOpen && s.inventoryDirty) {
    s.inventoryDirty = false;
    events.push(inventoryEvent(s));
    times.push(now);
  }
}

/** the earlier of `next` and x, if x is after `now` */
function sooner(next: number, x: number, now: number): number {
  return x > now && x < next ? x : next;
}

/** The next time after `now` at which something other than the thermostat changes (Infinity: none). */
function nextChange(s: FridgeState, now: number): number {
  const p = s.p;
  let next = sooner(Infinity, s.doorUntil, now);
  if (s.nextOpenAt !== null) next = sooner(next, s.nextOpenAt, now);
  for (const o of p.takeOut) next = sooner(next, o.at, now);
  for (const o of p.doorOpenings) next = sooner(sooner(next, o.at, now), o.at + o.durationS * 1000, now);
  for (const f of p.faults) next = sooner(next, f.at, now);
  return next;
}

/**
 * Advances s (a private copy) over (a, b] ms in closed-form pieces; returns the energy drawn (J).
 *
 * Calm: a step that ends before `s.calmUntil` (the next change a piece before found: a door, a take-out,
 * an opening, a fault) has nothing in it but the thermostat. It takes the door, the insulation and the
 * faults as that piece found them (`calmUaWK`, `calmBroken`) instead of looking at the schedules again:
 * the same arithmetic in the same order, so the same bits.
 */
export function spanFridge(s: FridgeState, a: number, b: number, events: EventBody[], times: number[]): number {
  const p = s.p;
  const calm = b < s.calmUntil;
  let energyJ = 0;
  let now = a;
  let env: Env;
  if (calm) {
    env = { ua: s.calmUaWK, broken: s.calmBroken };
    settle(s, env.broken, a, events, times);
  } else env = arrive(s, a, a, events, times);
  for (let guard = 0; now < b && guard < 1_000_000; guard++) {
    const ua = env.ua + (s.doorOpen ? p.doorOpenUaWK : 0);
    const teq = p.ambientC - (s.compressorOn ? p.coolingW : 0) / ua;
    const tauS = p.heatCapacityJK / ua;
    let end = b;
    if (!calm) {
      // nothing but the thermostat changes until then: remembered for the calm steps that follow
      const change = nextChange(s, now);
      s.calmUntil = Math.min(change, Number.MAX_VALUE);
      s.calmUaWK = env.ua;
      s.calmBroken = env.broken;
      end = Math.min(b, change);
    }
    // the thermostat's switch: the threshold lies between the temperature and where it is heading
    const th = s.setpointC + (s.compressorOn ? -p.hysteresisC / 2 : p.hysteresisC / 2);
    const heading = s.compressorOn ? s.tempC > th && teq < th : s.tempC < th && teq > th;
    const cross = !env.broken && heading ? now + tauS * Math.log((s.tempC - teq) / (th - teq)) * 1000 : Infinity;
    // the thermostat reads the temperature on whole seconds (as the one-second path does): it switches at the first one past the crossing
    const switchAt = cross === Infinity ? Infinity : a + (Math.floor((cross - a) / 1000) + 1) * 1000;
    const switching = switchAt <= end;
    if (switching) end = switchAt;
    const d = (end - now) / 1000;
    s.tempC = teq + (s.tempC - teq) * Math.exp(-d / tauS);
    if (s.compressorOn) {
      const spikeS = Math.min(d, Math.max(0, p.startSpikeS - s.runS));
      energyJ += spikeS * p.startSpikeW + (d - spikeS) * p.compressorW;
      s.runS += d;
    }
    if (switching) s.compressorOn = !s.compressorOn;
    s.pieces++;
    if (calm) settle(s, env.broken, end, events, times);
    else env = arrive(s, now, end, events, times);
    now = end;
  }
  return energyJ;
}
