/**
 * Car battery: the battery discharges while the engine runs. A healthy alternator covers the
 * vehicle's load and charges the battery (current >= 0 A at 13.5–14.4 V); a sustained discharge
 * with the engine running means the alternator cannot keep up (failing alternator, slipping belt,
 * or a consumer drawing more than it should).
 */
import { round } from '../../contracts/round.js';
import { sustained } from './sustained.js';

export const BATTERY_DISCHARGE = { fireBelowA: -3, fireAfterS: 60, clearAboveA: -1, clearAfterS: 60 } as const;
const p = BATTERY_DISCHARGE;

export const batteryDischarge = sustained({
  kind: 'battery-discharge',
  deviceKind: 'car-battery',
  needs: ['currentA', 'engineRunning', 'voltageV'],
  metric: (r) => r.currentA,
  fireWhen: (r) => r.engineRunning && r.currentA < p.fireBelowA,
  fireAfterS: p.fireAfterS,
  clearWhen: (r) => r.engineRunning && r.currentA >= p.clearAboveA,
  clearAfterS: p.clearAfterS,
  severity: (r) => (r.voltageV < 11.8 ? 'critical' : 'high'),
  fireEvidence: (r, w) => ({
    expected: 'battery charging (current >= 0 A, 13.5-14.4 V) while the engine runs',
    observed: `discharging at ${round(-w.mean, 1)} A for ${w.seconds} s with the engine running, ${round(r.voltageV, 2)} V`,
    since: w.since,
    meanCurrentA: round(w.mean, 2),
    voltageV: round(r.voltageV, 3),
    loadA: round(r.loadA, 1),
    thresholdA: p.fireBelowA,
    windowS: w.seconds,
  }),
  clearEvidence: (r, w) => ({
    expected: `battery current >= ${p.clearAboveA} A with the engine running for ${p.clearAfterS} s`,
    observed: `mean ${round(w.mean, 1)} A at ${round(r.voltageV, 2)} V over ${w.seconds} s`,
    meanCurrentA: round(w.mean, 2),
    voltageV: round(r.voltageV, 3),
  }),
});
