/**
 * Washer: the programme is in its heating phase but the heater draws no power and the water does
 * not warm. A heater draws about 2 kW; two minutes of heating phase below 1 kW means it is not on.
 */
import { round } from '../../contracts/round.js';
import { sustained } from './sustained.js';

export const WASHER_HEATER = { belowW: 1000, fireAfterS: 120, clearAfterS: 30 } as const;

export const washerHeater = sustained({
  kind: 'washer-heater',
  deviceKind: 'washer',
  needs: ['phase', 'powerW'],
  metric: (r) => r.waterTempC,
  fireWhen: (r) => r.phase === 'heat' && r.powerW < WASHER_HEATER.belowW,
  fireAfterS: WASHER_HEATER.fireAfterS,
  clearWhen: (r) => r.phase === 'heat' && r.powerW >= WASHER_HEATER.belowW,
  clearAfterS: WASHER_HEATER.clearAfterS,
  severity: () => 'medium',
  fireEvidence: (r, w) => ({
    expected: `heater drawing about 2 kW and water warming during the heating phase`,
    observed: `${round(r.powerW, 0)} W for ${w.seconds} s, water ${round(w.first, 1)} -> ${round(r.waterTempC, 1)} °C`,
    since: w.since,
    powerW: r.powerW,
    waterRiseK: round(r.waterTempC - w.first, 2),
    thresholdW: WASHER_HEATER.belowW,
  }),
  clearEvidence: (r) => ({ expected: 'heater drawing power', observed: `${round(r.powerW, 0)} W in the heating phase` }),
});
