/**
 * Runs every detector of a device's kind over its telemetry, keeping one state per device and
 * detector. Signals come out in a fixed order (detector order), so replays are deterministic.
 */
import type { DeviceKind, Telemetry } from '../../contracts/index.js';
import { batteryDischarge } from './battery-discharge.js';
import { batteryParasitic } from './battery-parasitic.js';
import { batteryWeak } from './battery-weak.js';
import type { Detector, Signal } from './detector.js';
import { fridgeDoorOpen } from './fridge-door-open.js';
import { fridgeDuty } from './fridge-duty.js';
import { fridgeWarm } from './fridge-warm.js';
import { washerDrain } from './washer-drain.js';
import { washerHeater } from './washer-heater.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDetector = Detector<any, any>;

export const DETECTORS: Record<DeviceKind, AnyDetector[]> = {
  'car-battery': [batteryDischarge, batteryParasitic, batteryWeak],
  fridge: [fridgeWarm, fridgeDoorOpen, fridgeDuty],
  washer: [washerHeater, washerDrain],
};

export function createDetection(detectors: Record<DeviceKind, AnyDetector[]> = DETECTORS) {
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
      const list = detectors[t.kind];
      let s = states.get(deviceKey);
      if (!s) {
        s = list.map((d) => d.init());
        states.set(deviceKey, s);
      }
      const out: Signal[] = [];
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!.update(s[i], t.ts, t.readings);
        s[i] = r.state;
        if (r.signal) out.push(r.signal);
      }
      return out;
    },
    /** readings skipped because they were not newer than the device's last one */
    skipped: (): number => skipped,
  };
}
