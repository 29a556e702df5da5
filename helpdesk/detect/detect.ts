/**
 * Runs every detector of a device's kind over its telemetry, keeping one state per device and
 * detector. Signals come out in a fixed order (detector order), so replays are deterministic.
 */
import type { DeviceKind, ReadingsOf, Telemetry } from '../../contracts/index.js';
import { batteryDischarge } from './battery-discharge.js';
import { batteryParasitic } from './battery-parasitic.js';
import { batteryWeak } from './battery-weak.js';
import type { Detector, Signal } from './detector.js';
import { fridgeDoorOpen } from './fridge-door-open.js';
import { fridgeDuty } from './fridge-duty.js';
import { fridgeWarm } from './fridge-warm.js';
import { washerDrain } from './washer-drain.js';
import { washerHeater } from './washer-heater.js';

/**
 * kind -> the detectors of that kind, their state erased (each one only ever gets back the state its
 * own init() made). A mapped type, so `detectors[kind]` with a generic kind stays tied to its readings.
 */
export type DetectorsByKind = { [K in DeviceKind]: Array<Detector<K, unknown>> };

export const DETECTORS: DetectorsByKind = {
  'car-battery': [batteryDischarge, batteryParasitic, batteryWeak],
  fridge: [fridgeWarm, fridgeDoorOpen, fridgeDuty],
  washer: [washerHeater, washerDrain],
};

export function createDetection(detectors: DetectorsByKind = DETECTORS) {
  const states = new Map<string, unknown[]>();
  const lastTs = new Map<string, number>();
  let skipped = 0;
  return {
    /**
     * Feeds one telemetry message of the device `deviceKey` ("<customer>/<device>": device ids are
     * unique per customer only); returns the signals it raised. A reading that is
     * not newer than the device's last one (duplicate timestamp, out of order) is skipped and
     * counted: detector state only ever moves forward in event time.
     */
    observe(deviceKey: string, t: Telemetry): Signal[] {
      const prev = lastTs.get(deviceKey);
      if (prev !== undefined && t.ts <= prev) {
        skipped++;
        return [];
      }
      lastTs.set(deviceKey, t.ts);
      let s = states.get(deviceKey);
      if (!s) {
        s = detectors[t.kind].map((d) => d.init());
        states.set(deviceKey, s);
      }
      return step(detectors, t.kind, s, t.ts, t.readings);
    },
    /** readings skipped because they were not newer than the device's last one */
    skipped: (): number => skipped,
  };
}

/** Runs the detectors of `kind` over one reading, updating their states in place. */
function step<K extends DeviceKind>(detectors: DetectorsByKind, kind: K, states: unknown[], ts: number, readings: ReadingsOf<K>): Signal[] {
  const list = detectors[kind];
  const out: Signal[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!.update(states[i], ts, readings);
    states[i] = r.state;
    if (r.signal) out.push(r.signal);
  }
  return out;
}
