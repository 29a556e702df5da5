/**
 * Turns what a board measures into a full readings object of its kind. Readings the board file
 * maps come from their sensors (or a fixed value); the others are defaults or derived:
 *
 *   fridge       ambientTempC 21 · setpointC 4 (set-setpoint changes it) · compressorOn false ·
 *                powerW = compressorW while the compressor runs, else 0
 *   car-battery  currentA 0 · loadA 0 · temperatureC 15 · speedKmh 0 · batterySaver (command state) ·
 *                engineRunning = voltageV ≥ engineRunningAboveV (the alternator is charging)
 *   washer       phase = heat above heatingAboveW, wash above runningAboveW, else idle ·
 *                waterTempC 20 · waterLevelL 0 · drumRpm 0 · remainingS 0
 * Pure; the result is checked against the contract by the caller.
 */
import type { DeviceKind } from '../../contracts/index.js';
import type { BoardConfig } from './board-file.js';

export type Measured = Record<string, number | boolean | string>;

/** What commands changed on the device (kept by the driver). */
export interface CommandState {
  setpointC: number | null;
  batterySaver: boolean;
}

const DEFAULTS: Readonly<Record<DeviceKind, Measured>> = {
  fridge: { ambientTempC: 21, setpointC: 4, compressorOn: false },
  'car-battery': { currentA: 0, loadA: 0, temperatureC: 15, speedKmh: 0 },
  washer: { waterTempC: 20, waterLevelL: 0, drumRpm: 0, remainingS: 0 },
};

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

export function composeReadings(config: Pick<BoardConfig, 'kind' | 'settings'>, measured: Measured, commands: CommandState): Record<string, unknown> {
  const s = config.settings;
  const r: Record<string, unknown> = { ...DEFAULTS[config.kind], ...measured };
  for (const [k, v] of Object.entries(r)) if (typeof v === 'number') r[k] = round(v, 3);
  switch (config.kind) {
    case 'fridge':
      if (commands.setpointC !== null) r.setpointC = commands.setpointC;
      if (!('powerW' in measured)) r.powerW = r.compressorOn === true ? s.compressorW : 0;
      break;
    case 'car-battery':
      if (!('engineRunning' in measured)) r.engineRunning = typeof r.voltageV === 'number' && r.voltageV >= s.engineRunningAboveV;
      if (!('batterySaver' in measured)) r.batterySaver = commands.batterySaver;
      break;
    case 'washer':
      if (!('phase' in measured)) {
        const w = typeof r.powerW === 'number' ? r.powerW : 0;
        r.phase = w >= s.heatingAboveW ? 'heat' : w >= s.runningAboveW ? 'wash' : 'idle';
      }
      break;
  }
  return r;
}
