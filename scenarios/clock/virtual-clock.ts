import type { Clock } from '../../contracts/clock.js';

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
