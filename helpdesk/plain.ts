/**
 * Plain data for checkpoints (helpdesk/checkpoint.ts): the helpdesk's in-memory state as JSON that
 * survives `JSON.parse(JSON.stringify(x))` exactly. What JSON cannot hold is tagged: a number that is
 * not finite or is -0 (`{"$n":"-Infinity"}`), undefined (`{"$u":1}`), a Map (`{"$map":[[k,v],...]}`),
 * a Set (`{"$set":[...]}`), a Float64Array or Int32Array (`{"$f64":[...]}`, `{"$i32":[...]}`). A plain
 * object with a key that starts with `$` is wrapped (`{"$o":{...}}`) so it is never taken for a tag.
 * Insertion order of maps, sets and keys is kept. A class instance, a function or a bigint has no plain
 * form: its module must give a snapshot of its own (EVN_ERR_CHECKPOINT_INVALID otherwise). References
 * are not kept: an object reachable twice comes back as two copies, so each module's snapshot names
 * shared objects by key, never twice.
 */
import { codeTable } from '../contracts/errors.js';

export const CHECKPOINT_ERR = codeTable({
  VERSION: 'EVN_ERR_CHECKPOINT_VERSION',
  INVALID: 'EVN_ERR_CHECKPOINT_INVALID',
});

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

export class CheckpointError extends Error {
  constructor(
    readonly code: (typeof CHECKPOINT_ERR)[keyof typeof CHECKPOINT_ERR],
    reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}

const NUMBERS: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY, '-0': -0 };

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `v` as plain JSON data; `at` names where it is for an error */
export function toPlain(v: unknown, at = 'checkpoint'): Plain {
  switch (typeof v) {
    case 'number':
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      return { $n: Object.is(v, -0) ? '-0' : String(v) };
    case 'string':
    case 'boolean':
      return v;
    case 'undefined':
      return { $u: 1 };
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) return Array.from(v, (x, i) => toPlain(x, `${at}[${i}]`));
      if (v instanceof Map) return { $map: [...v].map(([k, x], i) => [toPlain(k, `${at}<key ${i}>`), toPlain(x, `${at}<${String(k)}>`)]) };
      if (v instanceof Set) return { $set: [...v].map((x, i) => toPlain(x, `${at}{${i}}`)) };
      if (v instanceof Float64Array) return { $f64: Array.from(v, (x) => toPlain(x)) };
      if (v instanceof Int32Array) return { $i32: Array.from(v) };
      if (!isPlainObject(v)) throw new CheckpointError(CHECKPOINT_ERR.INVALID, `${at} is a ${v.constructor?.name ?? 'class instance'}, which has no plain form: its module must snapshot it`);
      const out: Record<string, Plain> = {};
      let tagged = false;
      for (const [k, x] of Object.entries(v)) {
        if (k.startsWith('$')) tagged = true;
        out[k] = toPlain(x, `${at}.${k}`);
      }
      return tagged ? { $o: out } : out;
    }
    default:
      throw new CheckpointError(CHECKPOINT_ERR.INVALID, `${at} is a ${typeof v}, which has no plain form`);
  }
}

/** the value toPlain() was given (fresh objects: nothing is shared with `p`) */
export function fromPlain(p: Plain): unknown {
  if (p === null || typeof p !== 'object') return p;
  if (Array.isArray(p)) return p.map(fromPlain);
  const keys = Object.keys(p);
  if (keys.length === 1 && keys[0]!.startsWith('$')) {
    const x = p[keys[0]!]!;
    switch (keys[0]) {
      case '$n':
        if (typeof x === 'string' && x in NUMBERS) return NUMBERS[x];
        break;
      case '$u':
        return undefined;
      case '$map':
        if (Array.isArray(x)) return new Map(x.map((e) => (Array.isArray(e) && e.length === 2 ? [fromPlain(e[0]!), fromPlain(e[1]!)] : bad('a map entry'))));
        break;
      case '$set':
        if (Array.isArray(x)) return new Set(x.map(fromPlain));
        break;
      case '$f64':
        if (Array.isArray(x)) return Float64Array.from(x.map((e) => fromPlain(e) as number));
        break;
      case '$i32':
        if (Array.isArray(x)) return Int32Array.from(x as number[]);
        break;
      case '$o':
        if (x && typeof x === 'object' && !Array.isArray(x)) return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, fromPlain(e)]));
        break;
    }
    bad(`the tag ${keys[0]}`);
  }
  return Object.fromEntries(Object.entries(p).map(([k, e]) => [k, fromPlain(e)]));
}

function bad(what: string): never {
  throw new CheckpointError(CHECKPOINT_ERR.INVALID, `${what} is not as a checkpoint writes it`);
}
