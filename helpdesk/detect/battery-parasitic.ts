/**
 * Car battery: it drains while the car is parked. A parked car draws a few tens of milliamps
 * (alarm, clock, keyless entry); a sustained draw of more than 0.3 A means a consumer that should
 * be asleep is not (an aftermarket dashcam, a stuck relay, a light left on): a 60 Ah battery at
 * 1.5 A is flat in about a day.
 */
import { round } from '../../contracts/round.js';
import { sustained } from './sustained.js';

export const BATTERY_PARASITIC = { fireBelowA: -0.3, fireAfterS: 15 * 60, clearAboveA: -0.1, clearAfterS: 5 * 60 } as const;
const p = BATTERY_PARASITIC;

export const batteryParasitic = sustained({
  kind: 'battery-parasitic',
  deviceKind: 'car-battery',
  needs: ['currentA', 'engineRunning', 'voltageV'],
  metric: (r) => r.currentA,
  fireWhen: (r) => !r.engineRunning && r.currentA < p.fireBelowA,
  fireAfterS: p.fireAfterS,
  clearWhen: (r) => !r.engineRunning && r.currentA >= p.clearAboveA,
  clearAfterS: p.clearAfterS,
  severity: (r, w) => (r.voltageV < 12.0 || w.mean < -3 ? 'high' : 'medium'),
  fireEvidence: (r, w) => ({
    expected: `a parked car drawing less than ${-p.fireBelowA} A`,
    observed: `${round(-w.mean, 2)} A drawn for ${w.seconds / 60} min with the engine off, ${round(r.voltageV, 2)} V`,
    since: w.since,
    meanCurrentA: round(w.mean, 3),
    voltageV: round(r.voltageV, 3),
    thresholdA: p.fireBelowA,
    windowS: w.seconds,
  }),
  clearEvidence: (r, w) => ({
    expected: `parked draw below ${-p.clearAboveA} A for ${p.clearAfterS / 60} min`,
    observed: `${round(-w.mean, 2)} A at ${round(r.voltageV, 2)} V`,
    meanCurrentA: round(w.mean, 3),
  }),
});
