/**
 * The board file: which sensor on which pin gives which reading of a device kind, which extra
 * sensors it also reports, which relay a helpdesk command drives, how a washer makes its flex offer,
 * how often to sample and publish. YAML, validated with zod; every problem is reported with its place
 * in the file (line:column and path) and what was expected. The sensors are in sensor-specs.ts.
 */
import { z } from 'zod';
import { DeviceKind, Id, CarBatteryReadings, FridgeReadings, WasherReadings, MAX_EXTRA_READINGS, MAX_OFFER_SLOTS, PowerSlot, ReadingName } from '../../contracts/index.js';
import { LAYOUTS, type BoardLayout } from '../firmata/layouts.js';
import { PROGRAMMES, powerSequence } from '../kinds/washer-programmes.js';
import { TimeZone } from '../../contracts/time-zone.js';
import { parseTimeOfDay } from '../../contracts/local-time.js';
import { resolvePin, type PinUse } from './pins.js';
import { AnalogPin, DigitalPin, extraQuantity, FITS, isAnalogSensor, SensorSpec, type Quantity } from './sensor-specs.js';

export { SensorSpec, type Quantity } from './sensor-specs.js';

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

/** A washer's flex offer: what it runs, by when it must be done, the button that arms it. */
const FlexOfferSpec = z.strictObject({
  /** the programme's name; its power sequence is the bundled one of that name, or `slots` */
  programme: z.string().min(1).max(40),
  /** the machine's own profile (measured): one slot per phase, its length and mean power */
  slots: z.array(z.strictObject(PowerSlot.shape)).min(1).max(MAX_OFFER_SLOTS).optional(),
  /** local time of day the laundry must be done by ("07:00"): the next one the programme can still meet */
  doneBy: z.string().optional(),
  /** the zone doneBy is read in: an IANA name or a fixed offset '+01:00' (default the computer's) */
  timeZone: TimeZone.optional(),
  /** a potentiometer: done within 0..maxHours hours of arming, in steps of stepHours (instead of doneBy) */
  delayInput: z
    .strictObject({ pin: AnalogPin, maxHours: z.number().int().min(1).max(48).default(24), stepHours: z.number().positive().max(24).default(1) })
    .optional(),
  /** the button the user presses after loading the machine */
  armInput: z.strictObject({ pin: DigitalPin, pullup: z.boolean().default(true), activeWhen: z.enum(['high', 'low']).default('low') }, {
    error: (iss) => (iss.input === undefined ? 'missing armInput: the button that arms the offer, e.g. { pin: 8 } (a push button from D8 to GND)' : 'expected armInput: { pin, pullup?, activeWhen? }'),
  }),
  /** a press the power confirms within this long is when the cycle started; no rise by then is a warning */
  startConfirmS: z.number().int().min(10).max(3600).default(600),
});

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
    .prefault({}),
  publish: z.strictObject({ everyS: z.number().min(0.1).max(3600).default(5) }).prefault({}),
  readings: z.record(z.string(), SensorSpec),
  /** more sensors, reported in telemetry `extra` by name (the general detector watches them) */
  extra: z.record(z.string(), SensorSpec).default({}),
  outputs: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'an output name is a lower-case slug'), Output).default({}),
  commands: z.record(z.string(), CommandSpec).default({}),
  flexOffer: FlexOfferSpec.optional(),
  settings: z
    .strictObject({
      compressorW: z.number().min(0).max(2000).default(64),
      /** car: at or above this the alternator is charging, so the engine runs */
      engineRunningAboveV: z.number().min(12).max(15).default(13.2),
      /** car (with a current sensor): a charging current this large means the engine runs */
      chargingAboveA: z.number().min(0.1).max(100).default(1),
      /** car: a discharge this large, held engineAfterS, means the engine runs on a battery the alternator does not keep up with */
      engineStartsAboveA: z.number().min(1).max(200).default(10),
      /** car: a running engine is taken as stopped once the discharge stays below this for engineAfterS */
      engineStopsBelowA: z.number().min(0.1).max(100).default(3),
      /** car: a discharge this large is the starter cranking */
      crankingAboveA: z.number().min(20).max(1000).default(60),
      engineAfterS: z.number().min(1).max(600).default(30),
      runningAboveW: z.number().min(0).max(5000).default(5),
      heatingAboveW: z.number().min(0).max(10_000).default(1000),
      /** washer: power above runningAboveW this long starts a cycle, below it this long ends it */
      cycleStartAfterS: z.number().min(1).max(600).default(10),
      cycleEndAfterS: z.number().min(10).max(3600).default(300),
    })
    .prefault({}),
});

export const READINGS = { 'car-battery': CarBatteryReadings, fridge: FridgeReadings, washer: WasherReadings } as const;

/** What a reading measures, from its schema and name: decides which sensors may give it. */
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
/** Readings a board must measure (the rest have defaults or are derived; see compose.ts). */
export const REQUIRED_READINGS: Readonly<Record<DeviceKind, readonly string[]>> = {
  'car-battery': ['voltageV'],
  fridge: ['cabinetTempC', 'doorOpen'],
  washer: ['powerW'],
};

export interface ResolvedReading {
  key: string;
  spec: SensorSpec;
  /** what the value is (decides the conversion: a current sensor gives amps or watts) */
  quantity: Quantity;
  /** Firmata pin number (digital sensors) */
  pin?: number;
  /** analog channel (A0 = 0) */
  channel?: number;
}
export interface FlexOfferConfig {
  programme: string;
  slots: PowerSlot[];
  durationS: number;
  /** minutes after local midnight, or null when the knob decides */
  doneByMinute: number | null;
  /** null: the computer's zone */
  timeZone: string | null;
  delay: { channel: number; maxHours: number; stepHours: number } | null;
  arm: { pin: number; pullup: boolean; activeWhen: 'high' | 'low' };
  startConfirmS: number;
}
type Raw = z.output<typeof RawBoardFile>;
export interface BoardConfig extends Omit<Raw, 'readings' | 'extra' | 'outputs' | 'board' | 'flexOffer'> {
  layout: BoardLayout;
  readings: ResolvedReading[];
  /** extra sensors, reported in telemetry `extra` */
  extra: ResolvedReading[];
  outputs: Record<string, { pin: number; type: 'NO' | 'NC' }>;
  flexOffer: FlexOfferConfig | null;
}

type Issue = (path: (string | number)[], message: string) => void;

export const BoardFile = RawBoardFile.transform((raw, ctx): BoardConfig => {
  const layout = LAYOUTS[raw.board];
  const shape = READINGS[raw.kind].shape as Record<string, z.ZodType>;
  const used = new Map<number, { path: string; sensor: string }>();
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message, input: undefined });
  const takePin = (path: (string | number)[], value: string | number, use: PinUse, sensor: string): number | undefined => {
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
  const wire = (at: string[], key: string, spec: SensorSpec, quantity: Quantity): ResolvedReading | undefined => {
    if (spec.sensor === 'voltage-divider') {
      const ratio = spec.ratio ?? (spec.r1Ohm! + spec.r2Ohm!) / spec.r2Ohm!;
      if (raw.aref * ratio < spec.maxInputV) {
        issue([...at, spec.ratio !== undefined ? 'ratio' : 'r1Ohm'], `divider ratio ${ratio.toFixed(2)} lets ${(spec.maxInputV / ratio).toFixed(2)} V reach the pin at ${spec.maxInputV} V in: expected a ratio of at least ${(spec.maxInputV / raw.aref).toFixed(2)} so the pin stays below aref ${raw.aref} V`);
      }
    }
    if (spec.sensor === 'fixed') return { key, spec, quantity };
    const analog = isAnalogSensor(spec.sensor);
    const pin = takePin([...at, 'pin'], spec.pin, analog ? 'analog' : 'digital', spec.sensor);
    if (pin === undefined) return undefined;
    return analog ? { key, spec, quantity, channel: layout.analog.indexOf(pin) } : { key, spec, quantity, pin };
  };

  const readings: ResolvedReading[] = [];
  for (const [key, spec] of Object.entries(raw.readings)) {
    const at = ['readings', key];
    if (!(key in shape)) {
      issue(at, `unknown reading '${key}' for a ${raw.kind}: expected one of ${Object.keys(shape).join(', ')} (more sensors go under extra)`);
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
    }
    if (spec.sensor === 'current-sensor' && q === 'power' && spec.mainsV === undefined) {
      issue([...at, 'mainsV'], `missing mainsV: a current sensor gives ${key} in watts only with the mains voltage (e.g. mainsV: 230)`);
    }
    const r = wire(at, key, spec, q);
    if (r) readings.push(r);
  }
  for (const key of REQUIRED_READINGS[raw.kind]) {
    if (!(key in raw.readings)) issue(['readings', key], `missing reading ${key}: a ${raw.kind} board must measure it (expected one of ${FITS[quantityOf(raw.kind, key)].filter((s) => s !== 'fixed').join(', ')})`);
  }

  const extra: ResolvedReading[] = [];
  const extraNames = Object.keys(raw.extra);
  if (extraNames.length > MAX_EXTRA_READINGS) issue(['extra'], `${extraNames.length} extra readings: expected at most ${MAX_EXTRA_READINGS}`);
  for (const [key, spec] of Object.entries(raw.extra)) {
    const at = ['extra', key];
    const name = ReadingName.safeParse(key);
    if (!name.success) issue(at, `extra reading '${key}': expected ${name.error.issues[0]?.message}`);
    else if (key in shape) issue(at, `extra reading '${key}' is a ${raw.kind} reading: map it under readings`);
    else if (spec.sensor === 'fixed') issue([...at, 'sensor'], 'an extra reading must be measured: expected a sensor on a pin, not fixed');
    else {
      const r = wire(at, key, spec, extraQuantity(spec));
      if (r) extra.push(r);
    }
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
  const flexOffer = raw.flexOffer ? resolveFlexOffer(raw, issue, takePin, layout) : null;
  const { board: _b, readings: _r, extra: _e, outputs: _o, flexOffer: _f, ...rest } = raw;
  return { ...rest, layout, readings, extra, outputs, flexOffer };
});

function resolveFlexOffer(raw: Raw, issue: Issue, takePin: (path: (string | number)[], value: string | number, use: PinUse, sensor: string) => number | undefined, layout: BoardLayout): FlexOfferConfig | null {
  const f = raw.flexOffer!;
  const at = ['flexOffer'];
  if (raw.kind !== 'washer') {
    issue(at, `a ${raw.kind} board makes no flex offer: expected flexOffer only on a washer board`);
    return null;
  }
  let ok = true;
  const fail = (path: (string | number)[], message: string) => {
    issue(path, message);
    ok = false;
  };
  const bundled = PROGRAMMES[f.programme];
  if (!f.slots && !bundled) fail([...at, 'programme'], `unknown programme '${f.programme}': expected one of ${Object.keys(PROGRAMMES).join(', ')}, or give the machine's own slots`);
  if ((f.doneBy === undefined) === (f.delayInput === undefined)) {
    fail([...at, f.doneBy === undefined ? 'doneBy' : 'delayInput'], 'expected one of doneBy (a local time such as "07:00") or delayInput (a potentiometer), not both and not neither');
  }
  const doneByMinute = f.doneBy === undefined ? null : parseTimeOfDay(f.doneBy);
  if (f.doneBy !== undefined && doneByMinute === null) fail([...at, 'doneBy'], `doneBy '${f.doneBy}': expected a local time of day such as "07:00"`);
  if (!raw.commands.start) fail(['commands', 'start'], 'missing commands.start: a washer with a flex offer presses start at the planned time, so wire start to a relay output (e.g. { output: start-button, pulseMs: 500 })');
  const armPin = takePin([...at, 'armInput', 'pin'], f.armInput.pin, 'digital', 'arm button');
  const delayPin = f.delayInput ? takePin([...at, 'delayInput', 'pin'], f.delayInput.pin, 'analog', 'delay knob') : undefined;
  if (!ok || armPin === undefined || (f.delayInput && delayPin === undefined)) return null;
  const slots = f.slots ?? powerSequence(bundled!);
  return {
    programme: f.programme,
    slots,
    durationS: slots.reduce((s, x) => s + x.durationS, 0),
    doneByMinute,
    timeZone: f.timeZone ?? null,
    delay: f.delayInput ? { channel: layout.analog.indexOf(delayPin!), maxHours: f.delayInput.maxHours, stepHours: f.delayInput.stepHours } : null,
    arm: { pin: armPin, pullup: f.armInput.pullup, activeWhen: f.armInput.activeWhen },
    startConfirmS: f.startConfirmS,
  };
}
