/**
 * The shape every device kind implements. A model is pure: no I/O, no wall clock, no global state (but
 * the one result record stepOwned writes, StepScratch, which no result depends on).
 * All randomness comes from a seeded generator kept inside the state, so the same params and seed
 * always give the same readings. Usage (trips, door openings, loading the washer) and injected
 * faults are part of the params: the device lives its scheduled life; the helpdesk never sees them.
 */
import type { z } from 'zod';
import type { CommandBody, DeviceKind, EventBody, ExtraReadings, ReadingsOf } from '../../contracts/index.js';

/** The bodies a model raises and receives (the agent adds and strips the envelope); defined in contracts/. */
export type { CommandBody, EventBody, ReadingsOf };

export interface StepResult<S, R> {
  state: S;
  readings: R;
  /** events raised during this step, in order */
  events: EventBody[];
  /**
   * The event time (ms, whole) of each of `events`, where the model knows it: a long step (dtS > 1)
   * finds its events inside the span and says when each happened. Absent (or an entry missing): the
   * step's end, t. A step of dtS = 1 gives none, so one-second replays stamp as they always have.
   */
  eventTimes?: number[];
  /** readings beyond the kind's (a board's extra sensors), sent in telemetry `extra` */
  extra?: ExtraReadings;
}

export interface CommandResult<S> {
  state: S;
  ok: boolean;
  /** stable code when not ok, e.g. EVN_ERR_UNSUPPORTED_COMMAND */
  code?: string;
  detail?: string;
  events: EventBody[];
}

export interface KindModel<K extends DeviceKind, P, S> {
  kind: K;
  /** zod schema of the params a scenario gives this kind (times already resolved to epoch ms) */
  params: z.ZodType<P>;
  /** the fault kinds this model can inject */
  faultKinds: readonly string[];
  init(params: P, seed: number, t0: number): S;
  /**
   * Advances the state by dtS seconds ending at event time t (ms). Must not mutate `state`.
   * dtS = 1 (the agent's default) runs the model's one-second recurrence. A longer step integrates
   * in closed form between the events inside the span (thermostat switches, door openings, trips,
   * phase changes, fault onsets) and splits the span only there, so it costs O(events), not
   * O(seconds); its readings are the instantaneous values at t, with power the mean over the span.
   */
  step(state: S, dtS: number, t: number): StepResult<S, ReadingsOf<K>>;
  /**
   * step() for a caller that owns `state` and keeps no other reference to it (a device agent): the
   * same result, but `state` is advanced in place and returned instead of copied first. A fleet's
   * agents step every device every window; a fresh state each time outlived the young generation and
   * made most of a device host's garbage collection (docs/fleets.md#engine).
   *
   * The result and its readings are the kind's one record (StepScratch), written again by its next
   * stepOwned, of any device: a caller reads them, or copies what it keeps, before it steps again. Its
   * events and event times are the step's own (an empty step's are one frozen empty array).
   */
  stepOwned(state: S, dtS: number, t: number): StepResult<S, ReadingsOf<K>>;
  /**
   * Optional: until when a state stays at rest, asked after each step of a device agent. Every step that
   * ends later, at or before the time returned, raises no event, draws nothing from the generator, gives
   * the readings the step before it gave, and changes nothing in the state but what `advanceRest` moves.
   * At or before the state's own time: not at rest. An idle washer rests until its next load; an agent
   * counts those steps instead of taking them (devices/rest-watch.ts, docs/fleets.md#engine).
   */
  restsUntil?(state: S): number;
  /** Moves a state at rest to event time t, as `steps` steps ending there would (restsUntil). */
  advanceRest?(state: S, t: number, steps: number): void;
  /**
   * Optional: makes `into` (null: a new state) the same state as `from` and returns it: a shallow copy, its
   * generator's state copied. For a caller that keeps a state at one time while it steps another ahead and
   * reuses the two (devices/look-ahead.ts): stepping one ahead, then the other, allocates nothing.
   */
  copyInto?(from: S, into: S | null): S;
  /** Applies a command at event time t. Must not mutate `state`. Unsupported commands: ok=false with a code. */
  command(state: S, cmd: CommandBody, t: number): CommandResult<S>;
  /**
   * Ground truth, for the report only (never sent to the helpdesk): true once the customer would
   * notice a problem on their own (the car cannot crank, the food warms past 8 °C, ...).
   */
  noticeable(state: S): boolean;
}

/**
 * A long step's event times as StepResult.eventTimes wants them: whole ms, inside the step (a0, t].
 * Clamped in place (the array is the step's own): no array and no function made per step, which a
 * fleet's devices take a million times a host-day.
 */
export function wholeEventTimes(times: number[], a0: number, t: number): number[] {
  for (let i = 0; i < times.length; i++) times[i] = Math.min(t, Math.max(a0, Math.round(times[i]!)));
  return times;
}

/** the events, or event times, of a step that had none: one frozen array, shared by every such step */
export const NONE_AT_ALL: never[] = Object.freeze([]) as never[];

/**
 * A kind's one result of stepOwned (KindModel.stepOwned), reused by every step of every device of the kind:
 * the events a step raises and their times collected in two arrays kept for it, its readings written into
 * one object. A fleet's host steps each of its devices every window; a result, its readings and two arrays
 * made new each time were most of what its models allocated (about 330 bytes a step, about a fifth of
 * what the host allocated; docs/fleets.md#engine).
 */
export class StepScratch<S, R extends object> {
  /** what the step raises, in order, and (a long step) when each happened: cleared by begin() */
  readonly events: EventBody[] = [];
  readonly times: number[] = [];
  private readonly out: StepResult<S, R>;

  /** `readings`: the kind's readings object, its fields in the order they are sent */
  constructor(readings: R) {
    this.out = { state: null as S, readings, events: NONE_AT_ALL, eventTimes: undefined };
  }

  /** starts a step: no event yet; returns the readings object the step writes */
  begin(): R {
    // most steps raise nothing: setting an array's length is a call into the runtime, even to the length it has
    if (this.events.length !== 0) this.events.length = 0;
    if (this.times.length !== 0) this.times.length = 0;
    return this.out.readings;
  }

  /**
   * The step's result: `state`, the readings written, and the events raised, in an array of their own (the
   * shared empty one when none); a long step (dtS > 1) says when each happened (wholeEventTimes).
   */
  finish(state: S, long: boolean, a0: number, t: number): StepResult<S, R> {
    const o = this.out;
    o.state = state;
    const n = this.events.length;
    o.events = n === 0 ? NONE_AT_ALL : this.events.slice();
    o.eventTimes = !long ? undefined : n === 0 ? NONE_AT_ALL : wholeEventTimes(this.times.slice(), a0, t);
    return o;
  }
}

/** A stepOwned result the caller keeps (a pure step()): its readings copied out of the kind's record; a short step has no eventTimes. */
export function ownResult<S, R extends object>(r: StepResult<S, R>): StepResult<S, R> {
  const own: StepResult<S, R> = { state: r.state, readings: { ...r.readings }, events: r.events.length === 0 ? [] : r.events };
  if (r.eventTimes !== undefined) own.eventTimes = r.eventTimes.length === 0 ? [] : r.eventTimes;
  return own;
}
