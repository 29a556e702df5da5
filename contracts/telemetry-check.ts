/**
 * A compiled check in front of the hottest schema, telemetry (every reading of every device): a message
 * it passes is one the zod schema would return unchanged, so decode takes it as it is; anything else
 * goes to zod, which gives its value or its coded error as before. zod's check of a fleet's
 * telemetry was ≈ 8 % of a replay's helpdesk; this one costs a fraction of it.
 *
 * Built with ajv from the zod schema's own JSON Schema (`z.toJSONSchema`, output side: every object
 * closed, every field of telemetry required), so the two cannot drift apart. What it leaves to zod:
 * - a message with `extra` readings (a board's own sensors): their count is a refinement JSON Schema
 *   does not carry, so `extra` is taken out of the compiled schema and such a message fails it;
 * - fields in another order than the schema's: zod returns its fields in the schema's order, and
 *   what the helpdesk stores and reports must not depend on which of the two checked a message.
 * The test (tests/contracts/telemetry-check.test.ts) holds it to zod over valid and broken messages.
 */
import { Ajv } from 'ajv';
import { z } from 'zod';
import { Telemetry } from './payloads.js';

interface ObjectSchema {
  type: 'object';
  properties: Record<string, { const?: unknown; properties?: Record<string, unknown> }>;
  required?: string[];
  additionalProperties?: boolean;
}

const jsonSchema = z.toJSONSchema(Telemetry, { io: 'output', unrepresentable: 'throw' }) as { oneOf: ObjectSchema[] } & Record<string, unknown>;
/** each kind's fields in the schema's order: the envelope's and the body's, and its readings' */
const orderOf = new Map<unknown, { fields: string[]; readings: string[] }>();
for (const branch of jsonSchema.oneOf) {
  delete branch.properties.extra;
  const fields = Object.keys(branch.properties);
  if (branch.additionalProperties !== false || fields.some((f) => !branch.required?.includes(f))) {
    throw new Error('contracts/telemetry-check: the telemetry schema has an open object or an optional field; the compiled check assumes neither');
  }
  orderOf.set(branch.properties.kind!.const, { fields, readings: Object.keys(branch.properties.readings!.properties ?? {}) });
}
delete jsonSchema.$schema;
const compiled = new Ajv({ strict: true, allErrors: false, discriminator: true }).compile({ ...jsonSchema, type: 'object', discriminator: { propertyName: 'kind' } });

/** true when the object's own keys are exactly `keys`, in that order */
function inOrder(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) if (k !== keys[i++]) return false;
  return i === keys.length;
}

/** true when zod's Telemetry schema would return `json` as it is (same fields, same order, same values) */
export function isPlainTelemetry(json: unknown): json is Telemetry {
  if (!compiled(json)) return false;
  const t = json as { kind: unknown; readings: object };
  const order = orderOf.get(t.kind)!;
  return inOrder(t, order.fields) && inOrder(t.readings, order.readings);
}
