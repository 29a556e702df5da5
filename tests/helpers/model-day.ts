/**
 * A device model's day stepped by hand, for tests that compare two ways of taking it: `before(state)` runs
 * before every step (a test forgets a cache there, or counts the steps that will take a short way), and
 * the commands are applied at the start of the step they fall in (each must succeed).
 */
import { expect } from 'vitest';
import type { CommandBody, KindModel } from '../../devices/kinds/model.js';

export interface ModelDay<S> {
  /** every step's readings, events and event times */
  out: unknown[];
  state: S;
}

export function modelDay<S>(
  model: KindModel<never, unknown, S>,
  state: S,
  o: { from: number; to: number; dtS: number; commands?: Array<{ at: number; cmd: CommandBody }>; before?: (s: S, t: number) => void },
): ModelDay<S> {
  let s = state;
  const out: unknown[] = [];
  const stepMs = o.dtS * 1000;
  for (let t = o.from + stepMs; t <= o.to; t += stepMs) {
    for (const c of o.commands ?? []) {
      if (c.at <= t - stepMs || c.at > t) continue;
      const res = model.command(s, c.cmd, t - stepMs);
      expect(res.ok).toBe(true);
      s = res.state;
    }
    o.before?.(s, t);
    const r = model.stepOwned(s, o.dtS, t);
    s = r.state;
    // the readings are the kind's one record, written again by the next step (StepScratch): copied to be kept
    out.push({ t, readings: { ...(r.readings as object) }, events: r.events, eventTimes: r.eventTimes });
  }
  return { out, state: s };
}

/** A model's short way: a cache of what cannot change, kept in its state */
export interface ShortWay<S> {
  /** forgets the cache, so that the step takes the general loop */
  forget(s: S): void;
  /** the step ending at t will take the short way */
  taken(s: S, t: number): boolean;
  /** the state without the cache, to compare */
  strip(s: S): unknown;
}

/**
 * A model's short way against its general loop: a day from `init()` run twice, with the cache kept and
 * with it forgotten before every step. Readings, events and state must agree exactly, at 60-s and 300-s
 * steps, and most steps must have taken the short way.
 */
export function expectShortWayExact<S>(model: KindModel<never, unknown, S>, init: () => S, way: ShortWay<S>, o: { from: number; to: number; commands?: Array<{ at: number; cmd: CommandBody }> }): void {
  for (const dtS of [60, 300]) {
    let short = 0;
    const kept = modelDay(model, init(), { ...o, dtS, before: (s, t) => void (way.taken(s, t) && short++) });
    const general = modelDay(model, init(), { ...o, dtS, before: (s) => way.forget(s) });
    expect(kept.out).toEqual(general.out);
    expect(way.strip(kept.state)).toEqual(way.strip(general.state));
    expect(short).toBeGreaterThan(kept.out.length / 2);
  }
}
