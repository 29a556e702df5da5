/**
 * The benches' fleet scenario (bench/fleet-scenario.ts) is written to a temporary folder, which every bench
 * and test that writes one used to leave behind: one folder a run, hundreds on a machine that benches daily.
 * Written, it is there until removed; loaded for its devices alone, nothing is left.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFleetScenario, writeFleetScenario } from '../../bench/fleet-scenario.js';
import { loadScenario } from '../../scenarios/load.js';
import { tmpdirPerTest } from '../helpers/temp-dir.js';

describe("the benches' fleet scenario", () => {
  // a temporary folder of this test's own: what the code under test leaves in it is all there is
  const tmp = tmpdirPerTest('evernet-fleet-scenario-test-');

  it('written, is there to be read by other processes until removed, and then leaves nothing', () => {
    const written = writeFleetScenario({ homes: 3 });
    expect(written.file.startsWith(tmp.path)).toBe(true);
    expect(loadScenario(written.file).devices.length).toBeGreaterThan(3);
    written.remove();
    expect(existsSync(written.file)).toBe(false);
    expect(readdirSync(tmp.path)).toEqual([]);
  });

  it("with every device, has a car, a fridge and a washer in each home: the fleet the benches' goals are set for", () => {
    const drawn = loadFleetScenario({ homes: 40 });
    const every = loadFleetScenario({ homes: 40, everyDevice: true });
    expect(every.devices.length).toBe(120);
    for (const kind of ['car-battery', 'fridge', 'washer']) expect(every.devices.filter((d) => d.kind === kind)).toHaveLength(40);
    // drawn, as scenarios/fleet-100.yaml has it: some homes have no car or no washer
    expect(drawn.devices.length).toBeLessThan(120);
    expect(drawn.devices.length).toBeGreaterThan(80);
  });

  it('loaded for its devices alone, leaves nothing behind', () => {
    const loaded = loadFleetScenario({ homes: 3, pipeline: true });
    expect(loaded.devices.length).toBeGreaterThan(3);
    expect(loaded.scenario.pipeline).toBe(true);
    expect(readdirSync(tmp.path)).toEqual([]);
  });
});
