/**
 * The board file: which sensor on which pin gives which reading of a device kind, which relay a
 * helpdesk command drives, how often to sample and publish. YAML, validated with zod; every
 * problem is reported with its place in the file (line:column and path) and what was expected.
 */
import { z } from 'zod';
import { DeviceKind, Id, CarBatteryReadings, FridgeReadings, WasherReadings } from '../../contracts/index.js';
import { LAYOUTS, type BoardLayout } from '../firmata/layouts.js';
import { resolvePin, type PinUse } from './pins.js';

const num = (what: string) => z.number({ error: `expected a number (${what})` });
const AnalogPin = z.union([z.string(), z.number()], { error: 'expected a pin such as A0' });
const DigitalPin = z.union([z.string(), z.number()], { error: 'expected a pin such as 7 or D7' });
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
const CurrentSensor = z.strictObject({
  sensor: z.literal('current-sensor'),
  pin: AnalogPin,
  calibration: z.strictObject(
    { zeroV: num('pin volts at zero current'), voltsPerAmp: z.number().refine((x) => x !== 0, 'voltsPerAmp must not be 0') },
    { error: requiredCalibration('{ zeroV: <pin volts at 0 A>, voltsPerAmp: <sensor sensitivity> } from the sensor datasheet, checked with a known load') },
  ),
  /** for power readings (W): the mains voltage the current flows at */
  mainsV: z.number().positive().optional(),
  powerFactor: z.number().gt(0).max(1).default(1),
});
const Switch = (name: 'reed-switch' | 'digital-in', pullup: boolean) =>
  z.strictObject({
    sensor: z.literal(name),
    pin: DigitalPin,
    pullup: z.boolean().default(pullup),
    /** the pin level at which the reading is true (door open, compressor running) */
    activeWhen: z.enum(['high', 'low']).default('high'),
  });
const Fixed = z.strictObject({ sensor: z.literal('fixed'), value: z.union([z.number(), z.boolean(), z.string()]) });

const SENSOR_NAMES = ['tmp36', 'ds18b20', 'voltage-divider', 'current-sensor', 'reed-switch', 'digital-in', 'fixed'] as const;
export const SensorSpec = z.discriminatedUnion('sensor', [Tmp36, Ds18b20, VoltageDivider, CurrentSensor, Switch('reed-switch', true), Switch('digital-in', false), Fixed], {
  error: `expected sensor: one of ${SENSOR_NAMES.join(', ')}`,
});
export type SensorSpec = z.output<typeof SensorSpec>;

const Output = z.strictObject({ pin: DigitalPin, type: z.enum(['NO', 'NC']).default('NO') });
const CommandSpec = z.strictObject({
  output: z.string({ error: 'expected the name of an entry under outputs' }),
  /** close the relay for this long (presses a button); without it the relay latches */
  pulseMs: z.number().int().min(20).max(10_000).optional(),
});

export const BOARD_COMMANDS: Readonly<Record<DeviceKind, readonly string[]>> = {
  'car-battery': ['battery-saver'],
  fridge: [],
  washer: ['start', 'pause'],
};

const RawBoardFile = z.strictObject({
  kind: DeviceKind,
  customerId: Id,
  deviceId: Id,
  name: z.string().min(1).max(80).optional(),
  board: z.enum(['uno', 'nano', 'mega']).default('uno'),
  /** analog reference voltage (5 V on an Uno, 3.3 V boards differ) */
  aref: z.number().positive().max(5.5).default(5),
  sampling: z
    .strictObject({ everyMs: z.number().int().min(10).max(60_000).default(100), window: z.number().int().min(1).max(1000).default(10) })
    .default({ everyMs: 100, window: 10 }),
  publish: z.strictObject({ everyS: z.number().min(0.1).max(3600).default(5) }).default({ everyS: 5 }),
  readings: z.record(z.string(), SensorSpec),
  outputs: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'an output name is a lower-case slug'), Output).default({}),
  commands: z.record(z.string(), CommandSpec).default({}),
  settings: z
    .strictObject({
      compressorW: z.number().min(0).max(2000).default(64),
      engineRunningAboveV: z.number().min(12).max(15).default(13.2),
      runningAboveW: z.number().min(0).max(5000).default(5),
      heatingAboveW: z.number().min(0).max(10_000).default(1000),
    })
    .default({ compressorW: 64, engineRunningAboveV: 13.2, runningAboveW: 5, heatingAboveW: 1000 }),
});

export const READINGS = { 'car-battery': CarBatteryReadings, fridge: FridgeReadings, washer: WasherReadings } as const;

/** What a reading measures, from its schema and name: decides which sensors may give it. */
export type Quantity = 'temperature' | 'voltage' | 'current' | 'power' | 'state' | 'other';
export function quantityOf(kind: DeviceKind, key: string): Quantity {
  const schema = (READINGS[kind].shape as Record<string, z.ZodType>)[key];
  if (schema instanceof z.ZodBoolean) return 'state';
  if (key === 'setpointC') return 'other';
  if (/TempC$|^temperatureC$/.test(key)) return 'temperature';
  if (/V$/.test(key)) return 'voltage';
  if (/A$/.test(key)) return 'current';
  if (/W$/.test(key)) return 'power';
  return 'other';
}
const FITS: Record<Quantity, readonly SensorSpec['sensor'][]> = {
  temperature: ['tmp36', 'ds18b20', 'fixed'],
  voltage: ['voltage-divider', 'fixed'],
  current: ['current-sensor', 'fixed'],
  power: ['current-sensor', 'fixed'],
  state: ['reed-switch', 'digital-in', 'fixed'],
  other: ['fixed'],
};
/** Readings a board must measure (the rest have defaults or are derived; see compose.ts). */
export const REQUIRED_READINGS: Readonly<Record<DeviceKind, readonly string[]>> = {
  'car-battery': ['voltageV'],
  fridge: ['cabinetTempC', 'doorOpen'],
  washer: ['powerW'],
};

export interface ResolvedReading {
  key: string;
  spec: SensorSpec;
  /** Firmata pin number (digital sensors) */
  pin?: number;
  /** analog channel (A0 = 0) */
  channel?: number;
}
export interface BoardConfig extends Omit<z.output<typeof RawBoardFile>, 'readings' | 'outputs' | 'board'> {
  layout: BoardLayout;
  readings: ResolvedReading[];
  outputs: Record<string, { pin: number; type: 'NO' | 'NC' }>;
}

export const BoardFile = RawBoardFile.transform((raw, ctx): BoardConfig => {
  const layout = LAYOUTS[raw.board];
  const shape = READINGS[raw.kind].shape as Record<string, z.ZodType>;
  const used = new Map<number, { path: string; sensor: string }>();
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message, input: undefined });
  const takePin = (path: string[], value: string | number, use: PinUse, sensor: string): number | undefined => {
    const r = resolvePin(layout, value, use);
    if (!r.ok) {
      issue(path, `unknown pin '${value}': expected ${r.expected}`);
      return undefined;
    }
    const prev = used.get(r.pin);
    if (prev && !(sensor === 'ds18b20' && prev.sensor === 'ds18b20')) {
      issue(path, `pin ${r.name} is used twice (already by ${prev.path}): expected each pin to be wired to one thing (only DS18B20s may share a 1-Wire pin)`);
    } else if (!prev) used.set(r.pin, { path: path.slice(0, -1).join('.'), sensor });
    return r.pin;
  };

  const readings: ResolvedReading[] = [];
  for (const [key, spec] of Object.entries(raw.readings)) {
    const at = ['readings', key];
    if (!(key in shape)) {
      issue(at, `unknown reading '${key}' for a ${raw.kind}: expected one of ${Object.keys(shape).join(', ')}`);
      continue;
    }
    const q = quantityOf(raw.kind, key);
    if (!FITS[q].includes(spec.sensor)) {
      issue([...at, 'sensor'], `a ${spec.sensor} cannot give ${key}: expected one of ${FITS[q].join(', ')}`);
      continue;
    }
    if (spec.sensor === 'fixed') {
      const r = shape[key]!.safeParse(spec.value);
      if (!r.success) issue([...at, 'value'], `value ${JSON.stringify(spec.value)} is not a valid ${key}: ${r.error.issues[0]?.message}`);
      readings.push({ key, spec });
      continue;
    }
    if (spec.sensor === 'current-sensor' && q === 'power' && spec.mainsV === undefined) {
      issue([...at, 'mainsV'], `missing mainsV: a current sensor gives ${key} in watts only with the mains voltage (e.g. mainsV: 230)`);
    }
    if (spec.sensor === 'voltage-divider') {
      const ratio = spec.ratio ?? (spec.r1Ohm! + spec.r2Ohm!) / spec.r2Ohm!;
      if (raw.aref * ratio < spec.maxInputV) {
        issue([...at, spec.ratio !== undefined ? 'ratio' : 'r1Ohm'], `divider ratio ${ratio.toFixed(2)} lets ${(spec.maxInputV / ratio).toFixed(2)} V reach the pin at ${spec.maxInputV} V in: expected a ratio of at least ${(spec.maxInputV / raw.aref).toFixed(2)} so the pin stays below aref ${raw.aref} V`);
      }
    }
    const analog = spec.sensor === 'tmp36' || spec.sensor === 'voltage-divider' || spec.sensor === 'current-sensor';
    const pin = takePin([...at, 'pin'], spec.pin, analog ? 'analog' : 'digital', spec.sensor);
    if (pin === undefined) continue;
    readings.push(analog ? { key, spec, channel: layout.analog.indexOf(pin) } : { key, spec, pin });
  }
  for (const key of REQUIRED_READINGS[raw.kind]) {
    if (!(key in raw.readings)) issue(['readings', key], `missing reading ${key}: a ${raw.kind} board must measure it (expected one of ${FITS[quantityOf(raw.kind, key)].filter((s) => s !== 'fixed').join(', ')})`);
  }

  const outputs: BoardConfig['outputs'] = {};
  for (const [name, o] of Object.entries(raw.outputs)) {
    const pin = takePin(['outputs', name, 'pin'], o.pin, 'digital', 'relay');
    if (pin !== undefined) outputs[name] = { pin, type: o.type };
  }
  for (const [action, c] of Object.entries(raw.commands)) {
    const allowed = BOARD_COMMANDS[raw.kind];
    if (!allowed.includes(action)) {
      issue(['commands', action], `a ${raw.kind} board cannot wire command '${action}': expected ${allowed.length ? `one of ${allowed.join(', ')}` : 'no commands (its commands are handled in software)'}`);
    } else if (!(c.output in raw.outputs)) {
      issue(['commands', action, 'output'], `unknown output '${c.output}': expected one of the names under outputs (${Object.keys(raw.outputs).join(', ') || 'none defined'})`);
    }
  }
  const { board: _b, readings: _r, outputs: _o, ...rest } = raw;
  return { ...rest, layout, readings, outputs };
});
