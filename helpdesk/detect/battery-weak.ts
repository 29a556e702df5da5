/**
 * Car battery: the voltage dip while cranking is deeper than a healthy battery's. The dip is the
 * battery's internal resistance times the starter current; a weak or sulphated cell raises the
 * resistance. But a healthy battery dips deeper when cold (its resistance rises about 1 %/K below
 * 10 °C) and when discharged (the resting voltage tells the charge), so each crank's dip is first
 * brought to what it would be at 10 °C and a good charge (`referenceDip`): a healthy car at −8 °C and
 * 55 % dips to 9.75 V and is normal.
 *
 * A crank comes as a `crank` event (its lowest voltage, seen whatever the telemetry interval) or, from
 * a device that sends none, as readings below 11.5 V with the car standing and a starter current,
 * right before the engine runs. The detector fires when a crank's reference dip is 1.15× this
 * battery's usual one (an average that follows a better crank at once and a worse one slowly, so a
 * cell degrading over days does not become the usual), or when it is over 2.4 V, which cranks below
 * 9.9 V from a 12.3 V rest, where electronics start to reset. One crank is enough evidence; a normal
 * crank clears it.
 */
import type { EventBody } from '../../contracts/index.js';
import { round } from '../../contracts/round.js';
import type { Detector, Signal } from './detector.js';

export const BATTERY_WEAK = {
  crankBelowV: 11.5,
  /** a reference dip above this is weak whatever the battery's history */
  maxReferenceDipV: 2.4,
  ratio: 1.15,
  /** the usual dip's weights toward a shallower and a deeper normal crank */
  learnDown: 0.3,
  learnUp: 0.05,
} as const;
const p = BATTERY_WEAK;

/** Resting open-circuit voltage of a flooded lead-acid battery against its state of charge. */
const OCV: ReadonlyArray<readonly [number, number]> = [
  [0, 11.9],
  [0.25, 12.06],
  [0.5, 12.24],
  [0.75, 12.45],
  [1, 12.7],
];

/** the state of charge a resting voltage tells */
export function socFromRestV(v: number): number {
  if (v <= OCV[0]![1]) return 0;
  // rows read by index, not destructured: no iterator a row (devices/kinds/car-battery-span.ts, ocv)
  for (let i = 1; i < OCV.length; i++) {
    const hi = OCV[i]!;
    if (v <= hi[1]) {
      const lo = OCV[i - 1]!;
      return lo[0] + ((hi[0] - lo[0]) * (v - lo[1])) / (hi[1] - lo[1]);
    }
  }
  return 1;
}

/** how much deeper a healthy battery dips at this temperature and resting voltage than at 10 °C and a good charge */
export function dipFactor(temperatureC: number, restV: number): number {
  const fTemp = Math.min(1.8, Math.max(0.85, 1 + 0.01 * (10 - temperatureC)));
  const fSoc = 1 + 1.25 * Math.max(0, 0.6 - socFromRestV(restV));
  return fTemp * fSoc;
}

interface Crank {
  minV: number;
  restV: number;
  temperatureC: number;
}

interface State {
  /** resting voltage before the current crank (telemetry) */
  restV: number | null;
  /** lowest voltage of the crank in progress and the battery's temperature then (telemetry) */
  minV: number | null;
  tempC: number;
  /** this battery's usual reference dip (V) */
  baseDip: number | null;
  firing: boolean;
  /** the device sends crank events: its telemetry cranks are not judged again */
  events: boolean;
}

function judge(s: State, ts: number, c: Crank): { state: State; signal?: Signal } {
  const dip = c.restV - c.minV;
  const refDip = dip / dipFactor(c.temperatureC, c.restV);
  const deep = refDip > p.maxReferenceDipV || (s.baseDip !== null && refDip > p.ratio * s.baseDip);
  const next: State = { ...s, restV: null, minV: null };
  if (deep && !s.firing) {
    return {
      state: { ...next, firing: true },
      signal: {
        type: 'fire',
        kind: 'battery-weak',
        severity: c.minV < 9.6 ? 'high' : 'medium',
        at: ts,
        evidence: {
          expected:
            s.baseDip === null
              ? `a cranking dip under ${p.maxReferenceDipV} V at 10 °C and a good charge`
              : `a cranking dip near this battery's usual ${round(s.baseDip, 2)} V at 10 °C and a good charge`,
          observed: `cranking dipped to ${round(c.minV, 2)} V at ${round(c.temperatureC, 1)} °C (a ${round(dip, 2)} V dip, ${round(refDip, 2)} V at 10 °C and a good charge)`,
          minVoltageV: round(c.minV, 3),
          restVoltageV: round(c.restV, 3),
          temperatureC: round(c.temperatureC, 1),
          dipV: round(dip, 3),
          referenceDipV: round(refDip, 3),
          usualDipV: s.baseDip === null ? null : round(s.baseDip, 3),
          maxReferenceDipV: p.maxReferenceDipV,
        },
      },
    };
  }
  if (deep) return { state: next };
  const w = s.baseDip === null || refDip < s.baseDip ? p.learnDown : p.learnUp;
  const baseDip = s.baseDip === null ? refDip : s.baseDip + (refDip - s.baseDip) * w;
  if (s.firing) {
    return {
      state: { ...next, baseDip, firing: false },
      signal: { type: 'clear', kind: 'battery-weak', at: ts, evidence: { expected: 'a normal cranking dip', observed: `cranking dipped to ${round(c.minV, 2)} V` } },
    };
  }
  return { state: { ...next, baseDip } };
}

export const batteryWeak: Detector<'car-battery', State> = {
  kind: 'battery-weak',
  deviceKind: 'car-battery',
  needs: ['voltageV', 'currentA', 'engineRunning', 'temperatureC'],
  init: () => ({ restV: null, minV: null, tempC: 10, baseDip: null, firing: false, events: false }),
  update(s, ts, r) {
    if (s.events) return { state: s };
    const cranking = r.voltageV < p.crankBelowV && r.speedKmh === 0 && r.currentA < -50;
    if (cranking) return { state: s.minV !== null && s.minV <= r.voltageV ? s : { ...s, minV: r.voltageV, tempC: r.temperatureC } };
    if (s.minV === null) return { state: r.engineRunning ? s : { ...s, restV: r.voltageV } };
    // the crank just ended: judge it
    return judge(s, ts, { minV: s.minV, restV: s.restV ?? 12.4, temperatureC: s.tempC });
  },
  event(s, ts, e: EventBody) {
    if (e.type !== 'crank') return { state: s };
    return judge({ ...s, events: true }, ts, { minV: e.minVoltageV, restV: e.restVoltageV, temperatureC: e.temperatureC });
  },
};
