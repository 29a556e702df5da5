/**
 * The scenario file format (YAML). Times are ISO 8601 with an offset ("2020-11-02T18:40:00+01:00");
 * inside device params every such string becomes event time (ms) before the model sees it.
 */
import { z } from 'zod';
import { Channel, DeviceKind, Id, Item, Location } from '../contracts/index.js';
import { TimeZone } from '../contracts/time-zone.js';
import { Expect, expectRefIssues } from './expect/schema.js';

export const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export const IsoTime = z.string().regex(ISO_RE, 'an ISO 8601 time with offset, e.g. 2020-11-02T18:40:00+01:00');
const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day 'HH:MM'");

export const ScenarioDevice = z.object({
  id: Id,
  kind: DeviceKind,
  name: z.string().min(1),
  /** model parameters, checked against the kind's own schema by the loader */
  params: z.record(z.string(), z.unknown()).default({}),
});

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

const StockItem = z.object({ name: z.string().min(1), quantity: z.number().min(0), unit: z.string().min(1) });

export const Scenario = z.object({
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
  /** how far (s) devices run ahead before the helpdesk catches up: its reaction time in the replay */
  windowS: z.number().int().min(1).max(600).default(10),
  customers: z.array(ScenarioCustomer).min(1),
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
  /** raw messages published as they are, to drill the helpdesk's handling of bad input */
  inject: z.array(z.object({ at: IsoTime, topic: z.string().min(1), payload: z.string() })).default([]),
  /** devices taken down for a while, to drill how the helpdesk notices silence (device-offline) */
  outages: z.array(Outage).default([]),
  /** what the replay must come to, checked after it (scenarios/expect, docs/scenarios.md#expectations) */
  expect: Expect.optional(),
}).superRefine((s, ctx) => {
  const devices = new Set(s.customers.flatMap((c) => c.devices.map((d) => `${c.id}/${d.id}`)));
  const byDevice = new Map<string, Array<[number, number]>>();
  s.outages.forEach((o, i) => {
    const key = `${o.customer}/${o.device}`;
    const [from, to] = [Date.parse(o.from), Date.parse(o.to)];
    if (!devices.has(key)) ctx.addIssue({ code: 'custom', path: ['outages', i, 'device'], message: `no device '${o.device}' of customer '${o.customer}'` });
    if (!(to > from)) ctx.addIssue({ code: 'custom', path: ['outages', i, 'to'], message: `must come after from (${o.from})` });
    const spans = byDevice.get(key) ?? [];
    if (spans.some(([f, t]) => from < t && f < to)) ctx.addIssue({ code: 'custom', path: ['outages', i, 'from'], message: `overlaps another outage of ${key}` });
    byDevice.set(key, [...spans, [from, to]]);
  });
  for (const issue of expectRefIssues(s)) ctx.addIssue(issue);
});
export type Scenario = z.infer<typeof Scenario>;
