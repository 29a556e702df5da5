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
