/**
 * The JSON Schema shipped for editors is the zod schema's, every bundled scenario points to it and
 * passes it, it closes every object as the loader does, and docs/scenarios.md names every key in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema, scenarioJsonSchemaText } from '../../scenarios/json-schema.js';

const SHIPPED = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/${f}`);
const SCHEMA_LINE = '# yaml-language-server: $schema=./scenario.schema.json';

function keysOf(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) schema.forEach((s) => keysOf(s, into));
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'properties') for (const name of Object.keys(v as object)) into.add(name);
      keysOf(v, into);
    }
  }
  return into;
}

describe('scenarios/scenario.schema.json', () => {
  it('is what the zod schema generates (npm run scenario-schema writes it)', () => {
    expect(readFileSync('scenarios/scenario.schema.json', 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('is referenced from the first line of every bundled scenario', () => {
    expect(SHIPPED.length).toBeGreaterThanOrEqual(4);
    for (const f of SHIPPED) expect(readFileSync(f, 'utf8').split('\n')[0], f).toBe(SCHEMA_LINE);
  });

  it('accepts every bundled scenario and flags misspelled keys at every level, as an editor would', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(scenarioJsonSchema());
    for (const f of SHIPPED) {
      const ok = validate(parse(readFileSync(f, 'utf8')));
      expect(validate.errors ?? [], f).toEqual([]);
      expect(ok).toBe(true);
    }
    const day = readFileSync('scenarios/day-in-2020.yaml', 'utf8');
    for (const [from, to, where] of [
      ['telemetryEveryS: 1', 'telemetryEverys: 1', ''],
      ['capacityAh: 60', 'capacityAH: 60', '/customers/0/devices/0/params'],
      ['kind: failing-alternator,', 'kind: failing-alternator, outputAmps: 5,', '/customers/0/devices/0/params/faults/0'],
    ] as const) {
      expect(validate(parse(day.replace(from, to)))).toBe(false);
      expect(validate.errors!.some((e) => e.keyword === 'additionalProperties' && e.instancePath === where), `${to}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // a time in device params is written as an ISO string
    expect(validate(parse(day.replace('at: "2020-11-02T18:40:00+01:00"', 'at: "18:40"')))).toBe(false);
  });

  it('has every key documented in docs/scenarios.md', () => {
    // a key counts as documented when it is a word inside `code` (`capacityAh`, `{at, outputA}`)
    const doc = readFileSync('docs/scenarios.md', 'utf8');
    const words = new Set([...doc.matchAll(/`([^`\n]+)`/g)].flatMap((m) => m[1]!.split(/[^A-Za-z0-9_]+/)));
    const missing = [...keysOf(scenarioJsonSchema())].filter((k) => !words.has(k));
    expect(missing).toEqual([]);
  });
});
