/**
 * Sensor physics, both ways: raw ADC value -> quantity (what the board driver publishes) and
 * quantity -> raw ADC value (what the software board's physics rig puts on a pin). Pure.
 */
import type { Quantity, SensorSpec } from './board-file.js';

export interface Adc {
  /** analog reference voltage */
  aref: number;
  /** highest ADC value (1023 for 10 bits) */
  max: number;
}

export const dividerRatio = (s: Extract<SensorSpec, { sensor: 'voltage-divider' }>): number => s.ratio ?? (s.r1Ohm! + s.r2Ohm!) / s.r2Ohm!;

const volts = (raw: number, adc: Adc) => (raw / adc.max) * adc.aref;
const rawOf = (v: number, adc: Adc) => Math.round((v / adc.aref) * adc.max);

/** TMP36: 10 mV/°C with a 500 mV offset (750 mV at 25 °C). */
export const tmp36Celsius = (raw: number, adc: Adc, offsetC = 0): number => (volts(raw, adc) * 1000) / 10 - 50 + offsetC;

/** A raw ADC value -> the quantity the reading reports (°C, V, A or W). */
export function analogValue(spec: SensorSpec, quantity: Quantity, raw: number, adc: Adc): number {
  switch (spec.sensor) {
    case 'tmp36':
      return tmp36Celsius(raw, adc, spec.calibration.offsetC);
    case 'voltage-divider':
      return volts(raw, adc) * dividerRatio(spec) * spec.calibration.gain + spec.calibration.offsetV;
    case 'current-sensor': {
      const amps = (volts(raw, adc) - spec.calibration.zeroV) / spec.calibration.voltsPerAmp;
      return quantity === 'power' ? Math.abs(amps) * (spec.mainsV ?? 0) * spec.powerFactor : amps;
    }
    default:
      throw new Error(`${spec.sensor} is not an analog sensor`);
  }
}

/** The inverse: the raw ADC value a sensor puts out for a quantity (not clamped to the ADC range). */
export function analogRaw(spec: SensorSpec, quantity: Quantity, value: number, adc: Adc): number {
  switch (spec.sensor) {
    case 'tmp36':
      return rawOf(((value - spec.calibration.offsetC + 50) * 10) / 1000, adc);
    case 'voltage-divider':
      return rawOf((value - spec.calibration.offsetV) / spec.calibration.gain / dividerRatio(spec), adc);
    case 'current-sensor': {
      const amps = quantity === 'power' ? value / ((spec.mainsV ?? 1) * spec.powerFactor) : value;
      return rawOf(spec.calibration.zeroV + amps * spec.calibration.voltsPerAmp, adc);
    }
    default:
      throw new Error(`${spec.sensor} is not an analog sensor`);
  }
}
