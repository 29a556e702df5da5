/**
 * The values a fleet draws: a number from a normal or uniform distribution, any value from a weighted
 * choice, a time between two times. Each draw reads a seeded stream (devices/kinds/rng.ts), so the
 * same stream gives the same values; nothing here keeps state of its own.
 */
import { z } from 'zod';
import { nextFloat, nextGaussian, type RngState } from '../../devices/kinds/rng.js';
import { IsoTime } from '../iso-time.js';

const num = z.number().refine(Number.isFinite, 'a finite number');

const NormalSpec = z
  .object({ mean: num, sd: num.pipe(z.number().min(0)), min: num.optional(), max: num.optional() })
  .refine((n) => n.min === undefined || n.max === undefined || n.min <= n.max, { message: 'min must not exceed max', path: ['max'] })
  .refine((n) => (n.min === undefined || n.mean >= n.min) && (n.max === undefined || n.mean <= n.max), { message: 'the mean lies outside [min, max]', path: ['mean'] });
const UniformSpec = z.tuple([num, num]).refine(([a, b]) => a <= b, { message: 'the first bound must not exceed the second', path: [1] });

/**
 * A distribution, one object so that a misspelt key gets a "did you mean": `{ normal: { mean, sd, min,
 * max } }` (clamped to [min, max] when given), `{ uniform: [a, b] }` (in [a, b)), or `{ choice: [...],
 * weights: [...] }` (one of the values, by weight; equal weights without them).
 */
export const Distribution = z
  .object({ normal: NormalSpec.optional(), uniform: UniformSpec.optional(), choice: z.array(z.unknown()).min(1).optional(), weights: z.array(z.number().min(0)).optional() })
  .superRefine((d, ctx) => {
    const kinds = (['normal', 'uniform', 'choice'] as const).filter((k) => d[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `one of normal, uniform or choice${kinds.length ? `, not ${kinds.join(' and ')}` : ''}` });
    if (d.weights === undefined) return;
    if (d.choice === undefined) ctx.addIssue({ code: 'custom', path: ['weights'], message: 'weights go with a choice' });
    else if (d.weights.length !== d.choice.length) ctx.addIssue({ code: 'custom', path: ['weights'], message: 'one weight for each choice' });
    else if (!d.weights.some((w) => w > 0)) ctx.addIssue({ code: 'custom', path: ['weights'], message: 'at least one weight above 0' });
  });
export type Distribution = z.output<typeof Distribution>;

/** a number written as it is or drawn */
export const NumberDraw = z.union([num, Distribution]).meta({ id: 'fleetNumber' });
export type NumberDraw = z.output<typeof NumberDraw>;

/** A model param in a template: written as it is (a number, a string, a list, true/false) or drawn. */
export const ParamDraw = z
  .union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.unknown()), Distribution])
  // once in the JSON Schema's definitions, not at every param
  .meta({ id: 'fleetParam' });
export type ParamDraw = z.output<typeof ParamDraw>;

/** a time written as it is, or `{ between: [from, to] }`: uniform between the two */
export const TimeDraw = z.union([
  IsoTime,
  z.object({
    between: z.tuple([IsoTime, IsoTime]).refine(([a, b]) => Date.parse(a) <= Date.parse(b), { message: 'the first time must not come after the second', path: [1] }),
  }),
]);
export type TimeDraw = z.output<typeof TimeDraw>;

export const isDistribution = (v: unknown): v is Distribution => typeof v === 'object' && v !== null && !Array.isArray(v);

/** the value a param or a number takes for one draw from `r` */
export function draw(v: unknown, r: RngState): unknown {
  if (!isDistribution(v)) return v;
  if (v.normal) {
    const { mean, sd, min = -Infinity, max = Infinity } = v.normal;
    return round6(Math.min(max, Math.max(min, mean + sd * nextGaussian(r))));
  }
  if (v.uniform) {
    const [a, b] = v.uniform;
    return round6(a + (b - a) * nextFloat(r));
  }
  const choice = v.choice!;
  return choice[pick(v.weights, choice.length, r)];
}

/** ms since the epoch for a time or a time range */
export function drawTimeMs(v: TimeDraw, r: RngState): number {
  if (typeof v === 'string') return Date.parse(v);
  const [a, b] = v.between.map((t) => Date.parse(t)) as [number, number];
  // whole seconds: readable and the same on every platform
  return a + Math.floor(((b - a) / 1000) * nextFloat(r)) * 1000;
}

/** an index in [0, n) by weights (equal without them) */
export function pick(weights: readonly number[] | undefined, n: number, r: RngState): number {
  const u = nextFloat(r);
  if (!weights) return Math.min(n - 1, Math.floor(u * n));
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += weights[i]! / total;
    if (u < acc && weights[i]! > 0) return i;
  }
  // rounding left u past the last step: the last value with weight
  for (let i = n - 1; i >= 0; i--) if (weights[i]! > 0) return i;
  return n - 1;
}

/** the values a distribution can reach at its ends, to check against a model's bounds before drawing */
export function extremes(v: unknown): unknown[] {
  if (!isDistribution(v)) return [v];
  if (v.normal) return [v.normal.mean, v.normal.min, v.normal.max].filter((x) => x !== undefined);
  if (v.uniform) return [...v.uniform];
  return v.choice ?? [];
}

/** six decimals: a drawn number reads well in a report and prints the same everywhere */
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
