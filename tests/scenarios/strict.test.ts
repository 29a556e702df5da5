/**
 * A scenario file says what it means or is refused (issue 12): unknown keys at every level with a
 * "did you mean", real calendar days, unique ids, deadlines a programme fits in, events within the
 * scenario, and every problem named by file:line:col, path and expectation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../scenarios/load.js';
import { didYouMean } from '../../scenarios/unknown-keys.js';

const day = readFileSync('scenarios/day-in-2020.yaml', 'utf8');
const FILE = 'scenarios/broken.yaml';

function problems(text: string): string[] {
  try {
    parseScenario(text, FILE);
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

/** replaces `from` (which must occur) and returns the new text with the 1-based line of the change */
function edit(text: string, from: string, to: string): { text: string; line: number } {
  const i = text.indexOf(from);
  if (i < 0) throw new Error(`not in the text: ${from}`);
  return { text: text.slice(0, i) + to + text.slice(i + from.length), line: text.slice(0, i).split('\n').length };
}

/** the one problem, which must start with file:line:col and the path */
function only(text: string, line: number, path: string): string {
  const p = problems(text);
  expect(p).toHaveLength(1);
  expect(p[0]).toMatch(new RegExp(`^${FILE.replace('.', '\\.')}:${line}:\\d+ ${path.replace(/\./g, '\\.')}: `));
  return p[0]!;
}

// two customers with the same kinds of device, for duplicates
const two = `name: two
title: Two customers
start: "2020-11-02T08:00:00+01:00"
end: "2020-11-03T08:00:00+01:00"
tariff: ../data/de-day-ahead-2020.csv
customers:
  - id: maria
    name: Maria
    home: { lat: 50.94, lon: 6.95 }
    preferences: { channels: [sms] }
    devices:
      - { id: car, kind: car-battery, name: Maria's car }
      - id: washer
        kind: washer
        name: Maria's washer
        params:
          loads:
            - { at: "2020-11-02T20:30:00+01:00", programme: cotton-40, deadline: "2020-11-03T07:00:00+01:00", offerId: w-1 }
  - id: jonas
    name: Jonas
    home: { lat: 50.93, lon: 6.96 }
    preferences: { channels: [email] }
    devices:
      - { id: car, kind: car-battery, name: Jonas's car }
stores:
  - { id: rewe, name: REWE, location: { lat: 50.93, lon: 6.93 }, stock: [] }
  - { id: aldi, name: ALDI, location: { lat: 50.96, lon: 6.95 }, stock: [] }
workshops:
  - { id: becker, name: Becker, location: { lat: 50.95, lon: 6.98 }, services: [car-battery] }
  - { id: schmitz, name: Schmitz, location: { lat: 50.93, lon: 6.97 }, services: [washer] }
`;

describe('unknown keys are refused at every level, with a did-you-mean', () => {
  it('refuses `fault:` for `faults:` in device params (it ran with no fault and passed)', () => {
    const e = edit(day, '          faults:\n            - { kind: failing-alternator', '          fault:\n            - { kind: failing-alternator');
    const p = only(e.text, e.line, 'customers.0.devices.0.params.fault');
    expect(p).toMatch(/unknown key 'fault' \(did you mean 'faults'\?\)/);
    expect(p).toMatch(/:\d+:11 /); // the key's own column
  });

  it('refuses `telemetryEverys`, `capacityAH` and `quiethours` with the key each meant', () => {
    let e = edit(day, 'telemetryEveryS: 1', 'telemetryEverys: 10');
    expect(only(e.text, e.line, 'telemetryEverys')).toMatch(/did you mean 'telemetryEveryS'/);
    e = edit(day, 'capacityAh: 60', 'capacityAH: 60');
    expect(only(e.text, e.line, 'customers.0.devices.0.params.capacityAH')).toMatch(/did you mean 'capacityAh'/);
    e = edit(day, 'quietHours:', 'quiethours:');
    expect(only(e.text, e.line, 'customers.0.preferences.quiethours')).toMatch(/did you mean 'quietHours'/);
  });

  it('refuses unknown keys inside faults, trips, loads, stores, workshops and requests, and lists the known ones', () => {
    let e = edit(day, '{ kind: failing-alternator,', '{ kind: failing-alternator, outputAmps: 5,');
    expect(only(e.text, e.line, 'customers.0.devices.0.params.faults.0.outputAmps')).toMatch(/did you mean 'outputA'/);
    e = edit(day, 'speedKmh: 38', 'speed: 38');
    expect(only(e.text, e.line, 'customers.0.devices.0.params.trips.0.speed')).toMatch(/expected one of start, end, speedKmh/);
    e = edit(day, 'offerId: maria-wash-1', 'offerId: maria-wash-1, programm: quick-30');
    expect(only(e.text, e.line, 'customers.0.devices.2.params.loads.0.programm')).toMatch(/did you mean 'programme'/);
    e = edit(day, '    name: EDEKA Ehrenfeld', '    name: EDEKA Ehrenfeld\n    opens: "08:00"');
    expect(only(e.text, e.line + 1, 'stores.1.opens')).toMatch(/unknown key 'opens'; expected one of id, name, location, stock/);
    e = edit(day, '    replacementCar: true', '    replacementcar: true');
    expect(only(e.text, e.line, 'workshops.0.replacementcar')).toMatch(/did you mean 'replacementCar'/);
    e = edit(day, '      name: Putengeschnetzeltes mit Reis', '      title: Putengeschnetzeltes mit Reis');
    const p = problems(e.text);
    expect(p.join('\n')).toMatch(new RegExp(`broken\\.yaml:${e.line}:\\d+ requests\\.0\\.recipe\\.title: unknown key 'title'`));
    expect(p.join('\n')).toMatch(/requests\.0\.recipe\.name: .*expected string/); // and the key it lacks
  });

  it('suggests only near misses', () => {
    expect(didYouMean('fault', ['faults', 'trips'])).toBe('faults');
    expect(didYouMean('telemetryEverys', ['telemetryEveryS', 'windowS'])).toBe('telemetryEveryS');
    expect(didYouMean('colour', ['name', 'kind'])).toBeUndefined();
    expect(didYouMean('idx', ['id', 'name'])).toBe('id');
  });
});

describe('times are real calendar times', () => {
  it('refuses 30 February at the top level instead of rolling over into March', () => {
    const e = edit(day, 'end: "2020-11-03T08:00:00+01:00"', 'end: "2020-02-30T08:00:00+01:00"');
    const p = problems(e.text);
    expect(p[0]).toMatch(new RegExp(`^scenarios/broken\\.yaml:${e.line}:6 end: a real calendar day: 2020-02-30 does not exist \\(February 2020 has 29 days\\)`));
  });

  it('refuses 31 June inside device params, where the key and line are named', () => {
    const e = edit(day, 'at: "2020-11-02T18:40:00+01:00"', 'at: "2020-06-31T18:40:00+01:00"');
    expect(only(e.text, e.line, 'customers.0.devices.0.params.faults.0.at')).toMatch(/2020-06-31 does not exist \(June 2020 has 30 days\)/);
  });

  it('says a time in params lacks its offset, not "expected number, received string"', () => {
    const e = edit(day, 'at: "2020-11-02T18:40:00+01:00"', 'at: "2020-11-02T18:40:00"');
    const p = only(e.text, e.line, 'customers.0.devices.0.params.faults.0.at');
    expect(p).toMatch(/an ISO 8601 time with offset, e\.g\. .*\('2020-11-02T18:40:00' has no offset\)/);
    expect(p).not.toMatch(/received string/);
  });

  it('refuses hours and offsets that do not exist', () => {
    expect(problems(day.replace('start: "2020-11-02T08:00:00+01:00"', 'start: "2020-11-02T24:30:00+01:00"'))[0]).toMatch(/start: .*24:30:00 is not a time of day/);
    expect(problems(day.replace('at: "2020-11-02T18:00:00+01:00"', 'at: "2020-11-02T18:00:00+19:00"'))[0]).toMatch(/requests\.0\.at: .*offset \+19:00 does not exist/);
  });
});

describe('ids are unique', () => {
  it('accepts two customers whose devices share ids', () => {
    expect(parseScenario(two, FILE).devices.map((d) => `${d.customerId}/${d.id}`)).toEqual(['maria/car', 'maria/washer', 'jonas/car']);
  });

  it('refuses a duplicate customer id (it mixed two customers)', () => {
    const e = edit(two, '  - id: jonas', '  - id: maria');
    expect(only(e.text, e.line, 'customers.1.id')).toMatch(/an id of its own: customer 'maria' is already customers\.0/);
  });

  it('refuses a duplicate device id within a customer, with its line', () => {
    const e = edit(two, '      - id: washer', '      - id: car');
    expect(only(e.text, e.line, 'customers.0.devices.1.id')).toMatch(/device of maria 'car' is already customers\.0\.devices\.0/);
  });

  it('refuses duplicate store and workshop ids', () => {
    let e = edit(two, '{ id: aldi,', '{ id: rewe,');
    expect(only(e.text, e.line, 'stores.1.id')).toMatch(/store 'rewe' is already stores\.0/);
    e = edit(two, '{ id: schmitz,', '{ id: becker,');
    expect(only(e.text, e.line, 'workshops.1.id')).toMatch(/workshop 'becker' is already workshops\.0/);
  });
});

describe('what happens, happens within the scenario and fits', () => {
  it("refuses a washer window shorter than its programme (it ran 31 min late)", () => {
    const e = edit(day, 'deadline: "2020-11-03T07:00:00+01:00"', 'deadline: "2020-11-02T22:00:00+01:00"');
    expect(only(e.text, e.line, 'customers.0.devices.2.params.loads.0.deadline')).toMatch(/a deadline at least 2 h 2 min after at \(cotton-40 takes 2 h 2 min; this window has 1 h 30 min\)/);
  });

  it('accepts a window exactly as long as the programme', () => {
    // quick-30 takes 30 min
    const text = day.replace('programme: cotton-40, deadline: "2020-11-03T07:00:00+01:00"', 'programme: quick-30, deadline: "2020-11-02T21:00:00+01:00"');
    expect(parseScenario(text, FILE).devices[2]!.params).toMatchObject({ loads: [{ programme: 'quick-30' }] });
  });

  it('warns of a fault after the end, a trip over before the start and a request outside, with their lines', () => {
    let text = day.replace('at: "2020-11-02T18:40:00+01:00"', 'at: "2020-11-04T18:40:00+01:00"');
    text = text.replace('{ start: "2020-11-02T18:10:00+01:00", end: "2020-11-02T19:25:00+01:00"', '{ start: "2020-11-01T18:10:00+01:00", end: "2020-11-01T19:25:00+01:00"');
    text = text.replace('  - at: "2020-11-02T18:00:00+01:00"', '  - at: "2020-11-03T18:00:00+01:00"');
    const w = parseScenario(text, FILE).warnings;
    const line = (needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(new RegExp(`^scenarios/broken\\.yaml:${line('2020-11-01T18:10')}:`));
    expect(w[1]).toMatch(new RegExp(`^scenarios/broken\\.yaml:${line('2020-11-04T18:40')}:`));
    expect(w[2]).toMatch(new RegExp(`^scenarios/broken\\.yaml:${line('2020-11-03T18:00')}:`));
    expect(w[0]).toMatch(/^scenarios\/broken\.yaml:\d+:\d+ customers\.0\.devices\.0\.params\.trips\.0\.end: 2020-11-01T19:25:00\+01:00 is before the scenario's start \(2020-11-02T08:00:00\+01:00\): it is over before the replay begins/);
    expect(w[1]).toMatch(/^scenarios\/broken\.yaml:\d+:\d+ customers\.0\.devices\.0\.params\.faults\.0\.at: 2020-11-04T18:40:00\+01:00 is after the scenario's end \(2020-11-03T08:00:00\+01:00\): it never happens in the replay/);
    expect(w[2]).toMatch(/^scenarios\/broken\.yaml:\d+:\d+ requests\.0\.at: .* is after the scenario's end/);
  });

  it("does not warn of a slice of the day: a trip in progress at its start, and the bundled days have nothing outside", () => {
    const evening = day.replace(/^start: .*$/m, 'start: "2020-11-02T18:30:00+01:00"').replace(/^end: .*$/m, 'end: "2020-11-02T19:00:00+01:00"');
    const w = parseScenario(evening, FILE).warnings;
    expect(w.map((x) => x.replace(/^\S+ (\S+):.*$/, '$1'))).toEqual(['customers.0.devices.2.params.loads.0.at', 'requests.0.at']);
    for (const f of ['day-in-2020', 'healthy-day', 'heat-wave', 'outage-drill']) expect(parseScenario(readFileSync(`scenarios/${f}.yaml`, 'utf8'), f).warnings).toEqual([]);
  });
});

describe('every error names file:line:col, path and expectation', () => {
  it('an end before the start', () => {
    const e = edit(day, 'end: "2020-11-03T08:00:00+01:00"', 'end: "2020-11-01T08:00:00+01:00"');
    expect(only(e.text, e.line, 'end')).toMatch(/end: a time after start \(2020-11-02T08:00:00\+01:00\)/);
  });

  it("a request's unknown customer", () => {
    const e = edit(day, 'customer: maria', 'customer: nobody');
    expect(only(e.text, e.line, 'requests.0.customer')).toMatch(/a customer of this scenario \(maria\); no customer 'nobody'/);
  });

  it('a wrong device kind names the kinds', () => {
    const e = edit(day, 'kind: fridge', 'kind: toaster');
    expect(only(e.text, e.line, 'customers.0.devices.1.kind')).toMatch(/car-battery.*fridge.*washer/);
  });

  it('lists every problem of a file in the order of its lines', () => {
    let text = day.replace('telemetryEveryS: 1', 'telemetryEverys: 1').replace('capacityAh: 60', 'capacityAH: 60');
    text = text.replace('customer: maria', 'customer: nobody').replace('replacementCar: true', 'replacementCar: yes');
    const p = problems(text);
    expect(p.map((x) => x.replace(/^\S+ (\S+):.*$/, '$1'))).toEqual(['telemetryEverys', 'customers.0.devices.0.params.capacityAH', 'workshops.0.replacementCar']);
    // the cross-checks (the request's customer) run once the keys are right: zod stops at the first layer
    const lines = p.map((x) => Number(/broken\.yaml:(\d+):/.exec(x)![1]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });
});
