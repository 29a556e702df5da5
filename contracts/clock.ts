/**
 * The one notion of time every component receives: event time in milliseconds since the Unix epoch.
 * Two clocks implement it: the virtual clock a replay moves by hand, and wall-clock time for live runs
 * (helpdesk service, broker, real boards). No I/O beyond reading Date.now().
 */
export interface Clock {
  /** Current event time, ms since epoch. */
  now(): number;
}

/** Wall-clock time, for live runs (helpdesk service, real boards). Replays never use it. */
export const realClock: Clock = { now: () => Date.now() };

/** A clock the scenario runner moves by hand: the only source of "now" during a replay. */
export class VirtualClock implements Clock {
  private t: number;
  constructor(start: number) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  /** Moves time forward; time never goes back. */
  set(t: number): void {
    if (t < this.t) throw new RangeError(`EVN_ERR_CLOCK_BACKWARDS: ${t} < ${this.t}`);
    this.t = t;
  }
}

/**
 * Wall-clock time run faster from a chosen start: event time = startMs + (elapsed wall time) × rate.
 * For live drills and end-to-end tests of real processes that must not wait hours (a washer planned
 * for 02:00), and for demos; processes that talk to each other must be given the same start and rate.
 */
export function scaledClock(options: { startMs: number; rate: number; originMs?: number; wall?: () => number }): Clock {
  const wall = options.wall ?? Date.now;
  const { startMs, rate } = options;
  if (!Number.isFinite(startMs) || !(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`EVN_ERR_CLOCK: start must be a time and rate a positive number, got ${startMs} × ${rate}`);
  // the wall time at which the clock reads startMs: given, every process with the same triple reads the same time
  const t0 = options.originMs ?? wall();
  if (!Number.isFinite(t0)) throw new RangeError(`EVN_ERR_CLOCK: origin must be a time, got ${t0}`);
  return { now: () => startMs + (wall() - t0) * rate };
}
