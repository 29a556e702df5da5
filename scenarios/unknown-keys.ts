/**
 * Finds the keys of a document that its zod schema does not know, at every level (device params
 * included), with a "did you mean" for a near miss (`fault` -> `faults`, `telemetryEverys` ->
 * `telemetryEveryS`). zod's plain objects drop unknown keys silently; a scenario must not: a
 * misspelled `faults:` would make a detection test that passes on nothing.
 *
 * The walk follows the schema's definition (zod 4's `_zod.def`) alongside the value, so it needs no
 * schema to be written as strictObject. It also calls `visit` on every (schema, value) pair, which the
 * loader uses to explain a time in params that is not a time.
 */
import type { z } from 'zod';

export interface UnknownKey {
  /** the path of the unknown key itself */
  path: PropertyKey[];
  key: string;
  known: string[];
  suggestion?: string;
}

type Schema = z.core.$ZodType;
interface Def {
  type: string;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  options?: Schema[];
  discriminator?: string;
  valueType?: Schema;
  items?: Schema[];
  rest?: Schema | null;
  getter?: () => Schema;
}

const defOf = (s: Schema): Def => s._zod.def as unknown as Def;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SCALARS = new Set(['number', 'string', 'boolean', 'null', 'array', 'tuple', 'literal', 'enum', 'bigint', 'date']);
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'success']);

export type Visit = (schema: Schema, value: unknown, path: PropertyKey[]) => void;

export function unknownKeys(schema: Schema, value: unknown, visit?: Visit): UnknownKey[] {
  const out: UnknownKey[] = [];
  walk(schema, value, [], out, visit);
  return out;
}

function walk(schema: Schema, value: unknown, path: PropertyKey[], out: UnknownKey[], visit?: Visit): void {
  visit?.(schema, value, path);
  const def = defOf(schema);
  if (WRAPPERS.has(def.type)) return walk(def.innerType!, value, path, out, visit);
  switch (def.type) {
    case 'pipe':
      // z.preprocess(fn, schema): the keys are the inner schema's
      return walk(defOf(def.in!).type === 'transform' ? def.out! : def.in!, value, path, out, visit);
    case 'lazy':
      return walk(def.getter!(), value, path, out, visit);
    case 'object': {
      if (!isRecord(value)) return;
      const shape = def.shape!;
      // z.looseObject (catchall unknown) allows any key; z.object and z.strictObject do not here
      const open = def.catchall !== undefined && defOf(def.catchall).type !== 'never';
      for (const [k, v] of Object.entries(value)) {
        if (Object.hasOwn(shape, k)) walk(shape[k]!, v, [...path, k], out, visit);
        else if (open) walk(def.catchall!, v, [...path, k], out, visit);
        else out.push({ path: [...path, k], key: k, known: Object.keys(shape), suggestion: didYouMean(k, Object.keys(shape)) });
      }
      return;
    }
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walk(def.element!, v, [...path, i], out, visit));
      return;
    case 'tuple':
      if (Array.isArray(value)) value.forEach((v, i) => { const s = def.items![i] ?? def.rest; if (s) walk(s, v, [...path, i], out, visit); });
      return;
    case 'record':
      if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(def.valueType!, v, [...path, k], out, visit);
      return;
    case 'union': {
      const option = pickOption(def, value);
      if (option) walk(option, value, path, out, visit);
      return;
    }
    default:
  }
}

/** the union member the value means: by discriminator, else the first it parses as, else the one it misses least */
function pickOption(def: Def, value: unknown): Schema | undefined {
  const options = def.options!;
  if (def.discriminator && isRecord(value)) {
    const tag = value[def.discriminator];
    return options.find((o) => (o._zod.propValues?.[def.discriminator!] as Set<unknown> | undefined)?.has(tag as never));
  }
  const fits = options.filter((o) => (o as unknown as z.ZodType).safeParse(value).success);
  // an object that fits no member means one of the members that take objects, not a number (no unknown keys there)
  const objects = options.filter((o) => !SCALARS.has(defOf(o).type));
  const candidates = fits.length ? fits : isRecord(value) && objects.length ? objects : options;
  let best: Schema | undefined;
  let fewest = Infinity;
  for (const o of candidates) {
    const n = unknownKeys(o, value).length;
    if (n < fewest) [best, fewest] = [o, n];
  }
  return best;
}

/** the known key a typo most likely meant: same letters in another case, at most 2 edits (1 for short keys), or one stem */
export function didYouMean(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  const limit = key.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  // or a key it starts with, or that starts with it (outputAmps -> outputA), if only one does
  const stems = known.filter((k) => Math.min(k.length, key.length) >= 4 && (lower.startsWith(k.toLowerCase()) || k.toLowerCase().startsWith(lower)));
  return best ?? (stems.length === 1 ? stems[0] : undefined);
}

/** optimal string alignment distance (Levenshtein with adjacent transpositions) */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
