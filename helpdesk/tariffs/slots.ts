/**
 * Prices as a list of slots [start, end) -> a Tariff: the shared last step of every price file and feed
 * parser. Slots may be hourly, quarter-hourly or both (the day the market changed); the tariff takes the
 * finest length and repeats a longer slot's price over its parts. Gaps become NaN; overlapping slots
 * with different prices, slots off their own grid, or a span too long to hold are refused. Pure.
 */
import { isSlotMs, makeTariff, type Tariff } from '../schedule/tariff.js';

export interface PriceSlot {
  start: number;
  end: number;
  eurPerMwh: number;
  /** mean grid load, where the source has it */
  gridLoadMw?: number;
  /** where it came from, for errors: 'line 7', 'data[3]' */
  at: string;
}

/** the most slots one tariff holds: three years of quarter-hours */
export const MAX_TARIFF_SLOTS = 3 * 366 * 96;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A tariff of the slots (in any order), or why not. An empty list gives an empty tariff. */
export function tariffOfSlots(source: string, slots: readonly PriceSlot[]): Tariff | { at: string; reason: string } {
  if (slots.length === 0) return makeTariff(source, 0, [], null);
  let slotMs = 0;
  for (const s of slots) {
    const len = s.end - s.start;
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || !isSlotMs(len)) {
      return { at: s.at, reason: `a slot of ${(len / 60_000).toFixed(2)} minutes: slots must last a whole number of minutes dividing an hour (15 or 60)` };
    }
    if (s.start % len !== 0) return { at: s.at, reason: `the slot at ${new Date(s.start).toISOString()} does not start on its own ${len / 60_000}-minute grid` };
    if (!Number.isFinite(s.eurPerMwh)) return { at: s.at, reason: 'the price is not a finite number' };
    slotMs = gcd(slotMs, len);
  }
  const sorted = [...slots].sort((a, b) => a.start - b.start);
  const startMs = sorted[0]!.start;
  const endMs = Math.max(...sorted.map((s) => s.end));
  const n = (endMs - startMs) / slotMs;
  if (n > MAX_TARIFF_SLOTS) return { at: sorted[sorted.length - 1]!.at, reason: `the prices span ${Math.round((endMs - startMs) / 86_400_000)} days; at most ${MAX_TARIFF_SLOTS} slots are held` };
  const eur = new Float64Array(n).fill(Number.NaN);
  const withLoad = sorted.some((s) => s.gridLoadMw !== undefined);
  const load = withLoad ? new Float64Array(n).fill(Number.NaN) : null;
  let lastEnd = Number.NEGATIVE_INFINITY;
  let last: PriceSlot | null = null;
  for (const s of sorted) {
    if (s.start < lastEnd) {
      const same = last !== null && last.start === s.start && last.end === s.end && last.eurPerMwh === s.eurPerMwh;
      if (!same) return { at: s.at, reason: `the slot at ${new Date(s.start).toISOString()} overlaps the one before (${last?.at})` };
      continue;
    }
    for (let t = s.start; t < s.end; t += slotMs) {
      const i = (t - startMs) / slotMs;
      eur[i] = s.eurPerMwh;
      if (load && s.gridLoadMw !== undefined) load[i] = s.gridLoadMw;
    }
    lastEnd = s.end;
    last = s;
  }
  return makeTariff(source, startMs, eur, load, slotMs);
}
