/**
 * The JSON Schema of scenario files (scenarios/scenario.schema.json), generated from the zod schema
 * with zod 4's z.toJSONSchema, so editors complete keys and flag unknown ones as evernet does. A scenario
 * refers to it in its first line: `# yaml-language-server: $schema=./scenario.schema.json`.
 *
 * What the file holds, not what the loader makes of it: the input side (keys with defaults are optional),
 * times in device params as ISO strings (the models get ms), and every object closed
 * (additionalProperties: false) since the loader refuses unknown keys at every level. Draft 7, which
 * the YAML language server and most editors read. Checks across keys (unique ids, deadlines, calendar
 * days) are evernet's alone: `evernet check FILE`.
 *
 * Regenerate with `npm run scenario-schema`; tests/scenarios/json-schema.test.ts fails while the shipped
 * file differs from what this produces.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EventTime } from '../contracts/index.js';
import { ISO_EXPECTED, ISO_RE } from './iso-time.js';
import { Scenario } from './schema.js';

export const SCENARIO_SCHEMA_FILE = fileURLToPath(new URL('./scenario.schema.json', import.meta.url));

export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Scenario, {
    target: 'draft-7',
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      const js = jsonSchema as Record<string, unknown>;
      if (zodSchema === EventTime) {
        for (const k of Object.keys(js)) delete js[k];
        Object.assign(js, { type: 'string', pattern: ISO_RE.source, description: ISO_EXPECTED });
      } else if (js.type === 'object' && js.properties && js.additionalProperties === undefined) {
        js.additionalProperties = false;
      }
    },
  });
  const { $schema, ...rest } = schema as Record<string, unknown>;
  return {
    $schema,
    title: 'evernet scenario',
    description: 'A stretch of simulated time for `evernet replay`: customers, their devices, faults, requests (docs/scenarios.md).',
    ...rest,
  };
}

export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

// npm run scenario-schema
if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText());
  process.stdout.write(`wrote scenarios/scenario.schema.json\n`);
}
