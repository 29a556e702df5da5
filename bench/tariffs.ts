/**
 * Group `tariffs`: the planner on a day of quarter-hour prices, and what a live tariff adds to a plan.
 *
 *   tariffs.planQuarterHours24hMs      a washer (6 power slots) on 96 quarter-hours over a 24 h window
 *   tariffs.planQuarterHours24hMaxSlotsMs  the largest offer (96 power slots, 10 to 20 min each) on 192 quarter-hours, 48 h window
 *   tariffs.planHourly24hMs            the washer on 24 hourly prices over the same window (for comparison)
 *   tariffs.planCandidatesQuarterHours, tariffs.planCandidatesMaxSlots  the start times those plans evaluate
 *   tariffs.planOnFallback7dMs         the washer over a 7-day window with no prices but a time-of-use fallback
 *   tariffs.parseFeedDayMs             parsing a feed answer of 192 quarter-hours (aWATTar format)
 * Each is the median of repeated runs, in milliseconds.
 */
import { round } from '../contracts/round.js';
import type { PowerSlot } from '../contracts/payloads.js';
import { planOnSnapshot } from '../helpdesk/schedule/basis.js';
import { isPlanError, planStart } from '../helpdesk/schedule/planner.js';
import { marketModel } from '../helpdesk/schedule/source.js';
import { makeTariff } from '../helpdesk/schedule/tariff.js';
import { parseAwattar } from '../helpdesk/tariffs/awattar.js';
import { timeOfUseModel } from '../helpdesk/tariffs/time-of-use.js';

const Q = 900_000;
const H = 3_600_000;
const T0 = Date.parse('2026-11-29T23:00:00Z');

function median(runs: number, f: () => void): number {
  for (let i = 0; i < 5; i++) f(); // warm up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function benchTariffs(): Promise<Record<string, number>> {
  const quarters = Array.from({ length: 96 }, (_, i) => 90 + 50 * Math.sin((i / 96) * 2 * Math.PI) + ((i * 7919) % 13));
  const day = makeTariff('bench', T0, quarters, null, Q);
  const hourly = makeTariff('bench', T0, Array.from({ length: 24 }, (_, h) => quarters[h * 4]!), null, H);
  const washer: PowerSlot[] = [
    { durationS: 450, powerW: 30 },
    { durationS: 648, powerW: 2200 },
    { durationS: 2700, powerW: 110 },
    { durationS: 1200, powerW: 90 },
    { durationS: 2000, powerW: 80 },
    { durationS: 300, powerW: 300 },
  ];
  // durations off the quarter-hour grid: every power step makes its own breakpoints (the worst case)
  const biggest: PowerSlot[] = Array.from({ length: 96 }, (_, i) => ({ durationS: 600 + ((i * 53) % 600), powerW: 500 + ((i * 37) % 11) * 100 }));
  const window = { earliestStart: T0, latestEnd: T0 + 24 * H };
  const plan = planStart({ ...window, slots: washer, tariff: day });
  if (isPlanError(plan)) throw new Error(plan.error.reason);
  const big = planStart({ earliestStart: T0, latestEnd: T0 + 48 * H, slots: biggest, tariff: makeTariff('bench', T0, [...quarters, ...quarters], null, Q) });
  if (isPlanError(big)) throw new Error(big.error.reason);
  // the biggest offer runs about a day: give it two
  const twoDays = makeTariff('bench', T0, [...quarters, ...quarters], null, Q);
  const fallback = timeOfUseModel([{ from: '22:00', eurPerKwh: 0.25 }, { from: '06:00', eurPerKwh: 0.35 }], 'Europe/Berlin');
  const empty = { primary: marketModel(makeTariff('none', T0 - 48 * H, [1], null)), fallback, timeZone: 'Europe/Berlin', problem: null };
  const body = JSON.parse(JSON.stringify({ data: [...quarters, ...quarters].map((p, i) => ({ start_timestamp: T0 + i * Q, end_timestamp: T0 + (i + 1) * Q, marketprice: p, unit: 'Eur/MWh' })) }));
  return {
    'tariffs.planQuarterHours24hMs': round(median(200, () => planStart({ ...window, slots: washer, tariff: day })), 3),
    'tariffs.planQuarterHours24hMaxSlotsMs': round(median(50, () => planStart({ earliestStart: T0, latestEnd: T0 + 48 * H, slots: biggest, tariff: twoDays })), 3),
    'tariffs.planHourly24hMs': round(median(200, () => planStart({ ...window, slots: washer, tariff: hourly })), 3),
    'tariffs.planCandidatesQuarterHours': plan.candidates,
    'tariffs.planCandidatesMaxSlots': big.candidates,
    'tariffs.planOnFallback7dMs': round(median(20, () => planOnSnapshot({ slots: washer, earliestStart: T0, latestEnd: T0 + 7 * 24 * H, snapshot: empty })), 3),
    'tariffs.parseFeedDayMs': round(median(200, () => parseAwattar(body, 'bench')), 3),
  };
}
