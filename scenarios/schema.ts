/**
 * The scenario file format (YAML). Times are ISO 8601 with an offset ("2020-11-02T18:40:00+01:00");
 * inside device params every such string becomes event time (ms) before the model sees it.
 */
import { z } from 'zod';
import { Channel, DeviceKind, Id, Item, Location } from '../contracts/index.js';
import { TimeZone } from '../contracts/time-zone.js';
import { KINDS } from '../devices/kinds/index.js';
import { DEADBAND_READINGS } from '../devices/report-policy.js';
import { IsoTime, timesToMs } from './iso-time.js';
import { scenarioIssues } from './scenario-checks.js';
import { Expect, expectRefIssues } from './expect/schema.js';
import { expandFleet, type FleetCounts } from './fleet/expand.js';
import { Fleet } from './fleet/schema.js';
import { customerSideIssues, ScenarioConsent, ScenarioUsageDay } from './customer-side.js';

export { ISO_RE, IsoTime } from './iso-time.js';
const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day 'HH:MM'");

function deviceOf<K extends DeviceKind>(kind: K) {
  return z.object({
    id: Id,
    kind: z.literal(kind),
    name: z.string().min(1),
    /** its model or product line ('VARTA-60'): the helpdesk groups many tickets on one model into a problem (docs/problems.md) */
    model: z.string().min(1).max(80).optional(),
    /** model parameters: the kind's own schema (devices/kinds/), times written as ISO strings, ms for the model */
    params: z.preprocess(timesToMs, KINDS[kind].params).prefault({}),
  });
}
/** one device, its params checked by its kind */
export const ScenarioDevice = z.discriminatedUnion('kind', [deviceOf('car-battery'), deviceOf('fridge'), deviceOf('washer')]);

export const ScenarioCustomer = z.object({
  id: Id,
  name: z.string().min(1),
  home: Location,
  preferences: z.object({
    channels: z.array(Channel).min(1),
    quietHours: z.object({ from: Hhmm, to: Hhmm }).optional(),
    /** the customer's own zone, when it is not the scenario's */
    timeZone: TimeZone.optional(),
    phone: z.string().optional(),
    email: z.string().optional(),
  }),
  devices: z.array(ScenarioDevice).min(1),
  /** what the customer had set in their app before the day: opt-ins per purpose and channel, blacklist, quiet hours, cap (docs/customers.md) */
  consent: ScenarioConsent.optional(),
  /** the helpdesk's record of their devices' usage on days before the replay (km, trips, cranks, wash cycles): next-best offers read it */
  history: z.array(ScenarioUsageDay).max(1000).optional(),
});

/**
 * A device taken down from `from` to `to`. 'offline': its connection drops (the broker publishes its
 * last will) and it connects again at `to`, skipping the time in between (a board unplugged). 'silent':
 * it stays connected but sends nothing (a hung sensor loop) and restarts at `to` (a watchdog reset).
 * Commands sent to a device that is down are lost, as they would be.
 */
export const Outage = z.object({
  customer: Id,
  device: Id,
  from: IsoTime,
  to: IsoTime,
  mode: z.enum(['offline', 'silent']).default('offline'),
});
export type Outage = z.infer<typeof Outage>;

/** deadband overrides by reading name (devices/report-policy.ts has the defaults per kind) */
const Deadband = z.object(Object.fromEntries(DEADBAND_READINGS.map((r) => [r, z.number().min(0).max(1e6).optional()])) as Record<string, z.ZodOptional<z.ZodNumber>>);

/**
 * How the devices report (docs/scenarios.md#telemetry): periodically (every `telemetryEveryS`, the
 * default) or by exception (a reading past its deadband, a flag changed, or `heartbeatS` since the last
 * message). scenarios/telemetry-options.ts turns it into agent options.
 */
export const ScenarioTelemetry = z.object({
  mode: z.enum(['periodic', 'exception']).default('periodic'),
  /** exception mode: the longest time (s) between two messages of a device */
  heartbeatS: z.number().int().min(1).max(86_400).default(900),
  deadband: Deadband.prefault({}),
});

const StockItem = z.object({ name: z.string().min(1), quantity: z.number().min(0), unit: z.string().min(1) });

/** the file's keys; every key added here is strict, in the JSON Schema and documented (tests/scenarios/json-schema.test.ts) */
export const ScenarioShape = z.object({
  name: Id,
  title: z.string().min(1),
  description: z.string().default(''),
  start: IsoTime,
  end: IsoTime,
  /**
   * where the customers live, an IANA zone ('Europe/Berlin'): their quiet hours and the dashboard
   * follow its clock, daylight saving included. Without it, the fixed offset of `start`.
   */
  timeZone: TimeZone.optional(),
  seed: z.number().int().min(0).default(1),
  /** CSV path relative to the scenario file */
  tariff: z.string().min(1),
  telemetryEveryS: z.number().int().min(1).max(3600).default(1),
  /** how often (s) a device reads its sensors: its model's step (1, the default: every second) */
  sampleEveryS: z.number().int().min(1).max(3600).default(1),
  /** periodic (default) or report by exception, with its heartbeat and deadbands */
  telemetry: ScenarioTelemetry.prefault({}),
  /** how far (s) devices run ahead before the helpdesk catches up: its reaction time in the replay */
  windowS: z.number().int().min(1).max(600).default(10),
  /**
   * the helpdesk decides a window while the devices run the next (docs/fleets.md#pipelined-windows): a fleet
   * replays faster, and a command reaches its device a window later than without (default false)
   */
  pipeline: z.boolean().default(false),
  /** at least one customer here or from `fleet` */
  customers: z.array(ScenarioCustomer).default([]),
  /** homes drawn from templates and distributions, added to the customers (scenarios/fleet, docs/fleets.md) */
  fleet: Fleet.optional(),
  stores: z
    .array(z.object({ id: Id, name: z.string().min(1), location: Location, stock: z.array(StockItem) }))
    .default([]),
  workshops: z
    .array(
      z.object({
        id: Id,
        name: z.string().min(1),
        location: Location,
        services: z.array(DeviceKind).min(1),
        replacementCar: z.boolean().default(false),
        /** its slots for bookings (docs/customers.md#bookings): opening hours, slot length, places a slot, days (1 = Monday), replacement cars; defaults otherwise */
        booking: z
          .strictObject({
            open: Hhmm.optional(),
            close: Hhmm.optional(),
            slotMinutes: z.number().int().min(15).max(24 * 60).optional(),
            capacity: z.number().int().min(1).max(1000).optional(),
            days: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
            replacementCars: z.number().int().min(0).max(1000).optional(),
          })
          .optional(),
      }),
    )
    .default([]),
  requests: z
    .array(
      z.object({
        at: IsoTime,
        customer: Id,
        recipe: z.object({ name: z.string().min(1), ingredients: z.array(Item).min(1) }),
        location: Location,
      }),
    )
    .default([]),
  /**
   * the customers' answers through the app (docs/customers.md#dialogue-and-bookings): a reply to a ticket (by its id,
   * or the customer's latest ticket of a kind), the slot by id or by its place (1-based) among those
   * offered, or a satisfaction score. In a replay nobody answers unless listed here.
   */
  replies: z
    .array(
      z.strictObject({
        at: IsoTime,
        customer: Id,
        ticket: z.union([z.string().min(1).max(64), z.strictObject({ kind: z.string().min(1).max(60) })]),
        answer: z.enum(['accept-fix', 'decline', 'call-me', 'pick-slot', 'satisfaction']),
        slot: z.union([z.number().int().min(1).max(50), z.string().min(1).max(80)]).optional(),
        score: z.number().int().min(1).max(5).optional(),
      }),
    )
    .default([]),
  /** raw messages published as they are, to drill the helpdesk's handling of bad input */
  inject: z.array(z.object({ at: IsoTime, topic: z.string().min(1), payload: z.string() })).default([]),
  /** devices taken down for a while, to drill how the helpdesk notices silence (device-offline) */
  outages: z.array(Outage).default([]),
  /** what the replay must come to, checked after it (scenarios/expect, docs/scenarios.md#expectations) */
  expect: Expect.optional(),
});
export type ScenarioShape = z.output<typeof ScenarioShape>;

/**
 * The file: its keys, then the checks across them (scenarios/scenario-checks.ts). The pipe runs the
 * checks only on a file whose keys are all right (zod would run a refinement on partly invalid data).
 */
export const Scenario = ScenarioShape.pipe(
  // a fleet becomes ordinary customers first, so the checks and everything after see only customers
  z.custom<ScenarioShape>().transform((s, ctx): ScenarioShape & { fleetCounts?: FleetCounts } => {
    if (!s.fleet) {
      if (!s.customers.length) ctx.issues.push({ code: 'custom', path: ['customers'], message: 'at least one customer, or a fleet', input: s.customers });
      return s;
    }
    const x = expandFleet(s.fleet, { seed: s.seed, startMs: Date.parse(s.start), endMs: Date.parse(s.end) });
    for (const issue of x.issues) ctx.issues.push({ ...issue, input: s.fleet });
    return { ...s, customers: [...s.customers, ...x.customers], fleetCounts: x.counts };
  }),
).pipe(
  z.custom<ScenarioShape & { fleetCounts?: FleetCounts }>().superRefine((s, ctx) => {
    for (const issue of scenarioIssues(s)) ctx.addIssue(issue);
    for (const issue of expectRefIssues(s)) ctx.addIssue(issue);
    for (const issue of telemetryIssues(s)) ctx.addIssue(issue);
    for (const issue of customerSideIssues(s.customers)) ctx.addIssue(issue);
  }),
);
export type Scenario = z.infer<typeof Scenario>;

/** The device reads its sensors every sampleEveryS: a telemetry interval or a heartbeat is a whole number of samples, at least one. */
function telemetryIssues(s: ScenarioShape): Array<{ code: 'custom'; path: PropertyKey[]; message: string }> {
  const out: Array<{ code: 'custom'; path: PropertyKey[]; message: string }> = [];
  const every = s.sampleEveryS;
  if (s.telemetry.mode === 'periodic' && s.telemetryEveryS % every !== 0) {
    out.push({ code: 'custom', path: ['telemetryEveryS'], message: `a multiple of sampleEveryS (${every} s): a device sends what it sampled` });
  }
  if (s.telemetry.mode === 'exception' && s.telemetry.heartbeatS % every !== 0) {
    out.push({ code: 'custom', path: ['telemetry', 'heartbeatS'], message: `a multiple of sampleEveryS (${every} s): a device sends what it sampled` });
  }
  return out;
}
