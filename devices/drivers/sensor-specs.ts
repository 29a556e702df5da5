/**
 * The sensors a board file may name, as zod schemas: what each needs (pin, scale, calibration) and
 * which readings each can give. Pure; board-file.ts puts them together.
 */
import { z } from 'zod';
import { CURRENT_MODELS, CURRENT_PRESETS, type CurrentModel } from './current-sensors.js';

const num = (what: string) => z.number({ error: `expected a number (${what})` });
export const AnalogPin = z.union([z.string(), z.number()], { error: 'expected a pin such as A0' });
export const DigitalPin = z.union([z.string(), z.number()], { error: 'expected a pin such as 7 or D7' });
const requiredCalibration = (hint: string) => (iss: { input: unknown }) =>
  iss.input === undefined ? `missing calibration: ${hint}` : `expected calibration to be an object: ${hint}`;

const Tmp36 = z.strictObject({
  sensor: z.literal('tmp36'),
  pin: AnalogPin,
  /** added to the measured temperature (°C), from a comparison with a reference thermometer */
  calibration: z.strictObject({ offsetC: num('°C added to the reading').default(0) }).default({ offsetC: 0 }),
});
const Ds18b20 = z.strictObject({
  sensor: z.literal('ds18b20'),
  pin: DigitalPin,
  /** the sensor's 48-bit serial (johnny-five's address), when several share one bus */
  address: z.number().int().positive().optional(),
  calibration: z.strictObject({ offsetC: num('°C added to the reading').default(0) }).default({ offsetC: 0 }),
});
const VoltageDivider = z
  .strictObject({
    sensor: z.literal('voltage-divider'),
    pin: AnalogPin,
    /** (R1 + R2) / R2: the measured voltage is the pin voltage times this */
    ratio: z.number().min(1, 'a divider ratio is at least 1').optional(),
    r1Ohm: z.number().positive().optional(),
    r2Ohm: z.number().positive().optional(),
    /** the highest voltage the divider must survive (a charging 12 V battery reaches 14.8 V; default 16) */
    maxInputV: z.number().positive().default(16),
    calibration: z.strictObject(
      { offsetV: num('volts added after scaling'), gain: z.number().positive().default(1) },
      { error: requiredCalibration('{ offsetV: <volts>, gain: 1 } — measure the battery with a multimeter; offsetV is the difference (0 if they agree)') },
    ),
  })
  .refine((s) => s.ratio !== undefined || (s.r1Ohm !== undefined && s.r2Ohm !== undefined), {
    message: 'a voltage divider needs ratio, or both r1Ohm and r2Ohm',
    path: ['ratio'],
  });

/** a measured zero and slope; either may be left to the model's datasheet values */
const CurrentCalibration = z.strictObject({
  /** pin volts at 0 A, measured with no current flowing */
  zeroV: num('pin volts at 0 A').optional(),
  /** pin volts per ampere, measured with a known current */
  voltsPerAmp: z.number().refine((x) => x !== 0, 'voltsPerAmp must not be 0').optional(),
});
const CURRENT_HINT =
  `{ zeroV: <pin volts at 0 A>, voltsPerAmp: <sensitivity> } from the sensor's datasheet, checked with a known load; ` +
  `or name the part with model: (${CURRENT_MODELS.join(', ')})`;
/** A Hall-effect sensor (ACS712, ACS758, a Hall clamp) or any sensor with a linear voltage output per ampere. */
const CurrentSensor = z
  .strictObject({
    sensor: z.literal('current-sensor'),
    pin: AnalogPin,
    /** a known part: zero and sensitivity from its datasheet (calibration overrides them) */
    model: z.enum(CURRENT_MODELS as [CurrentModel, ...CurrentModel[]], { error: `expected model: one of ${CURRENT_MODELS.join(', ')}` }).optional(),
    /** the sensor's supply: a Hall sensor's zero and sensitivity scale with it (default 5 V) */
    supplyV: z.number().positive().max(5.5).default(5),
    /** wired the other way round: the sign of the current flips */
    reversed: z.boolean().default(false),
    calibration: CurrentCalibration.optional(),
    /** for power readings (W): the mains voltage the current flows at */
    mainsV: z.number().positive().optional(),
    powerFactor: z.number().gt(0).max(1).default(1),
  })
  .superRefine((s, ctx) => {
    if (s.model !== undefined || (s.calibration?.zeroV !== undefined && s.calibration.voltsPerAmp !== undefined)) return;
    ctx.addIssue({ code: 'custom', path: ['calibration'], input: s.calibration, message: `${s.calibration ? 'incomplete' : 'missing'} calibration: ${CURRENT_HINT}` });
  });
/** A shunt resistor in the current's path and an amplifier (INA240, INA181, an op-amp) to an analog pin. */
const Shunt = z
  .strictObject({
    sensor: z.literal('shunt'),
    pin: AnalogPin,
    /** the shunt's resistance, or its rating (a 100 A / 75 mV shunt is 0.75 mΩ) */
    shuntOhm: z.number().positive().optional(),
    ratedA: z.number().positive().optional(),
    ratedMv: z.number().positive().optional(),
    /** the amplifier's voltage gain (20 for an INA240A1) */
    gain: z.number({ error: 'missing gain: the amplifier gain (e.g. 20 for an INA240A1, 50 for an INA181A2)' }).positive(),
    /** the amplifier's output at 0 A: its REF voltage (2.5 for REF at half of 5 V, both directions; 0 for one direction) */
    referenceV: z.number({ error: "missing referenceV: the amplifier's output at 0 A (2.5 when REF sits at half of 5 V; 0 when it measures one direction)" }).min(0),
    reversed: z.boolean().default(false),
    calibration: CurrentCalibration.optional(),
  })
  .refine((s) => s.shuntOhm !== undefined || (s.ratedA !== undefined && s.ratedMv !== undefined), {
    message: 'a shunt needs shuntOhm, or both ratedA and ratedMv (as printed on it, e.g. 100 A 75 mV)',
    path: ['shuntOhm'],
  });
/** Any analog voltage, mapped linearly through two points (a potentiometer, a humidity or pressure sensor). */
const Analog = z
  .strictObject({
    sensor: z.literal('analog'),
    pin: AnalogPin,
    /** two pin voltages (default 0 V and aref) ... */
    volts: z.tuple([num('pin volts'), num('pin volts')]).optional(),
    /** ... and the values they stand for */
    values: z.tuple([num('a value'), num('a value')], { error: 'expected values: [<value at the first voltage>, <value at the second>]' }),
  })
  .refine((s) => !s.volts || s.volts[0] !== s.volts[1], { message: 'the two voltages must differ', path: ['volts'] });
const Switch = (name: 'reed-switch' | 'digital-in', pullup: boolean) =>
  z.strictObject({
    sensor: z.literal(name),
    pin: DigitalPin,
    pullup: z.boolean().default(pullup),
    /** the pin level at which the reading is true (door open, compressor running) */
    activeWhen: z.enum(['high', 'low']).default('high'),
  });
const Fixed = z.strictObject({ sensor: z.literal('fixed'), value: z.union([z.number(), z.boolean(), z.string()]) });

export const SENSOR_NAMES = ['tmp36', 'ds18b20', 'voltage-divider', 'current-sensor', 'shunt', 'analog', 'reed-switch', 'digital-in', 'fixed'] as const;
export const SensorSpec = z.discriminatedUnion(
  'sensor',
  [Tmp36, Ds18b20, VoltageDivider, CurrentSensor, Shunt, Analog, Switch('reed-switch', true), Switch('digital-in', false), Fixed],
  { error: `expected sensor: one of ${SENSOR_NAMES.join(', ')}` },
);
export type SensorSpec = z.output<typeof SensorSpec>;
export type SensorName = SensorSpec['sensor'];

/** Sensors read through an analog input (the rest use a digital pin, or none). */
export const isAnalogSensor = (s: SensorName): boolean => ['tmp36', 'voltage-divider', 'current-sensor', 'shunt', 'analog'].includes(s);

/** What a reading measures: decides which sensors may give it. */
export type Quantity = 'temperature' | 'voltage' | 'current' | 'power' | 'state' | 'other';
export const FITS: Record<Quantity, readonly SensorName[]> = {
  temperature: ['tmp36', 'ds18b20', 'fixed'],
  voltage: ['voltage-divider', 'analog', 'fixed'],
  current: ['current-sensor', 'shunt', 'fixed'],
  power: ['current-sensor', 'fixed'],
  state: ['reed-switch', 'digital-in', 'fixed'],
  other: ['analog', 'fixed'],
};

/** The quantity an extra reading's sensor gives (a current sensor with mainsV gives watts). */
export function extraQuantity(spec: SensorSpec): Quantity {
  switch (spec.sensor) {
    case 'tmp36':
    case 'ds18b20':
      return 'temperature';
    case 'voltage-divider':
      return 'voltage';
    case 'current-sensor':
      return spec.mainsV === undefined ? 'current' : 'power';
    case 'shunt':
      return 'current';
    case 'reed-switch':
    case 'digital-in':
      return 'state';
    default:
      return 'other';
  }
}

/** The parts a model name stands for, for messages and docs. */
export const currentModelTitle = (model: string): string => CURRENT_PRESETS[model as keyof typeof CURRENT_PRESETS]?.title ?? model;
