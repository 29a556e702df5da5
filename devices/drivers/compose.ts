/**
 * Turns what a board measures into a full readings object of its kind. Readings the board file
 * maps come from their sensors (or a fixed value); the others are defaults or derived:
 *
 *   fridge       ambientTempC 21 · setpointC 4 (set-setpoint changes it) · compressorOn false ·
 *                powerW = compressorW while the compressor runs, else 0
 *   car-battery  currentA 0 · loadA 0 · temperatureC 15 · speedKmh 0 · batterySaver (command state) ·
 *                engineRunning from voltage and current (engine-state.ts) when both are measured,
 *                else voltageV >= engineRunningAboveV (the alternator is charging)
 *   washer       phase and remainingS from the board's own cycle logic (washer-cycle.ts: scheduled,
 *                heat above heatingAboveW, wash above runningAboveW, idle) · waterTempC 20 ·
 *                waterLevelL 0 · drumRpm 0
 * Which of these the board really measures is what it announces (announce.ts).
 * Pure; the result is checked against the contract by the caller.
 */
import type { DeviceKind, WasherPhase } from '../../contracts/index.js';
import type { BoardConfig } from './board-file.js';

export type Measured = Record<string, number | boolean | string>;

/** What the board knows besides its sensors: what commands changed, what its own logic derived. */
export interface Known {
  setpointC: number | null;
  batterySaver: boolean;
  /** from voltage and current together (engine-state.ts) */
  engineRunning?: boolean;
  /** from the measured power and the board's own plan (washer-cycle.ts) */
  washer?: { phase: WasherPhase; remainingS: number };
}

const DEFAULTS: Readonly<Record<DeviceKind, Measured>> = {
  fridge: { ambientTempC: 21, setpointC: 4, compressorOn: false },
  'car-battery': { currentA: 0, loadA: 0, temperatureC: 15, speedKmh: 0 },
  washer: { waterTempC: 20, waterLevelL: 0, drumRpm: 0, remainingS: 0 },
};

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

export function composeReadings(config: Pick<BoardConfig, 'kind' | 'settings'>, measured: Measured, known: Known): Record<string, unknown> {
  const s = config.settings;
  const r: Record<string, unknown> = { ...DEFAULTS[config.kind], ...measured };
  for (const [k, v] of Object.entries(r)) if (typeof v === 'number') r[k] = round(v, 3);
  switch (config.kind) {
    case 'fridge':
      if (known.setpointC !== null) r.setpointC = known.setpointC;
      if (!('powerW' in measured)) r.powerW = r.compressorOn === true ? s.compressorW : 0;
      break;
    case 'car-battery':
      if (!('engineRunning' in measured)) {
        r.engineRunning = known.engineRunning ?? (typeof r.voltageV === 'number' && r.voltageV >= s.engineRunningAboveV);
      }
      if (!('batterySaver' in measured)) r.batterySaver = known.batterySaver;
      break;
    case 'washer': {
      const w = typeof r.powerW === 'number' ? r.powerW : 0;
      if (!('phase' in measured)) r.phase = known.washer?.phase ?? (w >= s.heatingAboveW ? 'heat' : w >= s.runningAboveW ? 'wash' : 'idle');
      if (!('remainingS' in measured) && known.washer) r.remainingS = known.washer.remainingS;
      break;
    }
  }
  return r;
}
