/**
 * The envelope every payload on the wire carries: `v` (the contract version), `ts` (event time, ms since
 * epoch: simulated time in a replay) and `seq` (a per-sender sequence number, so loss and reordering are
 * measurable). Bodies are defined without it (payloads.ts); `stamp` puts it on, `enveloped` derives the
 * schema of the stamped message from the schema of its body.
 */
import { z } from 'zod';

const MIN_TS = Date.UTC(2000, 0, 1);
const MAX_TS = Date.UTC(2100, 0, 1);

export const EventTime = z.number().int().min(MIN_TS).max(MAX_TS);
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const CONTRACT_VERSION = 1;
export const envelope = { v: z.literal(CONTRACT_VERSION), ts: EventTime, seq: Seq };

export type Envelope = { v: typeof CONTRACT_VERSION; ts: number; seq: number };

/** The one way a body becomes a message: `{v, ts, seq}` first, then the body's own fields in order. */
export function stamp<B extends object>(body: B, ts: number, seq: number): Envelope & B {
  return { v: CONTRACT_VERSION, ts, seq, ...body };
}

/**
 * `stamp` of a telemetry body (`{ kind, readings, extra? }`), written out: the same fields in the same order,
 * so the same bytes, without building the body and spreading it (a device sends one every few of its minutes).
 */
export function stampTelemetry<K extends string, R extends object, X extends object>(kind: K, readings: R, extra: X | undefined, ts: number, seq: number): Envelope & { kind: K; readings: R; extra?: X } {
  return extra ? { v: CONTRACT_VERSION, ts, seq, kind, readings, extra } : { v: CONTRACT_VERSION, ts, seq, kind, readings };
}

type Prefixed<P extends z.core.$ZodShape, O> = O extends z.ZodObject<infer S> ? z.ZodObject<P & S> : never;
type Options = readonly [z.ZodObject, ...z.ZodObject[]];

/** `fields` put in front of every option of a union's body: `withFields(envelope, Body.options)`. */
export function withFields<P extends z.core.$ZodShape, const O extends Options>(fields: P, options: O): { [I in keyof O]: Prefixed<P, O[I]> } {
  return options.map((o) => z.object({ ...fields, ...o.shape })) as never;
}

/** The schema of a stamped message from the schema of its body (an object): envelope fields first. */
export function enveloped<S extends z.core.$ZodShape>(body: z.ZodObject<S>): z.ZodObject<typeof envelope & S> {
  return z.object({ ...envelope, ...body.shape });
}
