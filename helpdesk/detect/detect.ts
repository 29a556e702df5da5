/**
 * Runs every detector of a device's kind over its telemetry, keeping one state per device and
 * detector. Signals come out in a fixed order (detector order), so replays are deterministic.
 */
import type { DeviceKind, Telemetry } from '../../contracts/index.js';
import { batteryDischarge } from './battery-discharge.js';
import type { Detector, Signal } from './detector.js';
import { fridgeDoorOpen } from './fridge-door-open.js';
import { fridgeWarm } from './fridge-warm.js';
import { washerDrain } from './washer-drain.js';
import { washerHeater } from './washer-heater.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDetector = Detector<any, any>;

export const DETECTORS: Record<DeviceKind, AnyDetector[]> = {
  'car-battery': [batteryDischarge],
  fridge: [fridgeWarm, fridgeDoorOpen],
  washer: [washerHeater, washerDrain],
};

export function createDetection(detectors: Record<DeviceKind, AnyDetector[]> = DETECTORS) {
  const states = new Map<string, unknown[]>();
  return {
    /** Feeds one telemetry message of one device; returns the signals it raised. */
    observe(deviceId: string, t: Telemetry): Signal[] {
      const list = detectors[t.kind];
      let s = states.get(deviceId);
      if (!s) {
        s = list.map((d) => d.init());
        states.set(deviceId, s);
      }
      const out: Signal[] = [];
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!.update(s[i], t.ts, t.readings);
        s[i] = r.state;
        if (r.signal) out.push(r.signal);
      }
      return out;
    },
  };
}
