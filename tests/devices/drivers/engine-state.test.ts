/**
 * Engine state from a car battery's voltage and current together (devices/drivers/engine-state.ts):
 * the table of cases, including the one voltage alone gets wrong (a failing alternator), and the
 * car model's failing-alternator day run through the estimator.
 */
import { describe, expect, it } from 'vitest';
import { engineStep, initialEngine, type EngineRules, type EngineState } from '../../../devices/drivers/engine-state.js';
import { loadBoardFile } from '../../../devices/drivers/load-board-file.js';
import { carBattery } from '../../../devices/kinds/index.js';

const RULES: EngineRules = loadBoardFile('boards/car-battery.yaml').settings;
const T0 = Date.UTC(2020, 10, 2, 17);

/** Holds (voltage, current) for `seconds` (one reading a second) from `state`; returns the state after. */
function hold(state: EngineState, voltageV: number, currentA: number, seconds: number, t0 = T0): EngineState {
  let s = state;
  for (let i = 0; i <= seconds; i++) s = engineStep(s, RULES, voltageV, currentA, t0 + i * 1000);
  return s;
}
const off = initialEngine();
const running: EngineState = { running: true, cranked: false, since: null };

describe('engine state from voltage and current', () => {
  it.each([
    // [what, from, voltage, current, seconds held, running after]
    ['parked, healthy (tens of mA)', off, 12.4, -0.03, 600, false],
    ['parked with a parasitic consumer (1.5 A)', off, 12.2, -1.5, 600, false],
    ['modules awake after switching off (2.5 A)', running, 12.3, -2.5, 60, false],
    ['driving, alternator charging (14.1 V, +4 A)', off, 14.1, 4, 1, true],
    ['driving, battery full (14.1 V, 0 A)', off, 14.1, 0, 1, true],
    ['charging current at a low voltage (13.0 V, +3 A)', off, 13.0, 3, 1, true],
    ['failing alternator, engine running (11.9 V, -28 A), from running', running, 11.9, -28, 600, true],
    ['failing alternator seen only after the board started (11.9 V, -28 A)', off, 11.9, -28, 31, true],
    ['a big discharge shorter than engineAfterS is not yet running', off, 11.9, -28, 10, false],
    ['weak alternator, running, discharging 5 A (12.2 V)', running, 12.2, -5, 600, true],
    ['cranking (9.8 V, -160 A) is not running', off, 9.8, -160, 2, false],
  ])('%s', (_what, from, v, a, seconds, expected) => {
    expect(hold(from, v, a, seconds).running).toBe(expected);
  });

  it('voltage alone would call a failing alternator "engine off": the current says otherwise', () => {
    expect(11.9 >= RULES.engineRunningAboveV).toBe(false);
    expect(hold(running, 11.9, -28, 3600).running).toBe(true);
  });

  it('right after a crank, an engine-sized discharge is a running engine at once', () => {
    const cranked = hold(off, 9.8, -160, 2);
    expect(cranked).toMatchObject({ running: false, cranked: true });
    expect(engineStep(cranked, RULES, 11.9, -28, T0 + 3000).running).toBe(true);
    // a crank that did not start the engine: the current falls back to parked, still off
    expect(hold(cranked, 12.2, -0.05, 60, T0 + 3000)).toMatchObject({ running: false, cranked: false });
  });

  it("follows the car model's failing-alternator drive: running the whole trip, off when parked", () => {
    const trip = { start: T0 + 600_000, end: T0 + 3_600_000 };
    const fault = trip.start + 300_000;
    const params = carBattery.params.parse({ trips: [trip], faults: [{ kind: 'failing-alternator', at: fault }] });
    let m = carBattery.init(params, 7, T0);
    let e = initialEngine();
    let disagreements = 0;
    let dischargingRunning = 0;
    for (let t = T0 + 1000; t <= trip.end + 600_000; t += 1000) {
      const r = carBattery.step(m, 1, t);
      m = r.state;
      e = engineStep(e, RULES, r.readings.voltageV, r.readings.currentA, t);
      // the estimator may lag the truth by engineAfterS after a change
      const settled = Math.abs(t - trip.start) > 40_000 && Math.abs(t - trip.end) > 40_000;
      if (settled && e.running !== r.readings.engineRunning) disagreements++;
      if (t > fault + 60_000 && t < trip.end && r.readings.voltageV < 13.2 && r.readings.currentA < -3 && e.running) dischargingRunning++;
    }
    expect(disagreements).toBe(0);
    // the failing alternator's drive: below 13.2 V, discharging, and still "engine running"
    expect(dischargingRunning).toBeGreaterThan(2000);
  });
});
