/**
 * Fleets (issue 13, item 1): a `fleet:` block expands into ordinary customers, deterministically from
 * the seed (byte for byte), each home from its own streams; draws keep to their distributions, fault
 * rates and regions; bad blocks are refused with file:line:col and path.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../cli/check-command.js';
import { parseScenario, ScenarioError, type LoadedScenario } from '../../scenarios/load.js';
import { captured, evernet } from '../helpers/cli-capture.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const FILE = 'scenarios/fleet-test.yaml';
const HEAD = `name: fleet-test
title: A fleet
start: "2020-11-02T08:00:00+01:00"
end: "2020-11-03T08:00:00+01:00"
tariff: ../data/de-day-ahead-2020.csv
`;

/** a scenario of `homes` homes with one device template (indented YAML under `devices:`) */
function fleetYaml(homes: number, devices: string, extra = '', seed = 1): string {
  return `${HEAD}seed: ${seed}
fleet:
  homes: ${homes}
  region: { centre: { lat: 50.9375, lon: 6.9603 }, radiusKm: 15 }
${extra}  devices:
${devices}`;
}

const load = (text: string): LoadedScenario => parseScenario(text, FILE);

function problems(text: string): string[] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

const CAR = `    - id: car
      kind: car-battery
      params:
        capacityAh: { normal: { mean: 60, sd: 15, min: 40, max: 80 } }
        initialSoc: { uniform: [0.5, 0.9] }
        ambientC: { choice: [-5, 8, 30], weights: [1, 0, 1] }
        trips:
          - { start: { between: ["2020-11-02T08:00:00+01:00", "2020-11-02T09:00:00+01:00"] }, durationMin: { uniform: [10, 40] } }
      faults:
        - { kind: failing-alternator, rate: 0.1, window: { from: "2020-11-02T10:00:00+01:00", to: "2020-11-02T12:00:00+01:00" }, outputA: { uniform: [5, 15] } }
`;

describe('fleet expansion', () => {
  const shipped = readFileSync('scenarios/fleet-100.yaml', 'utf8');

  it('expands the shipped fleet-100 into 100 homes with readable ids, and says what it made', () => {
    const l = parseScenario(shipped, 'scenarios/fleet-100.yaml');
    expect(l.scenario.fleetCounts).toEqual({ homes: 100, devices: l.devices.length, faults: expect.any(Number) });
    expect(l.scenario.customers.map((c) => c.id).slice(0, 3)).toEqual(['home-0001', 'home-0002', 'home-0003']);
    expect(l.scenario.customers.at(-1)!.id).toBe('home-0100');
    expect(l.devices.length).toBeGreaterThan(200);
    for (const d of l.devices) expect(d.id.startsWith(`${d.customerId}-`)).toBe(true);
    expect(l.devices.find((d) => d.customerId === 'home-0001' && d.kind === 'fridge')!.id).toBe('home-0001-fridge');
  });

  it('expands fleet-100 to what it did when it was written (a change to the draws shows here: update the pin only on purpose)', () => {
    const l = parseScenario(shipped, 'scenarios/fleet-100.yaml');
    expect(l.scenario.fleetCounts).toEqual({ homes: 100, devices: 264, faults: 8 });
    expect(createHash('sha256').update(JSON.stringify(l.scenario.customers)).digest('hex')).toBe('ce9629eb2732df13bf8da865da80d841f2695d37bc38c8d4e9e3d69f38cdc6f0');
  });

  it('is the same for the same seed, byte for byte, and differs for another seed', () => {
    const a = JSON.stringify(load(fleetYaml(50, CAR)).scenario.customers);
    const b = JSON.stringify(load(fleetYaml(50, CAR)).scenario.customers);
    const c = JSON.stringify(load(fleetYaml(50, CAR, '', 2)).scenario.customers);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('draws each home from its own stream: home 7 is the same in a fleet of 10 and of 40, and a new template leaves the others alone', () => {
    const small = load(fleetYaml(10, CAR)).scenario.customers;
    const large = load(fleetYaml(40, CAR)).scenario.customers;
    expect(large.slice(0, 10)).toEqual(small);
    const fridge = `    - { id: fridge, kind: fridge, params: { setpointC: { uniform: [2, 6] } } }\n`;
    const withFridge = load(fleetYaml(10, fridge + CAR)).scenario.customers;
    expect(withFridge.map((c) => c.devices.find((d) => d.kind === 'car-battery'))).toEqual(small.map((c) => c.devices[0]));
  });

  it('keeps draws within their distributions, honours weights, counts and probabilities, and strikes faults at the rate within their window', () => {
    const l = load(fleetYaml(2000, CAR));
    const cars = l.scenario.customers.map((c) => c.devices[0]!.params as { capacityAh: number; initialSoc: number; ambientC: number; faults: Array<{ at: number; outputA: number }>; trips: Array<{ start: number; end: number }> });
    expect(cars).toHaveLength(2000);
    const caps = cars.map((p) => p.capacityAh);
    expect(Math.min(...caps)).toBe(40); // clamped, sd 15 reaches beyond
    expect(Math.max(...caps)).toBe(80);
    expect(Math.abs(caps.reduce((a, b) => a + b, 0) / caps.length - 60)).toBeLessThan(1);
    const socs = cars.map((p) => p.initialSoc);
    expect(Math.min(...socs)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...socs)).toBeLessThan(0.9);
    expect(new Set(cars.map((p) => p.ambientC))).toEqual(new Set([-5, 30])); // weight 0: never 8
    const [from, to] = [Date.parse('2020-11-02T10:00:00+01:00'), Date.parse('2020-11-02T12:00:00+01:00')];
    const faults = cars.flatMap((p) => p.faults);
    expect(faults.length).toBeGreaterThan(150); // 10 % of 2000, binomial sd ≈ 13
    expect(faults.length).toBeLessThan(250);
    for (const f of faults) {
      expect(f.at).toBeGreaterThanOrEqual(from);
      expect(f.at).toBeLessThan(to);
      expect(f.outputA).toBeGreaterThanOrEqual(5);
      expect(f.outputA).toBeLessThan(15);
    }
    for (const p of cars) {
      const minutes = (p.trips[0]!.end - p.trips[0]!.start) / 60_000;
      expect(minutes).toBeGreaterThanOrEqual(10);
      expect(minutes).toBeLessThanOrEqual(40);
    }
    expect(l.scenario.fleetCounts).toEqual({ homes: 2000, devices: 2000, faults: faults.length });

    const some = `    - { id: tv-car, kind: car-battery, count: 2, probability: 0.3 }\n`;
    const s = load(fleetYaml(1000, some)).scenario;
    expect(s.customers.length).toBeGreaterThan(240);
    expect(s.customers.length).toBeLessThan(360);
    expect(s.customers[0]!.devices.map((d) => d.id)).toEqual([`${s.customers[0]!.id}-tv-car-1`, `${s.customers[0]!.id}-tv-car-2`]);
  });

  it('spreads homes over the disc or the box', () => {
    const disc = load(fleetYaml(1000, `    - { id: fridge, kind: fridge }\n`)).scenario.customers;
    const km = (a: { lat: number; lon: number }) => {
      const dLat = (a.lat - 50.9375) * 111.32;
      const dLon = (a.lon - 6.9603) * 111.32 * Math.cos((50.9375 * Math.PI) / 180);
      return Math.hypot(dLat, dLon);
    };
    const d = disc.map((c) => km(c.home));
    expect(Math.max(...d)).toBeLessThanOrEqual(15.01);
    expect(d.filter((x) => x < 7.5).length / d.length).toBeGreaterThan(0.2); // uniform over the area: ≈ 1/4 inside half the radius
    expect(d.filter((x) => x < 7.5).length / d.length).toBeLessThan(0.3);
    const boxed = fleetYaml(300, `    - { id: fridge, kind: fridge }\n`).replace('{ centre: { lat: 50.9375, lon: 6.9603 }, radiusKm: 15 }', '{ box: { south: 48, west: 8, north: 49, east: 10 } }');
    for (const c of load(boxed).scenario.customers) {
      expect(c.home.lat).toBeGreaterThanOrEqual(48);
      expect(c.home.lat).toBeLessThanOrEqual(49);
      expect(c.home.lon).toBeGreaterThanOrEqual(8);
      expect(c.home.lon).toBeLessThanOrEqual(10);
    }
  });

  it('mixes preferences by weight, and draws washer loads with their offers and deadlines', () => {
    const prefs = `  preferences:
    - { weight: 3, channels: [app-push, sms], quietHours: { from: "22:00", to: "07:00" } }
    - { weight: 1, channels: [email] }
`;
    const washer = `    - id: washer
      kind: washer
      params:
        loads:
          - { at: { between: ["2020-11-02T18:00:00+01:00", "2020-11-02T20:00:00+01:00"] }, programme: { choice: [cotton-40, quick-30] }, deadlineAfterH: { uniform: [8, 10] } }
`;
    const s = load(fleetYaml(400, washer, prefs)).scenario;
    const email = s.customers.filter((c) => c.preferences.channels[0] === 'email').length;
    expect(email).toBeGreaterThan(70);
    expect(email).toBeLessThan(130);
    const load0 = (s.customers[0]!.devices[0]!.params as { loads: Array<{ at: number; deadline: number; offerId: string; programme: string }> }).loads[0]!;
    expect(load0.offerId).toBe('home-0001-washer-load-1');
    expect((load0.deadline - load0.at) / 3600_000).toBeGreaterThanOrEqual(8);
    expect(['cotton-40', 'quick-30']).toContain(load0.programme);
  });

  it('adds the fleet to listed customers, whom outages and requests may name like a fleet home', () => {
    const listed = readFileSync('scenarios/day-in-2020.yaml', 'utf8');
    const text = `${listed}\nfleet:\n  homes: 3\n  region: { centre: { lat: 50.9375, lon: 6.9603 }, radiusKm: 5 }\n  devices:\n    - { id: fridge, kind: fridge }\noutages:\n  - { customer: home-0002, device: home-0002-fridge, from: "2020-11-02T10:00:00+01:00", to: "2020-11-02T11:00:00+01:00" }\n`;
    const l = parseScenario(text, 'scenarios/x.yaml');
    expect(l.scenario.customers.map((c) => c.id)).toEqual(['maria', 'home-0001', 'home-0002', 'home-0003']);
  });
});

describe('fleet validation', () => {
  it('refuses a normal whose min exceeds its max, at its line', () => {
    const text = fleetYaml(5, CAR.replace('min: 40, max: 80', 'min: 90, max: 80').replace('mean: 60', 'mean: 85'));
    const p = problems(text);
    expect(p.some((x) => x.startsWith(`${FILE}:${lineOf(text, 'capacityAh')}:`) && x.includes('fleet.devices.0.params.capacityAh.normal.max: min must not exceed max'))).toBe(true);
  });

  it('refuses a rate outside [0, 1]', () => {
    const text = fleetYaml(5, CAR.replace('rate: 0.1', 'rate: 1.5'));
    const p = problems(text);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(new RegExp(`^${FILE.replace('.', '\\.')}:${lineOf(text, 'rate: 1.5')}:\\d+ fleet\\.devices\\.0\\.faults\\.0\\.rate: `));
  });

  it('refuses a param the kind does not have, with a did-you-mean, and a fault the kind does not have', () => {
    const text = fleetYaml(5, CAR.replace('initialSoc:', 'initialSco:'));
    const p = problems(text);
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(`${FILE}:${lineOf(text, 'initialSco')}:9 fleet.devices.0.params.initialSco: unknown key 'initialSco' (did you mean 'initialSoc'?)`);
    const typo = problems(fleetYaml(5, CAR.replace('sd: 15', 'sdd: 15')));
    expect(typo.some((x) => x.includes("unknown key 'sdd' (did you mean 'sd'?)"))).toBe(true);
    const center = problems(fleetYaml(5, CAR).replace('{ centre:', '{ center:'));
    expect(center.some((x) => x.includes("fleet.region.center: unknown key 'center' (did you mean 'centre'?)"))).toBe(true);
    const uniformm = problems(fleetYaml(5, CAR.replace('{ uniform: [0.5, 0.9] }', '{ uniformm: [0.5, 0.9] }')));
    expect(uniformm.some((x) => x.includes("initialSoc.uniformm: unknown key 'uniformm' (did you mean 'uniform'?)"))).toBe(true);
    const wrongFault = problems(fleetYaml(5, CAR.replace('kind: failing-alternator', 'kind: door-ajar')));
    expect(wrongFault.some((x) => x.includes('fleet.devices.0.faults.0.kind'))).toBe(true);
  });

  it("refuses a bound the kind refuses once, at the template, and a draw beyond the kind's range with the home that drew it", () => {
    const text = fleetYaml(5, CAR.replace('max: 80', 'max: 600'));
    const p = problems(text);
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(`${FILE}:${lineOf(text, 'capacityAh')}:`);
    expect(p[0]).toContain('fleet.devices.0.params.capacityAh: 600 is not a car-battery capacityAh');
    // no bounds: a wide normal leaves the model's range in some home
    const wide = fleetYaml(200, `    - { id: car, kind: car-battery, params: { initialSoc: { normal: { mean: 0.5, sd: 1 } } } }\n`);
    const q = problems(wide);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatch(/fleet\.devices\.0\.params\.initialSoc: home-\d{4}-car drew initialSoc = -?[\d.]+: .*narrow the distribution/);
  });

  it('refuses weights that do not match the choices, an empty file, and ids too long', () => {
    expect(problems(fleetYaml(5, CAR.replace('weights: [1, 0, 1]', 'weights: [1, 0]'))).some((x) => x.includes('ambientC.weights: one weight for each choice'))).toBe(true);
    expect(problems(`${HEAD}`).some((x) => x.includes('customers: at least one customer, or a fleet'))).toBe(true);
    const long = fleetYaml(5, CAR).replace('  homes: 5\n', `  homes: 5\n  idPrefix: ${'h'.repeat(55)}\n`);
    expect(problems(long).some((x) => x.includes('fleet.devices.0.id: ids of at most 63 characters'))).toBe(true);
  });

  it('evernet check prints what a fleet expands to', async () => {
    const r = await captured(checkCommand, ['scenarios/fleet-100.yaml']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^scenarios\/fleet-100\.yaml: valid \(100 customers, \d+ devices, .*a fleet expanding to 100 homes, \d+ devices, \d+ faults\)/);
  });
});

describe('a fleet in a slice of the day', () => {
  const tmp = tempDirPerTest('evernet-fleet-');
  // fleet-100 cut to 5 homes and 10 minutes: its trips, loads and faults mostly fall after the end
  const slice = readFileSync('scenarios/fleet-100.yaml', 'utf8')
    .replace('end: "2020-11-03T08:00:00+01:00"', 'end: "2020-11-02T08:10:00+01:00"')
    .replace('homes: 100', 'homes: 5')
    .replace('tariff: ../data/', `tariff: ${process.cwd()}/data/`);

  it('warns once per template and param, at the template, with a count and an example home', () => {
    const text = slice.replace('homes: 5', 'homes: 200');
    const l = parseScenario(text, FILE);
    const trips = l.warnings.filter((w) => w.includes('fleet.devices.0.params.trips'));
    expect(trips).toHaveLength(1);
    expect(trips[0]).toMatch(new RegExp(`^${FILE.replace('.', '\\.')}:${lineOf(text, '          - start:')}:\\d+ fleet\\.devices\\.0\\.params\\.trips: \\d+ times in the fleet, e\\.g\\. home-\\d{4}-car \\(trips\\.\\d\\.start\\): .* is after the scenario's end`));
    expect(l.warnings.length).toBeLessThanOrEqual(3); // trips, faults, loads: not one per home
    expect(l.warnings.some((w) => w.includes('customers.'))).toBe(false);
  });

  it('replays with the ordinary engine: every expanded device connects and reports', async () => {
    const file = tmp.join('slice.yaml');
    writeFileSync(file, slice);
    const json = tmp.join('report.json');
    const r = await evernet('replay', file, '--report-json', json);
    expect(r.err).not.toMatch(/EVN_ERR_(?!SCENARIO)/);
    expect(r.code).toBe(0);
    const devices = parseScenario(slice, file).devices.length;
    const report = JSON.parse(readFileSync(json, 'utf8')) as { messages: { published: number; delivered: number } };
    // fleet-100 reports by exception: from each device at least its announce, "online" and first telemetry, nothing lost
    expect(report.messages.published).toBeGreaterThanOrEqual(devices * 3);
    expect(report.messages.delivered).toBe(report.messages.published);
  }, 60_000);
});
