/**
 * Fridge: the cabinet stays above its thermostat band. A healthy fridge switches its compressor on
 * at setpoint + half the hysteresis and recovers from a door opening within minutes; 10 minutes at
 * more than 2 K above setpoint means it cannot hold temperature (compressor failure, a door left
 * ajar, a worn seal), and that is caught before the food passes 8 °C. A fridge set to 6 °C would pass
 * 8 °C before being 2 K warm, so the threshold is never above 7 °C (1 K below the food's 8 °C), unless
 * the fridge is set so warm that this leaves less than 1 K above its setpoint (a fridge set to 8 °C:
 * 9 °C). It clears 1 K below where it fires.
 */
import { round } from '../../contracts/round.js';
import { sustained } from './sustained.js';

export const FRIDGE_WARM = { aboveK: 2, fireAfterS: 10 * 60, clearBelowK: 1, clearAfterS: 10 * 60, foodWarmC: 8, foodMarginK: 1, minAboveK: 1 } as const;
const p = FRIDGE_WARM;

/** the cabinet temperature above which a fridge with this setpoint is warm: setpoint + 2 K, at most 7 °C, at least setpoint + 1 K */
export const warmAboveC = (setpointC: number): number => Math.min(setpointC + p.aboveK, Math.max(p.foodWarmC - p.foodMarginK, setpointC + p.minAboveK));
/** below this it is cold again: 1 K below where it fires (setpoint + 1 K for a setpoint up to 5 °C) */
const coldBelowC = (setpointC: number): number => warmAboveC(setpointC) - (p.aboveK - p.clearBelowK);

export const fridgeWarm = sustained({
  kind: 'fridge-warm',
  deviceKind: 'fridge',
  needs: ['cabinetTempC', 'setpointC'],
  metric: (r) => r.cabinetTempC,
  fireWhen: (r) => r.cabinetTempC > warmAboveC(r.setpointC),
  fireAfterS: p.fireAfterS,
  clearWhen: (r) => r.cabinetTempC < coldBelowC(r.setpointC),
  clearAfterS: p.clearAfterS,
  severity: (r) => (r.cabinetTempC > 8 ? 'high' : 'medium'),
  fireEvidence: (r, w) => ({
    expected: `cabinet within ${round(warmAboveC(r.setpointC) - r.setpointC, 2)} K of the ${r.setpointC} °C setpoint`,
    observed: `${round(w.mean, 1)} °C on average for ${w.seconds / 60} min (max ${round(w.max, 1)} °C), compressor ${r.compressorOn ? 'on' : 'off'}`,
    since: w.since,
    meanTempC: round(w.mean, 2),
    maxTempC: round(w.max, 2),
    setpointC: r.setpointC,
    thresholdK: round(warmAboveC(r.setpointC) - r.setpointC, 2),
  }),
  clearEvidence: (r, w) => ({
    expected: `cabinet below ${round(coldBelowC(r.setpointC), 2)} °C for ${p.clearAfterS / 60} min`,
    observed: `${round(w.mean, 1)} °C on average`,
    meanTempC: round(w.mean, 2),
  }),
});
