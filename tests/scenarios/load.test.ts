import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { directoryOf } from '../../scenarios/directory.js';
import { loadScenario, parseScenario, ScenarioError } from '../../scenarios/load.js';

const day = readFileSync('scenarios/day-in-2020.yaml', 'utf8');

function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, 'scenarios/broken.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario files', () => {
  it('loads the bundled scenarios with times resolved to event time', () => {
    for (const f of ['scenarios/day-in-2020.yaml', 'scenarios/healthy-day.yaml']) {
      const s = loadScenario(f);
      expect(s.endMs - s.startMs).toBe(24 * 3600_000);
      expect(s.utcOffsetMinutes).toBe(60);
      expect(s.devices.map((d) => d.kind).sort()).toEqual(['car-battery', 'fridge', 'washer']);
    }
    const car = loadScenario('scenarios/day-in-2020.yaml').devices.find((d) => d.id === 'car')!;
    expect((car.params as { faults: { at: number }[] }).faults[0]!.at).toBe(Date.parse('2020-11-02T17:40:00Z'));
  });

  it('names the file, line, path and expectation for a wrong device kind', () => {
    const e = errorOf(day.replace('kind: fridge', 'kind: toaster'));
    expect(e.code).toBe('EVN_ERR_SCENARIO');
    expect(e.message).toMatch(/scenarios\/broken\.yaml:\d+:\d+ customers\.0\.devices\.1\.kind: .*car-battery.*fridge.*washer/);
  });

  it('names the place inside device params that the kind rejects', () => {
    const e = errorOf(day.replace('capacityAh: 60', 'capacityAh: "lots"'));
    expect(e.message).toMatch(/broken\.yaml:\d+:\d+ customers\.0\.devices\.0\.params\.capacityAh: .*number/);
  });

  it('says what a time must look like', () => {
    const e = errorOf(day.replace('start: "2020-11-02T08:00:00+01:00"', 'start: "monday morning"'));
    expect(e.message).toMatch(/broken\.yaml:\d+:\d+ start: an ISO 8601 time with offset/);
  });

  it('reports YAML syntax errors with their line', () => {
    const e = errorOf('name: x\ncustomers: [\n');
    expect(e.message).toMatch(/broken\.yaml/);
    expect(e.message).toMatch(/\d+:\d+: YAML/);
  });

  it('refuses an end before the start and a request for an unknown customer', () => {
    expect(errorOf(day.replace('end: "2020-11-03T08:00:00+01:00"', 'end: "2020-11-01T08:00:00+01:00"')).message).toMatch(/broken\.yaml:\d+:\d+ end: a time after start/);
    expect(errorOf(day.replace('customer: maria', 'customer: nobody')).message).toMatch(/broken\.yaml:\d+:\d+ requests\.0\.customer: .*no customer 'nobody'/);
  });

  it("gives the customers the scenario's time zone (their own where they name one), and refuses an unknown zone or one the start's offset contradicts", () => {
    const s = parseScenario(day, 'scenarios/day-in-2020.yaml');
    expect(s.scenario.timeZone).toBe('Europe/Berlin');
    expect(directoryOf(s).customers[0]!.preferences).toMatchObject({ timeZone: 'Europe/Berlin', timeZoneOffsetMinutes: 60 });
    const own = parseScenario(day.replace('quietHours: { from: "22:00", to: "07:00" }', 'quietHours: { from: "22:00", to: "07:00" }\n      timeZone: europe/london'), 'x.yaml');
    expect(directoryOf(own).customers[0]!.preferences.timeZone).toBe('Europe/London');
    expect(errorOf(day.replace('timeZone: Europe/Berlin', 'timeZone: Mars/Olympus_Mons')).message).toMatch(/broken\.yaml:\d+:\d+ timeZone: an IANA time zone such as 'Europe\/Berlin'/);
    // 08:00+01:00 on 2 November is winter time in Berlin; in New York it would be -05:00
    expect(errorOf(day.replace('timeZone: Europe/Berlin', 'timeZone: America/New_York')).message).toMatch(/start: 2020-11-02T08:00:00\+01:00 has another offset than America\/New_York at that time \(-05:00\)/);
  });

  it('refuses a missing file with a coded error', () => {
    expect(() => loadScenario('scenarios/nope.yaml')).toThrow(/EVN_ERR_SCENARIO[\s\S]*cannot read/);
  });
});
