/** Helpers for detector tests: schema-valid readings and 1 Hz series fed through a detector. */
import { CarBatteryReadings, FridgeReadings, WasherReadings, type DeviceKind } from '../../../contracts/index.js';
import type { ReadingsOf } from '../../../contracts/index.js';
import type { Detector, Signal } from '../../../helpdesk/detect/detector.js';

export const T0 = Date.UTC(2020, 0, 15, 7, 0, 0);
/** event time of the reading `s` seconds after T0 */
export const at = (s: number): number => T0 + s * 1000;

export function car(over: Partial<CarBatteryReadings> = {}): CarBatteryReadings {
  return CarBatteryReadings.parse({
    voltageV: 14.1,
    currentA: 5,
    loadA: 30,
    temperatureC: 15,
    engineRunning: true,
    speedKmh: 50,
    batterySaver: false,
    ...over,
  });
}

export function fridge(over: Partial<FridgeReadings> = {}): FridgeReadings {
  return FridgeReadings.parse({
    cabinetTempC: 4.2,
    ambientTempC: 21,
    setpointC: 4,
    doorOpen: false,
    compressorOn: false,
    powerW: 2,
    ...over,
  });
}

export function washer(over: Partial<WasherReadings> = {}): WasherReadings {
  return WasherReadings.parse({
    phase: 'heat',
    powerW: 2100,
    waterTempC: 20,
    waterLevelL: 12,
    drumRpm: 40,
    remainingS: 5000,
    ...over,
  });
}

/** n readings; `r` may depend on the index within this run */
export function times<T>(n: number, r: T | ((i: number) => T)): T[] {
  return Array.from({ length: n }, (_, i) => (typeof r === 'function' ? (r as (i: number) => T)(i) : r));
}

/** a reading that switches: `a` for `every` readings, then `b` for `every`, and so on (for flapping tests) */
export function alternating<T>(every: number, a: T, b: T): (i: number) => T {
  return (i) => (i % (2 * every) < every ? a : b);
}

export interface Emitted {
  /** index of the reading in the series (= seconds after the start) */
  i: number;
  signal: Signal;
}

/** Feeds readings at 1 Hz (reading i at T0 + i s, or at `ts[i]` when given); returns signals with their indices. */
export function feed<K extends DeviceKind, S>(
  detector: Detector<K, S>,
  series: ReadingsOf<K>[],
  options: { state?: S; ts?: number[] } = {},
): { emitted: Emitted[]; state: S } {
  let state = options.state ?? detector.init();
  const emitted: Emitted[] = [];
  series.forEach((r, i) => {
    const out = detector.update(state, options.ts?.[i] ?? at(i), r);
    state = out.state;
    if (out.signal) emitted.push({ i, signal: out.signal });
  });
  return { emitted, state };
}

/** The signals as 'fire@i' / 'clear@i', for compact assertions. */
export function trace(emitted: Emitted[]): string[] {
  return emitted.map((e) => `${e.signal.type}@${e.i}`);
}

/** The only emitted signal; throws if there is not exactly one. */
export function only(emitted: Emitted[]): Signal {
  if (emitted.length !== 1) throw new Error(`expected one signal, got ${JSON.stringify(trace(emitted))}`);
  return emitted[0]!.signal;
}
