/**
 * Fridge: the cabinet stays above its thermostat band. A healthy fridge switches its compressor on
 * at setpoint + half the hysteresis and recovers from a door opening within minutes; 10 minutes at
 * more than 2 K above setpoint means it cannot hold temperature (compressor failure, a door left
 * ajar, a worn seal), and that is caught well before the food passes 8 °C.
 */
import { round } from '../../contracts/round.js';
import { sustained } from './sustained.js';

export const FRIDGE_WARM = { aboveK: 2, fireAfterS: 10 * 60, clearBelowK: 1, clearAfterS: 10 * 60 } as const;
const p = FRIDGE_WARM;

export const fridgeWarm = sustained({
  kind: 'fridge-warm',
  deviceKind: 'fridge',
  needs: ['cabinetTempC', 'setpointC'],
  metric: (r) => r.cabinetTempC,
  fireWhen: (r) => r.cabinetTempC > r.setpointC + p.aboveK,
  fireAfterS: p.fireAfterS,
  clearWhen: (r) => r.cabinetTempC < r.setpointC + p.clearBelowK,
  clearAfterS: p.clearAfterS,
  severity: (r) => (r.cabinetTempC > 8 ? 'high' : 'medium'),
  fireEvidence: (r, w) => ({
    expected: `cabinet within ${p.aboveK} K of the ${r.setpointC} °C setpoint`,
    observed: `${round(w.mean, 1)} °C on average for ${w.seconds / 60} min (max ${round(w.max, 1)} °C), compressor ${r.compressorOn ? 'on' : 'off'}`,
    since: w.since,
    meanTempC: round(w.mean, 2),
    maxTempC: round(w.max, 2),
    setpointC: r.setpointC,
    thresholdK: p.aboveK,
  }),
  clearEvidence: (r, w) => ({
    expected: `cabinet below ${r.setpointC + p.clearBelowK} °C for ${p.clearAfterS / 60} min`,
    observed: `${round(w.mean, 1)} °C on average`,
    meanTempC: round(w.mean, 2),
  }),
});
