/**
 * Current sensors on an analog pin, as (zero, slope) pairs: the pin voltage at 0 A and the volts per
 * ampere. Hall-effect sensors (Allegro ACS712, ACS758) are ratiometric: at a 5 V supply a bidirectional
 * part rests at 2.5 V and a unidirectional one at 0.6 V, and both zero and sensitivity scale with the
 * supply. A shunt with an amplifier gives shunt resistance × gain volts per ampere around the
 * amplifier's reference. A board file's calibration (measured zero, measured slope) overrides both.
 * Pure; sensitivities are the datasheets' typical values at VCC = 5 V.
 */

export interface CurrentPreset {
  /** what the part is, for docs and messages */
  title: string;
  /** typical sensitivity at a 5 V supply (V/A) */
  voltsPerAmp: number;
  /** the output at 0 A as a fraction of the supply (0.5 bidirectional, 0.12 unidirectional) */
  zeroOfSupply: number;
  /** the range the part measures linearly (A, both directions for a bidirectional part) */
  rangeA: number;
  bidirectional: boolean;
}

export const CURRENT_PRESETS = {
  'acs712-05b': { title: 'ACS712ELCTR-05B (±5 A)', voltsPerAmp: 0.185, zeroOfSupply: 0.5, rangeA: 5, bidirectional: true },
  'acs712-20a': { title: 'ACS712ELCTR-20A (±20 A)', voltsPerAmp: 0.1, zeroOfSupply: 0.5, rangeA: 20, bidirectional: true },
  'acs712-30a': { title: 'ACS712ELCTR-30A (±30 A)', voltsPerAmp: 0.066, zeroOfSupply: 0.5, rangeA: 30, bidirectional: true },
  'acs758-050b': { title: 'ACS758LCB-050B (±50 A)', voltsPerAmp: 0.04, zeroOfSupply: 0.5, rangeA: 50, bidirectional: true },
  'acs758-100b': { title: 'ACS758LCB-100B (±100 A)', voltsPerAmp: 0.02, zeroOfSupply: 0.5, rangeA: 100, bidirectional: true },
  'acs758-150b': { title: 'ACS758KCB-150B (±150 A)', voltsPerAmp: 0.0133, zeroOfSupply: 0.5, rangeA: 150, bidirectional: true },
  'acs758-200b': { title: 'ACS758ECB-200B (±200 A)', voltsPerAmp: 0.01, zeroOfSupply: 0.5, rangeA: 200, bidirectional: true },
  'acs758-050u': { title: 'ACS758LCB-050U (0–50 A)', voltsPerAmp: 0.06, zeroOfSupply: 0.12, rangeA: 50, bidirectional: false },
  'acs758-100u': { title: 'ACS758LCB-100U (0–100 A)', voltsPerAmp: 0.04, zeroOfSupply: 0.12, rangeA: 100, bidirectional: false },
  'acs758-150u': { title: 'ACS758KCB-150U (0–150 A)', voltsPerAmp: 0.0267, zeroOfSupply: 0.12, rangeA: 150, bidirectional: false },
  'acs758-200u': { title: 'ACS758ECB-200U (0–200 A)', voltsPerAmp: 0.02, zeroOfSupply: 0.12, rangeA: 200, bidirectional: false },
} as const satisfies Record<string, CurrentPreset>;
export type CurrentModel = keyof typeof CURRENT_PRESETS;
export const CURRENT_MODELS = Object.keys(CURRENT_PRESETS) as CurrentModel[];

export interface CurrentScale {
  /** pin volts at 0 A */
  zeroV: number;
  /** pin volts per ampere (negative when the sensor is wired the other way round) */
  voltsPerAmp: number;
}

/** A Hall-effect sensor's scale: the preset at the sensor's supply, then the measured calibration. */
export function hallScale(o: { model?: CurrentModel; supplyV: number; reversed: boolean; calibration?: { zeroV?: number; voltsPerAmp?: number } }): CurrentScale {
  const p: CurrentPreset | undefined = o.model ? CURRENT_PRESETS[o.model] : undefined;
  const zeroV = o.calibration?.zeroV ?? (p ? p.zeroOfSupply * o.supplyV : NaN);
  const voltsPerAmp = o.calibration?.voltsPerAmp ?? (p ? (p.voltsPerAmp * o.supplyV) / 5 : NaN);
  return { zeroV, voltsPerAmp: o.reversed ? -voltsPerAmp : voltsPerAmp };
}

/** A shunt and amplifier: shuntOhm × gain volts per ampere around the amplifier's reference. */
export function shuntScale(o: { shuntOhm: number; gain: number; zeroV: number; reversed: boolean; calibration?: { zeroV?: number; voltsPerAmp?: number } }): CurrentScale {
  const zeroV = o.calibration?.zeroV ?? o.zeroV;
  const voltsPerAmp = o.calibration?.voltsPerAmp ?? o.shuntOhm * o.gain;
  return { zeroV, voltsPerAmp: o.reversed ? -voltsPerAmp : voltsPerAmp };
}

/** Pin volts -> amperes, and back. */
export const ampsOf = (pinV: number, s: CurrentScale): number => (pinV - s.zeroV) / s.voltsPerAmp;
export const pinVoltsOf = (amps: number, s: CurrentScale): number => s.zeroV + amps * s.voltsPerAmp;
