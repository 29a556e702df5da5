/**
 * A device's model (issue 13, item 4): written on a listed device or drawn for a fleet template, it
 * reaches the helpdesk's registry and directory (where mass incidents group by it) and survives a
 * restart; a template without one draws as before.
 */
import { describe, expect, it } from 'vitest';
import { createRegistry, openSqliteRegistryStore } from '../../helpdesk/registry/index.js';
import { silentLogger } from '../../log/logger.js';
import { directoryOf } from '../../scenarios/directory.js';
import { parseScenario, ScenarioError } from '../../scenarios/load.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const FILE = 'scenarios/fleet-model.yaml';
const yaml = (model: string, listed = '') => `name: fleet-model
title: Models
start: "2020-11-02T08:00:00+01:00"
end: "2020-11-02T10:00:00+01:00"
tariff: ../data/de-day-ahead-2020.csv
seed: 5
${listed}fleet:
  homes: 200
  region: { centre: { lat: 50.9375, lon: 6.9603 }, radiusKm: 15 }
  devices:
    - id: car
      kind: car-battery
${model}      params: { capacityAh: { choice: [44, 60] } }
`;

describe('device models', () => {
  const tmp = tempDirPerTest('evernet-model-');

  it('a fleet draws models by weight from a stream of their own: the params drawn stay as they were', () => {
    const without = parseScenario(yaml(''), FILE).scenario.customers;
    const withModels = parseScenario(yaml("      model: { choice: [VARTA-60, BOSCH-S4], weights: [1, 3] }\n"), FILE).scenario.customers;
    expect(withModels.map((c) => c.devices.map((d) => d.params))).toEqual(without.map((c) => c.devices.map((d) => d.params)));
    expect(without.every((c) => c.devices.every((d) => d.model === undefined))).toBe(true);
    const models = withModels.flatMap((c) => c.devices.map((d) => d.model));
    const varta = models.filter((m) => m === 'VARTA-60').length;
    expect(varta + models.filter((m) => m === 'BOSCH-S4').length).toBe(models.length);
    expect(varta / models.length).toBeGreaterThan(0.15);
    expect(varta / models.length).toBeLessThan(0.35);
    const fixed = parseScenario(yaml('      model: AGM-70\n'), FILE).scenario.customers;
    expect(new Set(fixed.flatMap((c) => c.devices.map((d) => d.model)))).toEqual(new Set(['AGM-70']));
  });

  it('refuses weights that do not match the models', () => {
    expect(() => parseScenario(yaml('      model: { choice: [A, B], weights: [1] }\n'), FILE)).toThrow(ScenarioError);
  });

  it('a listed device names its model; the registry keeps it across a restart and the directory shows it', () => {
    const listed = `customers:
  - id: maria
    name: Maria
    home: { lat: 50.94, lon: 6.95 }
    preferences: { channels: [app-push] }
    devices:
      - { id: car, kind: car-battery, name: Maria's car, model: VARTA-60 }
`;
    const world = directoryOf(parseScenario(yaml('', listed), FILE));
    expect(world.customers[0]!.devices[0]!.model).toBe('VARTA-60');
    const file = tmp.join('helpdesk.db');
    const log = silentLogger();
    const first = createRegistry({ store: openSqliteRegistryStore({ path: file }), log });
    first.seed(world, 0);
    first.close();
    const again = createRegistry({ store: openSqliteRegistryStore({ path: file }), log });
    expect(again.directory.device('maria', 'car')!.model).toBe('VARTA-60');
    expect(again.directory.device('home-0001', 'home-0001-car')!.model).toBeUndefined();
    expect(again.seed(world, 1)).toBe(false);
    again.close();
  });
});
