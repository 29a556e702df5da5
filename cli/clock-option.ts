/**
 * `--clock-start ISO` and `--clock-rate N`: run a live command on a clock that starts at a chosen time
 * and runs N times faster than the wall clock (contracts/clock.ts scaledClock). Without them: the real
 * clock. Processes that talk to each other (a helpdesk and its boards) must be given the same pair,
 * started together; meant for drills, demos and end-to-end tests, never for a real installation.
 */
import { realClock, scaledClock, type Clock } from '../contracts/clock.js';
import { UsageError } from './errors.js';

export const CLOCK_OPTIONS = {
  'clock-start': { type: 'string' },
  'clock-rate': { type: 'string' },
} as const;

export function clockFrom(values: { 'clock-start'?: string; 'clock-rate'?: string }): Clock {
  const start = values['clock-start'];
  const rateText = values['clock-rate'];
  if (start === undefined && rateText === undefined) return realClock;
  const startMs = start === undefined ? Date.now() : Date.parse(start);
  if (!Number.isFinite(startMs)) throw new UsageError(`--clock-start must be an ISO 8601 time like 2026-11-30T06:00:00Z, got '${start}'`);
  const rate = rateText === undefined ? 1 : Number(rateText);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 10_000) throw new UsageError(`--clock-rate must be a number above 0 and at most 10000, got '${rateText}'`);
  return scaledClock({ startMs, rate });
}
