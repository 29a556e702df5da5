/**
 * Expands a `fleet:` block into the scenario's ordinary customers, devices and faults: a pure function
 * of the block and the seed. Each home draws from its own streams, derived from (seed, home index,
 * what is drawn), so home 42 is the same whatever the number of homes, and a template added to the
 * block leaves the other templates' draws as they were. Ids are readable and stable: home-0001,
 * home-0001-car (home-0001-car-2 when a home has more than one).
 *
 * Before drawing, each distribution's reach (mean and bounds, a choice's values) is checked against the
 * kind's params schema, so a bound the model refuses is reported at the template, not 10,000 times;
 * every drawn device is then parsed by its kind as a listed one is (the first failure per template is
 * reported, with the home that drew it).
 */
import type { z } from 'zod';
import { Id } from '../../contracts/index.js';
import { KINDS } from '../../devices/kinds/index.js';
import { hashString, nextFloat, rngFrom, type RngState } from '../../devices/kinds/rng.js';
import { timesToMs } from '../iso-time.js';
import type { ScenarioIssue } from '../scenario-checks.js';
import type { ScenarioCustomer } from '../schema.js';
import { draw, drawTimeMs, extremes, pick } from './distributions.js';
import type { DeviceTemplate, Fleet, LoadTemplate, Region, TripTemplate } from './schema.js';

type Customer = z.output<typeof ScenarioCustomer>;

export interface FleetCounts {
  homes: number;
  devices: number;
  faults: number;
}
export interface FleetExpansion {
  customers: Customer[];
  counts: FleetCounts;
  /** problems found in the block, each at its path under `fleet` */
  issues: ScenarioIssue[];
}

export interface ExpandContext {
  seed: number;
  /** the scenario's window: a fault rate without its own window strikes in it */
  startMs: number;
  endMs: number;
}

const AT = ['fleet'] as const;

export function expandFleet(fleet: Fleet, ctx: ExpandContext): FleetExpansion {
  const issues: ScenarioIssue[] = [];
  const add = (path: PropertyKey[], message: string) => issues.push({ code: 'custom', path: [...AT, ...path], message });
  fleet.devices.forEach((t, ti) => checkTemplate(t, ['devices', ti], add));
  checkIds(fleet, add);
  if (issues.length) return { customers: [], counts: { homes: 0, devices: 0, faults: 0 }, issues };

  const width = Math.max(4, String(fleet.homes).length);
  const customers: Customer[] = [];
  const failed = new Set<number>();
  let devices = 0;
  let faults = 0;
  for (let i = 0; i < fleet.homes; i++) {
    const id = `${fleet.idPrefix}-${String(i + 1).padStart(width, '0')}`;
    const home = stream(ctx.seed, i, 'home');
    const location = spread(fleet.region, home);
    const p = fleet.preferences[pick(fleet.preferences.map((x) => x.weight), fleet.preferences.length, home)]!;
    const preferences: Customer['preferences'] = { channels: [...p.channels] };
    if (p.quietHours) preferences.quietHours = { ...p.quietHours };
    if (p.timeZone) preferences.timeZone = p.timeZone;
    const customer: Customer = { id, name: `Home ${id.slice(fleet.idPrefix.length + 1)}`, home: location, preferences, devices: [] };
    fleet.devices.forEach((t, ti) => {
      const r = stream(ctx.seed, i, `device:${t.id}`);
      if (!(nextFloat(r) < t.probability)) return;
      for (let c = 0; c < t.count; c++) {
        const deviceId = t.count === 1 ? `${id}-${t.id}` : `${id}-${t.id}-${c + 1}`;
        const raw = drawParams(t, deviceId, r, ctx);
        faults += (raw.faults as unknown[]).length;
        const parsed = KINDS[t.kind].params.safeParse(raw);
        if (!parsed.success) {
          if (!failed.has(ti)) {
            failed.add(ti);
            const first = parsed.error.issues[0]!;
            const key = first.path[0];
            add(['devices', ti, ...(typeof key === 'string' && key in t.params ? ['params', key] : [])], `${deviceId} drew ${first.path.join('.')} = ${JSON.stringify(valueAt(raw, first.path))}: ${first.message}; narrow the distribution`);
          }
          continue;
        }
        // the model from a stream of its own: a template without one draws as before
        const model = t.model === undefined ? undefined : typeof t.model === 'string' ? t.model : t.model.choice[pick(t.model.weights, t.model.choice.length, stream(ctx.seed, i, `model:${t.id}:${c}`))];
        customer.devices.push({ id: deviceId, kind: t.kind, name: `${customer.name} ${t.name ?? t.id}${t.count === 1 ? '' : ` ${c + 1}`}`, ...(model !== undefined ? { model } : {}), params: parsed.data } as Customer['devices'][number]);
        devices++;
      }
    });
    // a home whose templates all missed still is a customer, but a customer needs a device: it is left out
    if (customer.devices.length) customers.push(customer);
  }
  return { customers, counts: { homes: customers.length, devices, faults }, issues };
}

/** an independent stream per (seed, home, what is drawn) */
function stream(seed: number, home: number, tag: string): RngState {
  return rngFrom((seed ^ hashString(tag)) >>> 0, home + 1);
}

const KM_PER_DEG = 111.32;
const round5 = (x: number): number => Math.round(x * 1e5) / 1e5;

/** a point uniform over the disc or the box */
function spread(region: Region, r: RngState): { lat: number; lon: number } {
  const [u, v] = [nextFloat(r), nextFloat(r)];
  if ('box' in region) {
    const b = region.box;
    return { lat: round5(b.south + (b.north - b.south) * u), lon: round5(b.west + (b.east - b.west) * v) };
  }
  const { centre, radiusKm } = region;
  const d = radiusKm * Math.sqrt(u);
  const a = 2 * Math.PI * v;
  const lat = Math.max(-90, Math.min(90, centre.lat + (d * Math.cos(a)) / KM_PER_DEG));
  const cos = Math.max(Math.cos((centre.lat * Math.PI) / 180), 1e-6);
  const lon = ((centre.lon + (d * Math.sin(a)) / (KM_PER_DEG * cos) + 540) % 360) - 180;
  return { lat: round5(lat), lon: round5(lon) };
}

function drawParams(t: DeviceTemplate, deviceId: string, r: RngState, ctx: ExpandContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t.params)) {
    if (v === undefined) continue;
    if (t.kind === 'car-battery' && k === 'trips') out[k] = drawTrips(v as TripTemplate[], r);
    else if (t.kind === 'washer' && k === 'loads') out[k] = drawLoads(v as LoadTemplate[], deviceId, r);
    else out[k] = timesToMs(draw(v, r));
  }
  out.faults = t.faults.flatMap((f) => {
    if (!(nextFloat(r) < f.rate)) return [];
    const [from, to] = f.window ? [Date.parse(f.window.from), Date.parse(f.window.to)] : [ctx.startMs, ctx.endMs];
    const fault: Record<string, unknown> = { kind: f.kind, at: from + Math.floor(((to - from) / 1000) * nextFloat(r)) * 1000 };
    for (const [k, v] of Object.entries(f)) if (k !== 'kind' && k !== 'rate' && k !== 'window' && v !== undefined) fault[k] = timesToMs(draw(v, r));
    return [fault];
  });
  return out;
}

function drawTrips(trips: TripTemplate[], r: RngState): unknown[] {
  return trips.flatMap((trip) => {
    if (!(nextFloat(r) < trip.probability)) return [];
    const start = drawTimeMs(trip.start, r);
    const minutes = draw(trip.durationMin, r) as number;
    const out: Record<string, unknown> = { start, end: start + Math.round(minutes * 60) * 1000 };
    if (trip.speedKmh !== undefined) out.speedKmh = draw(trip.speedKmh, r);
    return [out];
  });
}

function drawLoads(loads: LoadTemplate[], deviceId: string, r: RngState): unknown[] {
  let n = 0;
  return loads.flatMap((load) => {
    if (!(nextFloat(r) < load.probability)) return [];
    const at = drawTimeMs(load.at, r);
    const hours = draw(load.deadlineAfterH, r) as number;
    const out: Record<string, unknown> = { at, deadline: at + Math.round(hours * 60) * 60_000, offerId: `${deviceId}-load-${++n}` };
    if (load.programme !== undefined) out.programme = draw(load.programme, r);
    return [out];
  });
}

/** a valid event time, for checking a fault's or a load's other values alone */
const SOME_TIME = Date.parse('2020-01-01T00:00:00Z');

/** every value a template's distributions can reach, checked by the kind before anything is drawn */
function checkTemplate(t: DeviceTemplate, at: PropertyKey[], add: (path: PropertyKey[], message: string) => void): void {
  const schema = KINDS[t.kind].params;
  for (const [k, v] of Object.entries(t.params)) {
    if (v === undefined || (t.kind === 'car-battery' && k === 'trips') || (t.kind === 'washer' && k === 'loads')) continue;
    for (const value of extremes(v)) {
      const res = schema.safeParse({ [k]: timesToMs(value) });
      const issue = res.error?.issues.find((x) => x.path[0] === k);
      if (issue) add([...at, 'params', k], `${JSON.stringify(value)} is not a ${t.kind} ${k}: ${issue.message}`);
    }
  }
  for (const [i, load] of (t.kind === 'washer' ? (t.params.loads as LoadTemplate[] | undefined) ?? [] : []).entries()) {
    if (load.programme === undefined) continue;
    for (const value of extremes(load.programme)) {
      const res = schema.safeParse({ loads: [{ at: SOME_TIME, deadline: SOME_TIME + 86_400_000, offerId: 'x', programme: value }] });
      if (!res.success && res.error.issues.some((x) => x.path.includes('programme'))) add([...at, 'params', 'loads', i, 'programme'], `${JSON.stringify(value)} is not a washer programme`);
    }
  }
  t.faults.forEach((f, fi) => {
    for (const [k, v] of Object.entries(f)) {
      if (k === 'kind' || k === 'rate' || k === 'window' || v === undefined) continue;
      for (const value of extremes(v)) {
        const res = schema.safeParse({ faults: [{ kind: f.kind, at: SOME_TIME, [k]: timesToMs(value) }] });
        const issue = res.error?.issues.find((x) => x.path.includes(k));
        if (issue) add([...at, 'faults', fi, k], `${JSON.stringify(value)} is not a ${f.kind} ${k}: ${issue.message}`);
      }
    }
  });
}

/** the longest ids the block makes are still ids, and no two templates share an id */
function checkIds(fleet: Fleet, add: (path: PropertyKey[], message: string) => void): void {
  const width = Math.max(4, String(fleet.homes).length);
  const last = `${fleet.idPrefix}-${'9'.repeat(width)}`;
  const seen = new Map<string, number>();
  fleet.devices.forEach((t, ti) => {
    const j = seen.get(t.id);
    if (j !== undefined) add(['devices', ti, 'id'], `an id of its own: '${t.id}' is already fleet.devices.${j}`);
    else seen.set(t.id, ti);
    const longest = `${last}-${t.id}${t.count > 1 ? `-${t.count}` : ''}${t.kind === 'washer' ? '-load-99' : ''}`;
    if (!Id.safeParse(longest).success) add(['devices', ti, 'id'], `ids of at most 63 characters: '${longest}' is too long; shorten the id or idPrefix`);
  });
}

function valueAt(v: unknown, path: PropertyKey[]): unknown {
  let x = v;
  for (const p of path) x = x && typeof x === 'object' ? (x as Record<PropertyKey, unknown>)[p] : undefined;
  return x;
}

