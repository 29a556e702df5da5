/**
 * The one notion of time every component receives. Event time in milliseconds since the Unix epoch.
 * Implementations live in scenarios/clock (virtual for replays, real for live runs).
 */
export interface Clock {
  /** Current event time, ms since epoch. */
  now(): number;
}
