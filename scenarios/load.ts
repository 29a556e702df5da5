/**
 * Reads and checks a scenario file. Every error names the file, the line and column, the path in
 * the document and what was expected; nothing is thrown at the caller but a ScenarioError.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { EventTime } from '../contracts/index.js';
import { isoTimeProblem, offsetOf } from './iso-time.js';
import { scenarioWarnings } from './scenario-checks.js';
import { Scenario } from './schema.js';
import { unknownKeys } from './unknown-keys.js';
import { fleetWarnings } from './fleet/warnings.js';

export class ScenarioError extends Error {
  readonly code = 'EVN_ERR_SCENARIO';
  constructor(readonly file: string, readonly problems: string[]) {
    super(`EVN_ERR_SCENARIO: ${file} is not a valid scenario:\n  ${problems.join('\n  ')}`);
    this.name = 'ScenarioError';
  }
}

export interface LoadedDevice {
  customerId: string;
  id: string;
  kind: z.infer<typeof Scenario>['customers'][number]['devices'][number]['kind'];
  name: string;
  /** params with times as ms, checked by the kind's schema */
  params: unknown;
}

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  startMs: number;
  endMs: number;
  /** the offset of `start`, used for local times in texts and the report */
  utcOffsetMinutes: number;
  tariffPath: string;
  devices: LoadedDevice[];
  /** what is valid but will not play (a fault after the end), each with file:line:col and path: print them */
  warnings: string[];
}

export { offsetOf, timesToMs } from './iso-time.js';

export function loadScenario(file: string): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  return parseScenario(text, file);
}

export function parseScenario(text: string, file: string): LoadedScenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    throw new ScenarioError(file, doc.errors.map((e) => `${file}:${where(lines, e.pos[0])}: YAML: ${e.message.split('\n')[0]}`));
  }
  const raw: unknown = doc.toJS();
  const problems: Problem[] = [];
  const report = (path: PropertyKey[], message: string, key = false, into = problems) => {
    const pos = position(doc, path, key);
    const loc = pos === undefined ? '' : `${file}:${where(lines, pos)} `;
    into.push({ pos: pos ?? -1, text: `${loc}${path.join('.') || '(document)'}: ${message}` });
  };
  // a time inside params that is not one: say what a time looks like, not "expected number, received string"
  const badTimes = new Set<string>();
  const unknown = unknownKeys(Scenario, raw, (schema, value, path) => {
    if (schema !== EventTime || typeof value !== 'string') return;
    const problem = isoTimeProblem(value);
    if (problem) {
      badTimes.add(path.join('.'));
      report(path, problem);
    }
  });
  for (const u of unknown) {
    report(u.path, `unknown key '${u.key}'${u.suggestion ? ` (did you mean '${u.suggestion}'?)` : ''}; expected one of ${u.known.join(', ')}`, true);
  }
  const parsed = Scenario.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      if (i.code === 'unrecognized_keys') continue; // reported above, with a suggestion
      if (badTimes.has(i.path.map(String).join('.'))) continue;
      report(i.path, i.message);
    }
  }
  if (problems.length || !parsed.success) {
    problems.sort((a, b) => a.pos - b.pos);
    const shown = problems.slice(0, MAX_PROBLEMS).map((p) => p.text);
    if (problems.length > MAX_PROBLEMS) shown.push(`... and ${problems.length - MAX_PROBLEMS} more`);
    throw new ScenarioError(file, shown);
  }
  const s = parsed.data;
  const warnings: Problem[] = [];
  // a fleet home's warnings at its template, once per template and param (scenarios/fleet/warnings.ts)
  for (const w of fleetWarnings(s, scenarioWarnings(s))) report(w.path, w.message, false, warnings);
  return {
    file,
    scenario: s,
    startMs: Date.parse(s.start),
    endMs: Date.parse(s.end),
    utcOffsetMinutes: offsetOf(s.start),
    tariffPath: resolve(dirname(file), s.tariff),
    devices: s.customers.flatMap((c) => c.devices.map((d) => ({ customerId: c.id, id: d.id, kind: d.kind, name: d.name, params: d.params }))),
    warnings: warnings.sort((a, b) => a.pos - b.pos).map((w) => w.text),
  };
}

const MAX_PROBLEMS = 20;

interface Problem {
  /** offset in the file, for the order; -1 when the path has no node */
  pos: number;
  text: string;
}

/** where the path's value starts in the file (its key, with key), else its nearest ancestor's */
function position(doc: Document, path: PropertyKey[], key: boolean): number | undefined {
  const keys = path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (key && keys.length) {
    const parent = doc.getIn(keys.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(keys.at(-1)));
      if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
    }
  }
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

function where(lines: LineCounter, offset: number): string {
  const p = lines.linePos(offset);
  return `${p.line}:${p.col}`;
}
