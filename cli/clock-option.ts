/**
 * `--clock-start ISO`, `--clock-rate N` and `--clock-origin ISO`: run a live command on a clock that
 * reads ISO at the wall time `--clock-origin` (default: when the command starts) and runs N times
 * faster than the wall clock (contracts/clock.ts scaledClock). Without them: the real clock.
 * Processes that talk to each other (a helpdesk and its boards) are given the same three, so they
 * agree on the time however far apart they start; meant for drills, demos and end-to-end tests,
 * never for a real installation.
 */
import { realClock, scaledClock, type Clock } from '../contracts/clock.js';
import { UsageError } from './errors.js';

export const CLOCK_OPTIONS = {
  'clock-start': { type: 'string' },
  'clock-rate': { type: 'string' },
  'clock-origin': { type: 'string' },
} as const;

export function clockFrom(values: { 'clock-start'?: string; 'clock-rate'?: string; 'clock-origin'?: string }): Clock {
  const start = values['clock-start'];
  const rateText = values['clock-rate'];
  const origin = values['clock-origin'];
  if (start === undefined && rateText === undefined) {
    if (origin !== undefined) throw new UsageError('--clock-origin goes with --clock-start or --clock-rate');
    return realClock;
  }
  const originMs = origin === undefined ? undefined : Date.parse(origin);
  if (originMs !== undefined && !Number.isFinite(originMs)) throw new UsageError(`--clock-origin must be an ISO 8601 time like 2026-11-30T06:00:00Z, got '${origin}'`);
  const startMs = start === undefined ? (originMs ?? Date.now()) : Date.parse(start);
  if (!Number.isFinite(startMs)) throw new UsageError(`--clock-start must be an ISO 8601 time like 2026-11-30T06:00:00Z, got '${start}'`);
  const rate = rateText === undefined ? 1 : Number(rateText);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 10_000) throw new UsageError(`--clock-rate must be a number above 0 and at most 10000, got '${rateText}'`);
  return scaledClock({ startMs, rate, originMs });
}
