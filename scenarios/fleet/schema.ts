/**
 * The `fleet:` block of a scenario (docs/fleets.md): how many homes, where they are, what each has,
 * drawn from distributions, and how often a fault strikes. The keys a device template's params may have
 * are its kind's own params (devices/kinds/), so a param the kind does not have is an unknown key with a
 * "did you mean"; `faults` there are replaced by fault rates.
 */
import { z } from 'zod';
import { Channel, DEVICE_KINDS, Id, Location, type DeviceKind } from '../../contracts/index.js';
import { TimeZone } from '../../contracts/time-zone.js';
import { KINDS } from '../../devices/kinds/index.js';
import { IsoTime } from '../iso-time.js';
import { NumberDraw, ParamDraw, TimeDraw } from './distributions.js';

type Schema = z.core.$ZodType;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly']);
function unwrap(s: Schema): Schema {
  let x = s;
  while (WRAPPERS.has(x._zod.def.type)) x = (x._zod.def as unknown as { innerType: Schema }).innerType;
  return x;
}
/** the keys of a kind's params and their schemas */
export function kindShape(kind: DeviceKind): Record<string, Schema> {
  return (unwrap(KINDS[kind].params)._zod.def as unknown as { shape: Record<string, Schema> }).shape;
}
/** the kind's faults, one object schema per fault kind */
function faultOptions(kind: DeviceKind): Array<{ tag: string; keys: string[] }> {
  const faults = kindShape(kind).faults;
  if (!faults) return [];
  const union = unwrap((unwrap(faults)._zod.def as unknown as { element: Schema }).element);
  const options = (union._zod.def as unknown as { options: Schema[] }).options;
  return options.map((o) => {
    const shape = (o._zod.def as unknown as { shape: Record<string, Schema> }).shape;
    const tag = [...(shape.kind!._zod.values ?? [])][0] as string;
    return { tag, keys: Object.keys(shape).filter((k) => k !== 'kind' && k !== 'at') };
  });
}

const Probability = z.number().min(0).max(1);
/** a stretch of time; without it, the whole scenario */
export const Window = z
  .object({ from: IsoTime, to: IsoTime })
  .refine((w) => Date.parse(w.to) >= Date.parse(w.from), { message: 'to must not come before from', path: ['to'] });

/** `{ kind, rate, window }` and the fault's own params (written or drawn): a share of the devices get it, at a random time in the window */
function faultRate(kind: DeviceKind) {
  const options = faultOptions(kind).map(({ tag, keys }) =>
    z.object({
      kind: z.literal(tag),
      rate: Probability,
      window: Window.optional(),
      ...Object.fromEntries(keys.map((k) => [k, ParamDraw.optional()])),
    }),
  );
  // typed by hand: the keys come from the kind at run time
  return (options.length ? z.discriminatedUnion('kind', options as unknown as [z.ZodObject, ...z.ZodObject[]]) : z.never()) as unknown as z.ZodType<FaultRate>;
}
/** a fault rate as expanded: the fault's own params are drawn like model params */
export interface FaultRate {
  kind: string;
  rate: number;
  window?: { from: string; to: string };
  [param: string]: unknown;
}

/** a car trip: it starts at a drawn time and lasts a drawn number of minutes */
const TripTemplate = z.object({
  start: TimeDraw,
  durationMin: NumberDraw,
  speedKmh: NumberDraw.optional(),
  /** the share of homes whose car makes this trip */
  probability: Probability.default(1),
});
/** a washer load: loaded at a drawn time, with a deadline a drawn number of hours later */
const LoadTemplate = z.object({
  at: TimeDraw,
  programme: ParamDraw.optional(),
  deadlineAfterH: NumberDraw,
  probability: Probability.default(1),
});
export type TripTemplate = z.output<typeof TripTemplate>;
export type LoadTemplate = z.output<typeof LoadTemplate>;

function templateParams(kind: DeviceKind) {
  const shape: Record<string, z.ZodType> = {};
  for (const k of Object.keys(kindShape(kind))) {
    if (k === 'faults') continue;
    if (kind === 'car-battery' && k === 'trips') shape[k] = z.array(TripTemplate).optional();
    else if (kind === 'washer' && k === 'loads') shape[k] = z.array(LoadTemplate).optional();
    else shape[k] = ParamDraw.optional();
  }
  return z.object(shape);
}

const ModelName = z.string().min(1).max(80);
/** a model written as it is, or `{ choice: [...], weights: [...] }` */
export const ModelDraw = z.union([
  ModelName,
  z
    .object({ choice: z.array(ModelName).min(1), weights: z.array(z.number().min(0)).optional() })
    .refine((d) => d.weights === undefined || (d.weights.length === d.choice.length && d.weights.some((w) => w > 0)), { message: 'one weight for each choice, at least one above 0', path: ['weights'] }),
]);

function templateOf<K extends DeviceKind>(kind: K) {
  return z.object({
    /** the device's id in each home: home-0001-<id> */
    id: Id,
    kind: z.literal(kind),
    /** its name, after the home's: "Home 0001 car" without it */
    name: z.string().min(1).optional(),
    /** its model or product line ('VARTA-60'), or a weighted choice of them: many tickets on one model become one problem */
    model: ModelDraw.optional(),
    /** how many of it each home has that has it (ids <id>-1, <id>-2, … when more than one) */
    count: z.number().int().min(1).max(20).default(1),
    /** the share of homes that have it */
    probability: Probability.default(1),
    params: templateParams(kind).prefault({}),
    faults: z.array(faultRate(kind)).default([]),
  });
}
export const DeviceTemplate = z.discriminatedUnion('kind', DEVICE_KINDS.map((k) => templateOf(k)) as unknown as [ReturnType<typeof templateOf<'car-battery'>>, ReturnType<typeof templateOf<'fridge'>>, ReturnType<typeof templateOf<'washer'>>]);

/** a customer's preferences, with the share of homes that have them */
export const PreferenceMix = z.object({
  weight: z.number().min(0).default(1),
  channels: z.array(Channel).min(1),
  quietHours: z.object({ from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day 'HH:MM'"), to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day 'HH:MM'") }).optional(),
  timeZone: TimeZone.optional(),
});

/** a disc (centre, radius) or a box (south, west, north, east) the homes are spread over, uniformly */
export const Region = z.union([
  z.object({ centre: Location, radiusKm: z.number().min(0).max(2000) }),
  z.object({
    box: z
      .object({ south: z.number().min(-90).max(90), west: z.number().min(-180).max(180), north: z.number().min(-90).max(90), east: z.number().min(-180).max(180) })
      .refine((b) => b.south <= b.north, { message: 'south must not lie north of north', path: ['north'] })
      .refine((b) => b.west <= b.east, { message: 'west must not lie east of east', path: ['east'] }),
  }),
]);

export const MAX_HOMES = 100_000;

export const Fleet = z.object({
  /** how many homes */
  homes: z.number().int().min(1).max(MAX_HOMES),
  /** the homes' ids: <idPrefix>-0001 */
  idPrefix: Id.default('home'),
  region: Region,
  preferences: z.array(PreferenceMix).min(1).default([{ weight: 1, channels: ['app-push'] }]),
  devices: z.array(DeviceTemplate).min(1),
});
export type Fleet = z.output<typeof Fleet>;
export type DeviceTemplate = z.output<typeof DeviceTemplate>;
export type Region = z.output<typeof Region>;
