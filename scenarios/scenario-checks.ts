/**
 * The checks of a scenario that look across its parts, each an issue with the path of the value at
 * fault (the loader turns the path into file:line:col). They run on the parsed scenario (times in
 * device params already ms):
 *
 * - `end` after `start`, and `start` written with the offset its `timeZone` has at that moment;
 * - ids unique: customers, a customer's devices, stores, workshops;
 * - a request's customer, an outage's device exist; outages of one device do not overlap;
 * - a washer load's window (at -> deadline) holds its programme;
 * - and, as warnings only, what happens at a time (faults, trips, loads, door openings, take-outs,
 *   requests, injected messages, outages) outside the scenario's window (see withinWindow).
 */
import { PROGRAMMES, programmeDurationS } from '../devices/kinds/washer-programmes.js';
import { offsetMinutesAt, offsetZone } from '../contracts/time-zone.js';
import { offsetOf } from './iso-time.js';
import { isoWithOffset } from '../helpdesk/format.js';
import type { ScenarioShape } from './schema.js';

export type ScenarioIssue = { code: 'custom'; path: PropertyKey[]; message: string };

type Parsed = ScenarioShape;
type Check = (s: Parsed, add: (path: PropertyKey[], message: string) => void) => void;

const window: Check = (s, add) => {
  const [start, end] = [Date.parse(s.start), Date.parse(s.end)];
  if (!(end > start)) add(['end'], `a time after start (${s.start})`);
  // the report writes times with the offset of start, the helpdesk with the zone: they must agree at the start
  if (s.timeZone !== undefined && offsetMinutesAt(s.timeZone, start) !== offsetOf(s.start)) {
    add(['start'], `${s.start} has another offset than ${s.timeZone} at that time (${offsetZone(offsetMinutesAt(s.timeZone, start))})`);
  }
};

const uniqueIds: Check = (s, add) => {
  const unique = (items: Array<{ id: string }>, path: PropertyKey[], what: string) => {
    const first = new Map<string, number>();
    items.forEach((x, i) => {
      const j = first.get(x.id);
      if (j === undefined) first.set(x.id, i);
      else add([...path, i, 'id'], `an id of its own: ${what} '${x.id}' is already ${[...path, j].join('.')}`);
    });
  };
  unique(s.customers, ['customers'], 'customer');
  s.customers.forEach((c, ci) => unique(c.devices, ['customers', ci, 'devices'], `device of ${c.id}`));
  unique(s.stores, ['stores'], 'store');
  unique(s.workshops, ['workshops'], 'workshop');
};

const references: Check = (s, add) => {
  const customers = new Set(s.customers.map((c) => c.id));
  s.requests.forEach((r, i) => {
    if (!customers.has(r.customer)) add(['requests', i, 'customer'], `a customer of this scenario (${[...customers].join(', ')}); no customer '${r.customer}'`);
  });
  const devices = new Set(s.customers.flatMap((c) => c.devices.map((d) => `${c.id}/${d.id}`)));
  const byDevice = new Map<string, Array<[number, number]>>();
  s.outages.forEach((o, i) => {
    const key = `${o.customer}/${o.device}`;
    const [from, to] = [Date.parse(o.from), Date.parse(o.to)];
    if (!devices.has(key)) add(['outages', i, 'device'], `no device '${o.device}' of customer '${o.customer}'`);
    if (!(to > from)) add(['outages', i, 'to'], `must come after from (${o.from})`);
    const spans = byDevice.get(key) ?? [];
    if (spans.some(([f, t]) => from < t && f < to)) add(['outages', i, 'from'], `overlaps another outage of ${key}`);
    byDevice.set(key, [...spans, [from, to]]);
  });
};

const washerDeadlines: Check = (s, add) => {
  s.customers.forEach((c, ci) =>
    c.devices.forEach((d, di) => {
      if (d.kind !== 'washer') return;
      const loads = (d.params as { loads: Array<{ at: number; deadline: number; programme: string }> }).loads;
      loads.forEach((l, li) => {
        const programme = PROGRAMMES[l.programme];
        if (!programme) return;
        const needS = programmeDurationS(programme);
        const haveS = (l.deadline - l.at) / 1000;
        if (haveS < needS) {
          add(['customers', ci, 'devices', di, 'params', 'loads', li, 'deadline'], `a deadline at least ${minutes(needS)} after at (${l.programme} takes ${minutes(needS)}; this window has ${minutes(haveS)})`);
        }
      });
    }),
  );
};

/**
 * What happens outside the scenario's window: a fault after `end` never strikes in the replay (a
 * detection test of it passes on nothing), a trip or load before `start` never plays. Warned, not
 * refused: a slice of a longer day (the evening of day-in-2020.yaml) is a fair scenario, and a fault
 * dated before the start is one the device already has. A trip in progress at the start is fine.
 */
const withinWindow: Check = (s, add) => {
  const [start, end] = [Date.parse(s.start), Date.parse(s.end)];
  if (!(end > start)) return;
  const offset = offsetOf(s.start);
  const check = (ms: number, path: PropertyKey[], what: string) => {
    if (ms < start) add(path, `${isoWithOffset(ms, offset)} is before the scenario's start (${s.start}): ${what}`);
    else if (ms > end) add(path, `${isoWithOffset(ms, offset)} is after the scenario's end (${s.end}): it never happens in the replay`);
  };
  const moments = (v: unknown, path: PropertyKey[]): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => moments(x, [...path, i]));
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.start === 'number' && typeof o.end === 'number') {
      // a span (a trip): it plays if any of it is inside
      if (o.end < start) check(o.end, [...path, 'end'], 'it is over before the replay begins');
      else if (o.start > end) check(o.start, [...path, 'start'], '');
      return;
    }
    for (const [k, x] of Object.entries(o)) {
      if (k === 'at' && typeof x === 'number') check(x, [...path, k], path.includes('faults') ? 'the device has it from the start' : 'it never happens in the replay');
      else moments(x, [...path, k]);
    }
  };
  s.customers.forEach((c, ci) => c.devices.forEach((d, di) => moments(d.params, ['customers', ci, 'devices', di, 'params'])));
  s.requests.forEach((r, i) => check(Date.parse(r.at), ['requests', i, 'at'], 'it is never sent'));
  s.inject.forEach((m, i) => check(Date.parse(m.at), ['inject', i, 'at'], 'it is never sent'));
  s.outages.forEach((o, i) => { if (Date.parse(o.to) < start || Date.parse(o.from) > end) check(Date.parse(o.from), ['outages', i, 'from'], 'it is over before the replay begins'); });
};

/**
 * A pipelined replay takes no outage or bad-input drills yet: the helpdesk's commands reach the devices while
 * they move, so which of them a dropped connection loses is not settled; and a window's barrier counts messages
 * by their event time, which a malformed message does not have
 */
const pipeline: Check = (s, add) => {
  if (!s.pipeline) return;
  if (s.outages.length) add(['pipeline'], 'false with outages: a pipelined replay takes no outage drills yet (docs/fleets.md#pipelined-windows)');
  if (s.inject.length) add(['pipeline'], 'false with inject: a pipelined replay takes no bad-input drills yet (docs/fleets.md#pipelined-windows)');
};

/** every check that refuses a file, in order; a new part of the file with references of its own adds its check here */
export const SCENARIO_CHECKS: readonly Check[] = [window, uniqueIds, references, washerDeadlines, pipeline];
/** checks that only warn: the file is valid, but part of it will not play */
export const SCENARIO_WARNINGS: readonly Check[] = [withinWindow];

function run(checks: readonly Check[], s: Parsed): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  for (const check of checks) check(s, (path, message) => issues.push({ code: 'custom', path, message }));
  return issues;
}
export const scenarioIssues = (s: Parsed): ScenarioIssue[] => run(SCENARIO_CHECKS, s);
export const scenarioWarnings = (s: Parsed): ScenarioIssue[] => run(SCENARIO_WARNINGS, s);

function minutes(s: number): string {
  const m = Math.round(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}
