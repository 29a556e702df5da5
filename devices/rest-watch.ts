/**
 * What a device agent knows of its model's rest (KindModel.restsUntil). A step taken at rest gives the
 * readings every later step at rest gives, so once one has been taken, the steps after it that would
 * publish nothing are counted (KindModel.advanceRest) instead of taken: an idle washer costs its agent a
 * comparison a window, not a model step and a report decision (docs/fleets.md#engine). Each of a
 * fleet's agents steps once a window; most washers rest most of the day.
 */
import type { AnyKindModel } from './kinds/index.js';

type Resting = Required<Pick<AnyKindModel, 'restsUntil' | 'advanceRest'>>;

export class RestWatch {
  /** the state after the last step rests until then (-Infinity: it does not) */
  private until = -Infinity;
  /** the last step was taken at rest: its readings are the rest's */
  private atRest = false;

  private constructor(private readonly model: Resting) {}

  /** a watch for a model that can rest; null for one that cannot (every step taken) */
  static of(model: AnyKindModel): RestWatch | null {
    return model.restsUntil && model.advanceRest ? new RestWatch(model as Resting) : null;
  }

  /** after a step ending at `at` */
  stepped(state: unknown, at: number): void {
    this.atRest = at <= this.until;
    this.until = this.model.restsUntil(state);
  }

  /** the event time its rest lasts to (-Infinity: it does not rest) */
  get restsUntil(): number {
    return this.until;
  }

  /** the last step was taken at rest: skip() may count the steps after it */
  get resting(): boolean {
    return this.atRest;
  }

  /** the state changed outside a step (a command), or the device restarted: its next step is taken */
  woken(): void {
    this.until = -Infinity;
    this.atRest = false;
  }

  /**
   * Skips the whole steps after `from` that it may, once `resting`: none past `to` or the rest's end, none
   * ending at or past `due` (the next message, which a taken step publishes). Returns the time reached.
   */
  skip(state: unknown, from: number, to: number, stepMs: number, due: number): number {
    const steps = Math.floor((Math.min(to, this.until, due - 1) - from) / stepMs);
    if (steps <= 0) return from;
    const t = from + steps * stepMs;
    this.model.advanceRest(state, t, steps);
    return t;
  }
}
