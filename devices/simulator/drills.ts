/**
 * Drills for `evernet board --simulate --simulate-fault NAME`: what the physics rig's model lives
 * through so the board shows a fault to the helpdesk, from `at` (the start of the run, event time).
 * Each is the model's own fault or usage (devices/kinds), with what it needs to show: a car's
 * alternator only fails visibly while the engine runs, so that drill drives. Pure.
 *
 *   car-battery  failing-alternator  drives from +10 s for 2 h; the alternator gives 12 A of the 40 A
 *                                    the car draws from +2 min: the battery discharges at ~28 A
 *                parasitic-drain     parked; a 1.5 A consumer stays on
 *                weak-cell           a weak cell from the start; drives from +2 min (a deep crank)
 *                drive               a healthy drive from +10 s for 2 h (the control)
 *   fridge       door-left-open      the door is opened at +10 s and left open for an hour
 *                compressor-failure  the compressor stops at once
 *                door-ajar           the door is not quite shut (the sensor reads closed)
 *                worn-seal           the door seal leaks
 *   washer       heater-failure      the heater gives no heat
 *                drain-blocked       the drain pump cannot empty the drum
 */
import type { DeviceKind } from '../../contracts/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

type Drill = (at: number) => Record<string, unknown>;

const DRILLS: Readonly<Record<DeviceKind, Readonly<Record<string, Drill>>>> = {
  'car-battery': {
    'failing-alternator': (at) => ({
      trips: [{ start: at + 10_000, end: at + 2 * HOUR, speedKmh: 60 }],
      faults: [{ kind: 'failing-alternator', at: at + 2 * MIN, outputA: 12 }],
    }),
    'parasitic-drain': (at) => ({ faults: [{ kind: 'parasitic-drain', at, currentA: 1.5 }] }),
    'weak-cell': (at) => ({ faults: [{ kind: 'weak-cell', at, overDays: 0 }], trips: [{ start: at + 2 * MIN, end: at + 2 * HOUR }] }),
    drive: (at) => ({ trips: [{ start: at + 10_000, end: at + 2 * HOUR, speedKmh: 60 }] }),
  },
  fridge: {
    'door-left-open': (at) => ({ doorOpenings: [{ at: at + 10_000, durationS: 3600 }] }),
    'compressor-failure': (at) => ({ faults: [{ kind: 'compressor-failure', at }] }),
    'door-ajar': (at) => ({ faults: [{ kind: 'door-ajar', at }] }),
    'worn-seal': (at) => ({ faults: [{ kind: 'worn-seal', at }] }),
  },
  washer: {
    'heater-failure': (at) => ({ faults: [{ kind: 'heater-failure', at }] }),
    'drain-blocked': (at) => ({ faults: [{ kind: 'drain-blocked', at }] }),
  },
};

/** The drills a kind has, for usage messages. */
export const drillNames = (kind: DeviceKind): string[] => Object.keys(DRILLS[kind]);

/** The model params of a drill starting at `at`, or null when the kind has no drill of that name. */
export function drillParams(kind: DeviceKind, name: string, at: number): Record<string, unknown> | null {
  const d = DRILLS[kind][name];
  return d ? d(at) : null;
}
