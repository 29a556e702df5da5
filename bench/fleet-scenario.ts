/**
 * The bench's fleet: scenarios/fleet-100.yaml with another number of homes, reporting by exception
 * (a 15-minute heartbeat), sampled every minute, in one-minute windows; with `everyDevice`, three
 * devices in every home (benches `fleet` and `helpdesk`). Written next to the
 * original's tariff so the relative path still holds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { loadScenario, type LoadedScenario } from '../scenarios/load.js';
import { scratchDir } from '../storage/scratch-dir.js';

export interface FleetBenchScenario {
  homes: number;
  mode?: 'exception' | 'periodic';
  heartbeatS?: number;
  sampleEveryS?: number;
  windowS?: number;
  /** the helpdesk decides a window while the devices run the next (scenario `pipeline`; default false) */
  pipeline?: boolean;
  /**
   * every home has each of the templates' devices, a car, a fridge and a washer: the fleet the fleet bench's
   * goals are set for (10,000 homes, 30,000 devices; docs/fleets.md#figures). Default false: drawn by each
   * template's `probability`, as scenarios/fleet-100.yaml has it (about 2.7 a home)
   */
  everyDevice?: boolean;
}

/** the fleet of bench `fleet`, whose runner's part bench `helpdesk` measures alone: pipelined, every device in every home */
export const FLEET_BENCH_FLEET = { pipeline: true, everyDevice: true } as const satisfies Omit<FleetBenchScenario, 'homes'>;

export function fleetScenarioText(o: FleetBenchScenario): string {
  const doc = parseDocument(readFileSync('scenarios/fleet-100.yaml', 'utf8'));
  doc.set('name', `fleet-${o.homes}`);
  doc.set('tariff', resolve('data/de-day-ahead-2020.csv'));
  doc.setIn(['fleet', 'homes'], o.homes);
  if (o.everyDevice) for (const template of (doc.getIn(['fleet', 'devices']) as YAMLSeq<YAMLMap>).items) template.delete('probability');
  doc.set('windowS', o.windowS ?? 60);
  if (o.pipeline) doc.set('pipeline', true);
  doc.set('sampleEveryS', o.sampleEveryS ?? 60);
  doc.set('telemetry', (o.mode ?? 'exception') === 'exception' ? { mode: 'exception', heartbeatS: o.heartbeatS ?? 900 } : { mode: 'periodic' });
  return doc.toString();
}

/** a fleet scenario written for a run: its file, and its folder taken away by `remove()` once nothing reads it */
export interface WrittenFleetScenario {
  file: string;
  remove(): void;
}

/**
 * Writes the scenario to a new temporary folder, for a run whose other processes read the file (a replay's
 * device hosts load it themselves); the caller removes it when the run is over.
 */
export function writeFleetScenario(o: FleetBenchScenario): WrittenFleetScenario {
  const dir = scratchDir('evernet-fleet-');
  const file = join(dir.path, `fleet-${o.homes}.yaml`);
  writeFileSync(file, fleetScenarioText(o));
  return { file, remove: dir.remove };
}

/** the scenario loaded, for a caller that needs its devices and times and no file: nothing is left on disk */
export function loadFleetScenario(o: FleetBenchScenario): LoadedScenario {
  const written = writeFleetScenario(o);
  try {
    return loadScenario(written.file);
  } finally {
    written.remove();
  }
}
