/**
 * Car battery: the voltage dip while cranking is deeper than a healthy battery's. The dip is the
 * battery's internal resistance times the starter current; a weak or sulphated cell raises the
 * resistance. A crank shows in telemetry as readings below 11.5 V with the car still standing,
 * right before the engine runs. The detector compares each crank's dip with this battery's own
 * earlier cranks (an exponential average), and also fires when the voltage falls below 9.9 V,
 * where electronics start to reset. One crank is enough evidence; a normal crank clears it.
 */
import { round } from '../../contracts/round.js';
import type { Detector } from './detector.js';

export const BATTERY_WEAK = { crankBelowV: 11.5, absoluteMinV: 9.9, ratio: 1.25, learnWeight: 0.3 } as const;
const p = BATTERY_WEAK;

interface State {
  /** resting voltage before the current crank */
  restV: number | null;
  /** lowest voltage of the crank in progress */
  minV: number | null;
  /** average dip of earlier normal cranks (V) */
  baseDip: number | null;
  firing: boolean;
}

export const batteryWeak: Detector<'car-battery', State> = {
  kind: 'battery-weak',
  deviceKind: 'car-battery',
  needs: ['voltageV', 'currentA', 'engineRunning'],
  init: () => ({ restV: null, minV: null, baseDip: null, firing: false }),
  update(s, ts, r) {
    const cranking = r.voltageV < p.crankBelowV && r.speedKmh === 0 && r.currentA < -50;
    if (cranking) return { state: { ...s, minV: Math.min(s.minV ?? Infinity, r.voltageV) } };
    if (s.minV === null) return { state: r.engineRunning ? s : { ...s, restV: r.voltageV } };
    // the crank just ended: judge it
    const dip = (s.restV ?? 12.4) - s.minV;
    const deep = s.minV < p.absoluteMinV || (s.baseDip !== null && dip > p.ratio * s.baseDip);
    const next: State = { restV: null, minV: null, baseDip: s.baseDip, firing: s.firing };
    if (deep && !s.firing) {
      return {
        state: { ...next, firing: true },
        signal: {
          type: 'fire',
          kind: 'battery-weak',
          severity: s.minV < 9.6 ? 'high' : 'medium',
          at: ts,
          evidence: {
            expected: s.baseDip === null ? `cranking above ${p.absoluteMinV} V` : `a cranking dip near this battery's usual ${round(s.baseDip, 2)} V`,
            observed: `cranking dipped to ${round(s.minV, 2)} V (a ${round(dip, 2)} V dip)`,
            minVoltageV: round(s.minV, 3),
            dipV: round(dip, 3),
            usualDipV: s.baseDip === null ? null : round(s.baseDip, 3),
            thresholdV: p.absoluteMinV,
          },
        },
      };
    }
    if (deep) return { state: next };
    const baseDip = s.baseDip === null ? dip : s.baseDip + (dip - s.baseDip) * p.learnWeight;
    if (s.firing) {
      return {
        state: { ...next, baseDip, firing: false },
        signal: { type: 'clear', kind: 'battery-weak', at: ts, evidence: { expected: 'a normal cranking dip', observed: `cranking dipped to ${round(s.minV, 2)} V` } },
      };
    }
    return { state: { ...next, baseDip } };
  },
};
