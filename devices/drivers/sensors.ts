/**
 * Sensor physics, both ways: raw ADC value -> quantity (what the board driver publishes) and
 * quantity -> raw ADC value (what the software board's physics rig puts on a pin). Pure.
 */
import { ampsOf, hallScale, pinVoltsOf, shuntScale, type CurrentScale } from './current-sensors.js';
import type { Quantity, SensorSpec } from './sensor-specs.js';

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

/** A current sensor's or shunt's zero and slope, from its model or shunt and its calibration. */
export function currentScale(spec: Extract<SensorSpec, { sensor: 'current-sensor' | 'shunt' }>): CurrentScale {
  if (spec.sensor === 'current-sensor') {
    return hallScale({ model: spec.model, supplyV: spec.supplyV, reversed: spec.reversed, calibration: spec.calibration });
  }
  const shuntOhm = spec.shuntOhm ?? spec.ratedMv! / 1000 / spec.ratedA!;
  return shuntScale({ shuntOhm, gain: spec.gain, zeroV: spec.referenceV, reversed: spec.reversed, calibration: spec.calibration });
}

/** An 'analog' sensor's two points: pin volts -> value. */
function line(spec: Extract<SensorSpec, { sensor: 'analog' }>, adc: Adc) {
  const [v0, v1] = spec.volts ?? [0, adc.aref];
  const [x0, x1] = spec.values;
  return { v0, v1, x0, x1 };
}

/** A raw ADC value -> the quantity the reading reports (°C, V, A, W or the analog sensor's unit). */
export function analogValue(spec: SensorSpec, quantity: Quantity, raw: number, adc: Adc): number {
  switch (spec.sensor) {
    case 'tmp36':
      return tmp36Celsius(raw, adc, spec.calibration.offsetC);
    case 'voltage-divider':
      return volts(raw, adc) * dividerRatio(spec) * spec.calibration.gain + spec.calibration.offsetV;
    case 'current-sensor': {
      const amps = ampsOf(volts(raw, adc), currentScale(spec));
      return quantity === 'power' ? Math.abs(amps) * (spec.mainsV ?? 0) * spec.powerFactor : amps;
    }
    case 'shunt':
      return ampsOf(volts(raw, adc), currentScale(spec));
    case 'analog': {
      const l = line(spec, adc);
      return l.x0 + ((volts(raw, adc) - l.v0) * (l.x1 - l.x0)) / (l.v1 - l.v0);
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
      return rawOf(pinVoltsOf(amps, currentScale(spec)), adc);
    }
    case 'shunt':
      return rawOf(pinVoltsOf(value, currentScale(spec)), adc);
    case 'analog': {
      const l = line(spec, adc);
      return rawOf(l.v0 + ((value - l.x0) * (l.v1 - l.v0)) / (l.x1 - l.x0), adc);
    }
    default:
      throw new Error(`${spec.sensor} is not an analog sensor`);
  }
}
