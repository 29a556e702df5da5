import type { Clock } from '../../contracts/clock.js';

/** Wall-clock time, for live runs (helpdesk service, real boards). Replays never use it. */
export const realClock: Clock = { now: () => Date.now() };
