/**
 * Is the engine running? Told from the battery's voltage and current together, in event time. Pure.
 *
 * Voltage alone fails exactly when it matters: a healthy alternator holds 13.5–14.4 V, but a failing
 * one lets the voltage sag below 13.2 V while the engine runs, which reads as "engine off". The
 * current tells the rest:
 *
 *   current <= -crankingAboveA                   the starter cranks: not running yet
 *   voltage >= engineRunningAboveV, or
 *   current >= chargingAboveA                    the alternator charges the battery: running
 *   current <= -engineStartsAboveA for
 *   engineAfterS (or right after a crank)        ignition, fuel pump, ECU and lights draw from the
 *                                                battery: running, the alternator not keeping up
 *   running, current <= -engineStopsBelowA       still running (a weak alternator, discharging)
 *   otherwise for engineAfterS                   off (parked: tens of mA, a few A while modules sleep)
 *
 * A parked car with the ignition on and big consumers (headlights and blower, 10 A and more) for
 * engineAfterS reads as running; so does a battery charger (charging current). Both are rare and
 * say "the battery is being used like a running car's", which the detectors then judge.
 */

export interface EngineRules {
  engineRunningAboveV: number;
  chargingAboveA: number;
  engineStartsAboveA: number;
  engineStopsBelowA: number;
  crankingAboveA: number;
  engineAfterS: number;
}

export interface EngineState {
  running: boolean;
  /** a crank was seen and nothing has said "off" since */
  cranked: boolean;
  /** since when the evidence has pointed the other way (a big discharge while off, a small current while running) */
  since: number | null;
}

export const initialEngine = (): EngineState => ({ running: false, cranked: false, since: null });

export function engineStep(s: EngineState, r: EngineRules, voltageV: number, currentA: number, t: number): EngineState {
  const holdMs = r.engineAfterS * 1000;
  if (currentA <= -r.crankingAboveA) return { running: false, cranked: true, since: null };
  if (voltageV >= r.engineRunningAboveV || currentA >= r.chargingAboveA) return { running: true, cranked: false, since: null };
  if (s.running) {
    if (currentA <= -r.engineStopsBelowA) return { ...s, since: null };
    const since = s.since ?? t;
    return t - since >= holdMs ? { running: false, cranked: false, since: null } : { ...s, since };
  }
  if (currentA <= -r.engineStartsAboveA) {
    if (s.cranked) return { running: true, cranked: false, since: null };
    const since = s.since ?? t;
    return t - since >= holdMs ? { running: true, cranked: false, since: null } : { ...s, since };
  }
  // a small current while off; after a crank that did not start the engine, this ends the crank
  return { running: false, cranked: s.cranked && currentA <= -r.engineStopsBelowA, since: null };
}
