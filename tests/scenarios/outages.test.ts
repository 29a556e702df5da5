/** The outage drill in a scenario file: checked where it is written, with the place named. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../scenarios/load.js';

const drill = readFileSync('scenarios/outage-drill.yaml', 'utf8');

function problems(text: string): string[] {
  try {
    parseScenario(text, 'scenarios/broken.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario outages', () => {
  it('loads the drill with its outages, offline by default', () => {
    const s = parseScenario(drill.replace(', mode: offline }', ' }'), 'scenarios/outage-drill.yaml').scenario;
    expect(s.outages.map((o) => [o.device, o.mode])).toEqual([['fridge', 'offline'], ['car', 'silent']]);
  });

  it('names an outage of a device the scenario does not have', () => {
    expect(problems(drill.replace('device: fridge, from', 'device: toaster, from'))).toEqual([
      expect.stringMatching(/broken\.yaml:\d+:\d+ outages\.0\.device: no device 'toaster' of customer 'maria'/),
    ]);
  });

  it('names an outage that ends before it begins, and two that overlap', () => {
    expect(problems(drill.replace('to: "2020-11-02T14:05:00+01:00"', 'to: "2020-11-02T13:00:00+01:00"'))).toEqual([expect.stringMatching(/outages\.0\.to: must come after from/)]);
    const twice = drill.replace('device: car, from: "2020-11-02T14:10:00+01:00"', 'device: fridge, from: "2020-11-02T14:00:00+01:00"');
    expect(problems(twice)).toEqual([expect.stringMatching(/outages\.1\.from: overlaps another outage of maria\/fridge/)]);
  });

  it('refuses an unknown mode', () => {
    expect(problems(drill.replace('mode: silent', 'mode: asleep'))).toEqual([expect.stringMatching(/outages\.1\.mode: .*offline.*silent/)]);
  });
});
