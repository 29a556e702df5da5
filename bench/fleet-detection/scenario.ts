/**
 * The fleet the `fleet-detection` group replays: scenarios/fleet-100.yaml's homes and templates (its
 * parameter distributions: battery sizes, ages and charge, ambients, set points, commutes, washer
 * habits) with every fault kind the models have at rates high enough that each occurs often, each in
 * a window where the device can show it within the day (below), and a washer load in every home that
 * has a washer (a washer fault shows only in a wash). Telemetry: sensors sampled every minute,
 * published every minute (`periodic`) or by exception with a 15-minute heartbeat (`exception`).
 * Nothing is written to disk: the text is parsed as if it were fleet-100.yaml, so its tariff resolves.
 */
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { parseScenario, type LoadedScenario } from '../../scenarios/load.js';

const BASE = 'scenarios/fleet-100.yaml';
const H = 3_600_000;

export type TelemetryMode = 'periodic' | 'exception';

/**
 * A fault kind's rate and window, in hours from the replay's start (fleet-100: 08:00 on Monday). The
 * windows are where the fault can show within a 24-hour day:
 * - a failing alternator shows while the engine runs: before the evening commute (from 16:30);
 * - a weak cell shows at a crank; it degrades over 1 to 3 days (a step to 3× would leave the car unable
 *   to crank at once: noticed before any crank could tell), from the morning, so that by the evening
 *   crank it has degraded enough to show (one that began an hour before it does not, and the next crank
 *   is the next morning's, after the day);
 * - fridge-duty learns a fridge's own duty for its first 12 h: a door ajar or a worn seal that strikes
 *   before it is learnt as the fridge's usual, so they strike after it (docs/detection.md);
 * - a washer fault strikes before the evening's loads.
 * Every other fault leaves at least 6 hours of the day to be found in.
 */
export const FAULT_RATES: ReadonlyArray<{ template: string; kind: string; rate: number; fromH: number; toH: number; params?: Record<string, unknown> }> = [
  { template: 'car', kind: 'failing-alternator', rate: 0.1, fromH: 0, toH: 8.25 },
  { template: 'car', kind: 'parasitic-drain', rate: 0.1, fromH: 0, toH: 18, params: { currentA: { uniform: [0.5, 2] } } },
  { template: 'car', kind: 'weak-cell', rate: 0.1, fromH: 0, toH: 4, params: { overDays: { uniform: [1, 3] } } },
  { template: 'fridge', kind: 'compressor-failure', rate: 0.08, fromH: 0, toH: 18 },
  { template: 'fridge', kind: 'door-ajar', rate: 0.08, fromH: 12, toH: 18 },
  { template: 'fridge', kind: 'worn-seal', rate: 0.08, fromH: 12, toH: 18 },
  { template: 'washer', kind: 'heater-failure', rate: 0.1, fromH: 0, toH: 10 },
  { template: 'washer', kind: 'drain-blocked', rate: 0.1, fromH: 0, toH: 10 },
];

export interface FleetDetectionScenario {
  homes: number;
  mode: TelemetryMode;
  /** the replay's length from fleet-100's start; default 24. A fault window past it shrinks to the run */
  hours?: number;
  /** false: no faults at all (a healthy fleet) */
  faults?: boolean;
  /** the fleet's seed (the population it draws); default fleet-100's */
  seed?: number;
}

export function fleetDetectionText(o: FleetDetectionScenario): string {
  const doc = parseDocument(readFileSync(BASE, 'utf8'));
  const hours = o.hours ?? 24;
  const startMs = Date.parse(String(doc.get('start')));
  const iso = (ms: number): string => new Date(ms).toISOString();
  doc.set('name', `fleet-detection-${o.homes}-${o.mode}`);
  doc.set('end', iso(startMs + hours * H));
  if (o.seed !== undefined) doc.set('seed', o.seed);
  doc.set('telemetryEveryS', 60);
  doc.set('sampleEveryS', 60);
  doc.set('windowS', 60);
  doc.set('telemetry', o.mode === 'exception' ? { mode: 'exception', heartbeatS: 900 } : { mode: 'periodic' });
  doc.setIn(['fleet', 'homes'], o.homes);
  const templates = doc.getIn(['fleet', 'devices']) as { items: Array<{ get(k: string): unknown; set(k: string, v: unknown): void; getIn(p: unknown[]): unknown; setIn(p: unknown[], v: unknown): void }> };
  for (const t of templates.items) {
    const id = String(t.get('id'));
    const faults = (o.faults ?? true ? FAULT_RATES.filter((f) => f.template === id) : []).map((f) => {
      const [fromH, toH] = f.fromH < hours ? [f.fromH, Math.min(f.toH, hours)] : [0, hours];
      return { kind: f.kind, rate: f.rate, window: { from: iso(startMs + fromH * H), to: iso(startMs + toH * H) }, ...f.params };
    });
    t.set('faults', faults);
    // every washer is loaded once in the evening: its faults show only in a wash
    if (id === 'washer') t.setIn(['params', 'loads', 0, 'probability'], 1);
  }
  return doc.toString();
}

export function fleetDetectionScenario(o: FleetDetectionScenario): LoadedScenario {
  return parseScenario(fleetDetectionText(o), resolve(BASE));
}
