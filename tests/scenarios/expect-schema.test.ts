/** The `expect:` block's schema: strict keys, real times, known kinds, and references to the scenario's own customers and devices. */
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../scenarios/load.js';
import { parseExpect } from '../../scenarios/expect/schema.js';

const scenario = (expectBlock: string): string => `name: tiny
title: Tiny
start: "2020-11-02T08:00:00+01:00"
end: "2020-11-02T09:00:00+01:00"
tariff: ../data/de-day-ahead-2020.csv
customers:
  - id: maria
    name: Maria
    home: { lat: 50.9, lon: 6.9 }
    preferences: { channels: [app-push] }
    devices:
      - { id: car, kind: car-battery, name: Car }
${expectBlock}`;

function problems(text: string): string[] {
  try {
    parseScenario(text, 'tiny.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  return [];
}

describe('the expect block', () => {
  it('loads with defaults filled in', () => {
    const s = parseScenario(scenario('expect:\n  tickets:\n    - { customer: maria, device: car, kind: battery-discharge }\n'), 'tiny.yaml').scenario;
    expect(s.expect).toEqual({ tickets: [{ customer: 'maria', device: 'car', kind: 'battery-discharge' }], noOtherTickets: false, loads: [], shopping: [] });
    expect(parseScenario(scenario(''), 'tiny.yaml').scenario.expect).toBeUndefined();
  });

  it('refuses an unknown key at every level, with file and line', () => {
    expect(problems(scenario('expect:\n  noOtherTicket: true\n'))).toEqual([expect.stringMatching(/^tiny\.yaml:14:3 expect\.noOtherTicket: .*did you mean 'noOtherTickets'/)]);
    expect(problems(scenario('expect:\n  tickets:\n    - { customer: maria, device: car, kind: battery-discharge, resolvedWithin: 5 }\n'))).toEqual([
      expect.stringMatching(/^tiny\.yaml:15:\d+ expect\.tickets\.0.*resolvedWithin/),
    ]);
    expect(problems(scenario('expect:\n  loads: [{ customer: maria, device: car, atOptimum: true, optimum: true }]\n'))[0]).toMatch(/expect\.loads\.0.*optimum/);
  });

  it('refuses a kind no detector reports, a channel that does not exist and a negative minute count', () => {
    const p = problems(scenario('expect:\n  tickets:\n    - { customer: maria, device: car, kind: battery-dead, channel: pigeon, resolvedWithinMin: -1 }\n'));
    expect(p).toEqual([
      expect.stringMatching(/expect\.tickets\.0\.kind: .*battery-discharge/),
      expect.stringMatching(/expect\.tickets\.0\.channel: /),
      expect.stringMatching(/expect\.tickets\.0\.resolvedWithinMin: /),
    ]);
  });

  it('refuses times without an offset, days that do not exist and windows that end before they start', () => {
    const at = (from: string, to: string) =>
      problems(scenario(`expect:\n  tickets:\n    - { customer: maria, device: car, kind: battery-discharge, opened: { from: "${from}", to: "${to}" } }\n`));
    expect(at('2020-11-02T18:40:00', '2020-11-02T19:00:00+01:00')[0]).toMatch(/expect\.tickets\.0\.opened\.from: an ISO 8601 time with offset/);
    expect(at('2020-02-30T18:40:00+01:00', '2020-03-01T19:00:00+01:00')[0]).toMatch(/expect\.tickets\.0\.opened\.from: a real calendar day: 2020-02-30 does not exist/);
    expect(at('2020-11-02T19:00:00+01:00', '2020-11-02T18:40:00+01:00')[0]).toMatch(/expect\.tickets\.0\.opened\.to: to must not come before from/);
    expect(at('2020-11-02T18:40:00+01:00', '2020-11-02T19:00:00+01:00')).toEqual([]);
  });

  it("refuses customers and devices the scenario does not have, at their line", () => {
    expect(problems(scenario('expect:\n  tickets:\n    - { customer: mario, device: car, kind: battery-discharge }\n'))).toEqual([
      expect.stringMatching(/^tiny\.yaml:15:\d+ expect\.tickets\.0\.customer: no customer 'mario' in this scenario$/),
    ]);
    expect(problems(scenario('expect:\n  loads: [{ customer: maria, device: washer, atOptimum: true }]\n'))).toEqual([
      expect.stringMatching(/^tiny\.yaml:14:\d+ expect\.loads\.0\.device: no device 'washer' of customer 'maria'$/),
    ]);
    expect(problems(scenario('expect:\n  shopping: [{ customer: jonas, store: null }]\n'))[0]).toMatch(/expect\.shopping\.0\.customer: no customer 'jonas'/);
  });

  it('can be checked alone, without a scenario around it', () => {
    expect(parseExpect({ noOtherTickets: true })).toEqual({ ok: true, expect: { tickets: [], noOtherTickets: true, loads: [], shopping: [] } });
    const bad = parseExpect({ shoping: [] });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues[0]!.code).toBe('unrecognized_keys');
  });
});
