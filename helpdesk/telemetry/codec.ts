/**
 * The compact form of telemetry in SQLite: a row holds its values as a JSON array in the order of a
 * *shape*, the names of its readings and extra readings, stored once (`telemetry_shape`) and named
 * by a small integer. `{"voltageV":12.61,"engineRunning":false,...}` becomes `[12.61,false,...]`:
 * about a third of the bytes, and quicker to write and to read back (measured: bench/live.ts).
 *
 * A minute's aggregates use the same shapes; a reading's stat is `[min,max,sum]` (a number),
 * `trues` (a boolean) or the last word, with the count appended (`[min,max,sum,n]`, `[trues,n]`)
 * only where it differs from the minute's count.
 */
import type { Readings, ReadingValue, Stat } from './store.js';

export interface Shape {
  /** the kind's readings, in the order the values are stored */
  r: string[];
  /** the extra readings, after them */
  x: string[];
}

/** whether o's keys are exactly `names`, in order; allocates nothing (the hot path: every reading) */
function keysAre(o: object | undefined, names: readonly string[]): boolean {
  let i = 0;
  if (o) {
    for (const k in o) {
      if (names[i] !== k) return false;
      i++;
    }
  }
  return i === names.length;
}

/**
 * Shape ids by names: `known` is what the store has (loaded at open); `create` stores a new shape and
 * returns its id. Keeps the last shape of each device, so a steady device costs one comparison.
 */
export function shapeBook(known: Iterable<[number, Shape]>, create: (signature: string) => number) {
  const byId = new Map<number, Shape>(known);
  const bySig = new Map<string, number>([...byId].map(([id, s]) => [signature(s), id]));
  const lastOf = new Map<number, { shape: Shape; id: number }>();
  /** shapes created since the last commit(), forgotten by rollback() */
  let fresh: Array<[string, number]> = [];

  function idOf(r: string[], x: string[]): number {
    const shape = { r, x };
    const sig = signature(shape);
    let id = bySig.get(sig);
    if (id === undefined) {
      id = create(sig);
      bySig.set(sig, id);
      byId.set(id, shape);
      fresh.push([sig, id]);
    }
    return id;
  }

  return {
    /** the shape of a row of `device` with these readings and extra readings (objects or stats by name) */
    forRow(device: number, readings: object, extra: object | undefined): { shape: Shape; id: number } {
      const last = lastOf.get(device);
      if (last && keysAre(readings, last.shape.r) && keysAre(extra, last.shape.x)) return last;
      const r = Object.keys(readings);
      const x = namesOf(extra);
      const entry = { shape: { r, x }, id: idOf(r, x) };
      lastOf.set(device, entry);
      return entry;
    },
    /** the shapes created since the last commit are stored for good */
    commit(): void {
      fresh = [];
    },
    /** the transaction that created shapes since the last commit was rolled back: forget them */
    rollback(): void {
      for (const [sig, id] of fresh) {
        bySig.delete(sig);
        byId.delete(id);
      }
      fresh = [];
      lastOf.clear();
    },
    get(id: number): Shape {
      const s = byId.get(id);
      if (!s) throw new Error(`telemetry shape ${id} is not in the database`);
      return s;
    },
  };
}
export type ShapeBook = ReturnType<typeof shapeBook>;

export const signature = (s: Shape): string => JSON.stringify([s.r, s.x]);
export const parseShape = (sig: string): Shape => {
  const [r, x] = JSON.parse(sig) as [string[], string[]];
  return { r, x };
};

const EMPTY: string[] = [];
export const namesOf = (o: object | undefined): string[] => (o ? Object.keys(o) : EMPTY);

/** one value as JSON: String() of a finite number or a boolean is its JSON */
const json = (v: ReadingValue): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** the values of readings and extra in the order of their names, as a JSON array (built as text: the hot path) */
export function encodeValues(readings: Readings, r: readonly string[], extra: Record<string, number> | undefined, x: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < r.length; i++) out += (i ? ',' : '') + json(readings[r[i]!]!);
  for (let i = 0; i < x.length; i++) out += (i || r.length ? ',' : '') + json(extra![x[i]!]!);
  return out + ']';
}

export function decodeValues(text: string, shape: Shape): { readings: Readings; extra?: Record<string, number> } {
  const values = JSON.parse(text) as ReadingValue[];
  const readings: Readings = {};
  for (let i = 0; i < shape.r.length; i++) readings[shape.r[i]!] = values[i]!;
  if (!shape.x.length) return { readings };
  const extra: Record<string, number> = {};
  for (let i = 0; i < shape.x.length; i++) extra[shape.x[i]!] = values[shape.r.length + i] as number;
  return { readings, extra };
}

type StatCell = [number, number, number] | [number, number, number, number] | number | [number, number] | string;

function cellOf(s: Stat, n: number): StatCell {
  if ('min' in s) return s.n === n ? [s.min, s.max, s.sum] : [s.min, s.max, s.sum, s.n];
  if ('trues' in s) return s.n === n ? s.trues : [s.trues, s.n];
  return s.last;
}

function statOf(c: StatCell, n: number): Stat {
  if (typeof c === 'string') return { last: c };
  if (typeof c === 'number') return { trues: c, n };
  if (c.length === 2) return { trues: c[0], n: c[1] };
  return { min: c[0], max: c[1], sum: c[2], n: c[3] ?? n };
}

export function encodeStats(readings: Record<string, Stat>, r: readonly string[], extra: Record<string, Stat> | undefined, x: readonly string[], n: number): string {
  return JSON.stringify([...r.map((k) => cellOf(readings[k]!, n)), ...x.map((k) => cellOf(extra![k]!, n))]);
}

export function decodeStats(text: string, shape: Shape, n: number): { readings: Record<string, Stat>; extra?: Record<string, Stat> } {
  const cells = JSON.parse(text) as StatCell[];
  const readings: Record<string, Stat> = {};
  shape.r.forEach((k, i) => (readings[k] = statOf(cells[i]!, n)));
  if (!shape.x.length) return { readings };
  const extra: Record<string, Stat> = {};
  shape.x.forEach((k, i) => (extra[k] = statOf(cells[shape.r.length + i]!, n)));
  return { readings, extra };
}
