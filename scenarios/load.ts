/**
 * Reads and checks a scenario file. Every error names the file, the line and column, the path in
 * the document and what was expected; nothing is thrown at the caller but a ScenarioError.
 */
import { deviceKey } from '../contracts/index.js';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { KINDS } from '../devices/kinds/index.js';
import { offsetMinutesAt, offsetZone } from '../contracts/time-zone.js';
import { ISO_RE, Scenario } from './schema.js';

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
}

/** Turns ISO time strings anywhere inside a value into epoch ms. */
export function timesToMs(v: unknown): unknown {
  if (typeof v === 'string' && ISO_RE.test(v)) return Date.parse(v);
  if (Array.isArray(v)) return v.map(timesToMs);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, timesToMs(x)]));
  return v;
}

export function offsetOf(iso: string): number {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

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
    throw new ScenarioError(file, doc.errors.map((e) => `${where(lines, e.pos[0])}: YAML: ${e.message.split('\n')[0]}`));
  }
  const at = (path: PropertyKey[]): string => {
    const node = doc.getIn(path.map((p) => (typeof p === 'symbol' ? String(p) : p)), true);
    return isNode(node) && node.range ? where(lines, node.range[0]) : '';
  };
  const fail = (issues: z.core.$ZodIssue[], prefix: PropertyKey[] = []) =>
    new ScenarioError(
      file,
      issues.slice(0, 10).map((i) => {
        const path = [...prefix, ...i.path];
        const loc = at(path) || at(path.slice(0, -1));
        return `${loc ? `${file}:${loc} ` : ''}${path.join('.') || '(document)'}: ${i.message}`;
      }),
    );
  const parsed = Scenario.safeParse(doc.toJS());
  if (!parsed.success) throw fail(parsed.error.issues);
  const s = parsed.data;
  const startMs = Date.parse(s.start);
  const endMs = Date.parse(s.end);
  if (!(endMs > startMs)) throw new ScenarioError(file, [`end: ${s.end} must come after start ${s.start}`]);
  // the report writes times with the offset of start, the helpdesk with the zone: they must agree at the start
  if (s.timeZone !== undefined && offsetMinutesAt(s.timeZone, startMs) !== offsetOf(s.start)) {
    const inZone = offsetZone(offsetMinutesAt(s.timeZone, startMs));
    throw new ScenarioError(file, [`${at(['start'])} start: ${s.start} has another offset than ${s.timeZone} at that time (${inZone})`]);
  }

  const devices: LoadedDevice[] = [];
  const seen = new Set<string>();
  s.customers.forEach((c, ci) =>
    c.devices.forEach((d, di) => {
      const key = deviceKey(c.id, d.id);
      if (seen.has(key)) throw new ScenarioError(file, [`customers.${ci}.devices.${di}.id: device ${key} appears twice`]);
      seen.add(key);
      const params = KINDS[d.kind].params.safeParse(timesToMs(d.params));
      if (!params.success) throw fail(params.error.issues, ['customers', ci, 'devices', di, 'params']);
      devices.push({ customerId: c.id, id: d.id, kind: d.kind, name: d.name, params: params.data });
    }),
  );
  s.requests.forEach((r, i) => {
    if (!s.customers.some((c) => c.id === r.customer)) {
      throw new ScenarioError(file, [`${at(['requests', i, 'customer'])} requests.${i}.customer: no customer '${r.customer}'`]);
    }
  });
  return {
    file,
    scenario: s,
    startMs,
    endMs,
    utcOffsetMinutes: offsetOf(s.start),
    tariffPath: resolve(dirname(file), s.tariff),
    devices,
  };
}

function where(lines: LineCounter, offset: number): string {
  const p = lines.linePos(offset);
  return `${p.line}:${p.col}`;
}
