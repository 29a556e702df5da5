import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PowerSlot } from '../../../contracts/payloads.js';
import { costOfStart, isPlanError, planStart, type Plan } from '../../../helpdesk/schedule/planner.js';
import { loadTariff } from '../../../helpdesk/schedule/tariff-file.js';
import { makeTariff, type Tariff } from '../../../helpdesk/schedule/tariff.js';
import { nextFloat, rngFrom } from '../../../devices/kinds/rng.js';
import { COTTON_40_SLOTS } from '../../helpers/washer-slots.js';

const H = 3_600_000;
const T0 = Date.UTC(2020, 5, 1, 0);

function mulberry32(seed: number): () => number {
  const r = rngFrom(seed);
  return () => nextFloat(r);
}

/** Independent reference: ∫ series × power, by overlapping each power slot with each tariff slot directly. */
function naive(series: Float64Array, tariff: Tariff, slots: PowerSlot[], start: number, weightByPower = true): number {
  const S = tariff.slotMs;
  let sum = 0;
  let a = start;
  for (const slot of slots) {
    const b = a + slot.durationS * 1000;
    for (let h = Math.floor((a - tariff.startMs) / S); tariff.startMs + h * S < b; h++) {
      const lo = Math.max(a, tariff.startMs + h * S);
      const hi = Math.min(b, tariff.startMs + (h + 1) * S);
      if (hi > lo) sum += (weightByPower ? slot.powerW : 1) * series[h]! * ((hi - lo) / 1000);
    }
    a = b;
  }
  return sum;
}
const naiveCost = (t: Tariff, slots: PowerSlot[], s: number) => naive(t.eurPerMwh, t, slots, s) / 3.6e9;

interface Brute {
  min: number;
  max: number;
  best: number;
}
/** Every allowed start (every whole step from lo): lexicographic (cost ±1e-9, energy-weighted load, earliest). */
function brute(t: Tariff, slots: PowerSlot[], lo: number, latestEnd: number, stepS = 1): Brute {
  const dur = slots.reduce((a, s) => a + s.durationS * 1000, 0);
  const energy = slots.reduce((a, s) => a + s.powerW * s.durationS, 0);
  const starts: { s: number; c: number; g: number }[] = [];
  for (let s = lo; s + dur <= latestEnd; s += stepS * 1000) {
    const load = t.gridLoadMw;
    const g = !load ? 0 : energy > 0 ? naive(load, t, slots, s) / energy : naive(load, t, slots, s, false) / (dur / 1000);
    starts.push({ s, c: naiveCost(t, slots, s), g });
  }
  const min = Math.min(...starts.map((x) => x.c));
  const tied = starts.filter((x) => x.c <= min + 1e-9);
  const gMin = Math.min(...tied.map((x) => x.g));
  return { min, max: Math.max(...starts.map((x) => x.c)), best: tied.find((x) => x.g <= gMin + 1e-9)!.s };
}

function ok(p: ReturnType<typeof planStart>): Plan {
  if (isPlanError(p)) throw new Error(`${p.error.code}: ${p.error.reason}`);
  return p;
}

describe('planStart against brute force on synthetic tariffs', () => {
  it('matches the brute-force minimum over every whole second (seeded, many cases)', () => {
    const rnd = mulberry32(20201102);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    for (let c = 0; c < 250; c++) {
      const hours = 6 + Math.floor(rnd() * 5);
      // few distinct prices and loads, so ties happen; some negative prices
      const prices = Array.from({ length: hours }, () => pick([-12.5, 0, 10, 10, 23.17, 41.3, 80]));
      const loads = Array.from({ length: hours }, () => pick([40000, 45000.5, 52000, 61000]));
      const t = makeTariff(`synthetic-${c}`, T0, prices, loads);
      const slots: PowerSlot[] = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => ({
        durationS: 1 + Math.floor(rnd() * (rnd() < 0.5 ? 300 : 2400)),
        powerW: pick([0, 0, 30, 110, 2200, 555.5]),
      }));
      const dur = slots.reduce((a, s) => a + s.durationS * 1000, 0);
      const lo = T0 + Math.floor(rnd() * 7200) * 1000;
      const latestEnd = Math.min(T0 + hours * H, lo + dur + Math.floor(rnd() * 3 * 3600) * 1000);
      if (latestEnd < lo + dur) continue;
      const stepS = c % 5 === 4 ? pick([7, 60, 900]) : undefined;

      const p = ok(planStart({ slots, earliestStart: lo, latestEnd, tariff: t, stepS }));
      const b = brute(t, slots, lo, latestEnd, stepS ?? 1);
      const ctx = `case ${c}`;
      expect(p.costEur, ctx).toBeCloseTo(b.min, 9);
      expect(Math.abs(p.costEur - b.min), ctx).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(naiveCost(t, slots, p.start) - p.costEur), ctx).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(p.worstCostEur - b.max), ctx).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(p.startNowCostEur - naiveCost(t, slots, lo)), ctx).toBeLessThanOrEqual(1e-9);
      expect(p.start, ctx).toBe(b.best);
      expect(p.end).toBe(p.start + dur);
      expect((p.start - lo) % ((stepS ?? 1) * 1000)).toBe(0);
      expect(p.start >= lo && p.end <= latestEnd, ctx).toBe(true);
    }
  });

  it('costOfStart agrees with the reference and is NaN outside the tariff', () => {
    const t = makeTariff('t', T0, [10, -5, 30], [1, 2, 3]);
    const slots = [{ durationS: 1800, powerW: 1000 }, { durationS: 3600, powerW: 2000 }];
    const s = T0 + 2700_000;
    expect(costOfStart(slots, s, t)).toBeCloseTo(naiveCost(t, slots, s), 12);
    // 0.25 h·1 kW·10 + 0.25 h·1 kW·(-5) + 0.75 h·2 kW·(-5) + 0.25 h·2 kW·30 (EUR/MWh → /1000)
    expect(costOfStart(slots, s, t)).toBeCloseTo((2.5 - 1.25 - 7.5 + 15) / 1000, 12);
    expect(costOfStart(slots, T0 + 2 * H, t)).toBeNaN();
    expect(costOfStart(slots, T0 - 1000, t)).toBeNaN();
  });

  it('prefers the lower grid load on equal cost, then the earliest start', () => {
    const t = makeTariff('flat', T0, [20, 20, 20, 20], [50000, 40000, 40000, 60000]);
    const p = ok(planStart({ slots: [{ durationS: 1800, powerW: 1000 }], earliestStart: T0, latestEnd: T0 + 4 * H, tariff: t }));
    expect(p.start).toBe(T0 + H);
    expect(p.meanGridLoadMw).toBeCloseTo(40000, 9);
    expect(p.costEur).toBeCloseTo(p.startNowCostEur, 12);
    expect(p.energyKwh).toBeCloseTo(0.5, 12);
  });
});

describe('planStart on quarter-hour slots against brute force', () => {
  const Q = 900_000;
  it('matches the brute-force minimum over every whole second (seeded; with and without grid load)', () => {
    const rnd = mulberry32(20251001);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    for (let c = 0; c < 150; c++) {
      const n = 12 + Math.floor(rnd() * 24);
      const prices = Array.from({ length: n }, () => pick([-20, -0.5, 0, 15.25, 15.25, 48.1, 95, 130.7]));
      const loads = c % 2 ? Array.from({ length: n }, () => pick([40000, 45000.5, 52000])) : null;
      const t = makeTariff(`quarter-${c}`, T0, prices, loads, Q);
      const slots: PowerSlot[] = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => ({
        durationS: 1 + Math.floor(rnd() * (rnd() < 0.5 ? 200 : 1500)),
        powerW: pick([0, 30, 110, 2200, 555.5]),
      }));
      const dur = slots.reduce((a, s) => a + s.durationS * 1000, 0);
      const lo = T0 + Math.floor(rnd() * 1800) * 1000;
      const latestEnd = Math.min(T0 + n * Q, lo + dur + Math.floor(rnd() * 4 * 3600) * 1000);
      if (latestEnd < lo + dur) continue;
      const stepS = c % 4 === 3 ? pick([7, 60, 300]) : undefined;

      const p = ok(planStart({ slots, earliestStart: lo, latestEnd, tariff: t, stepS }));
      const b = brute(t, slots, lo, latestEnd, stepS ?? 1);
      const ctx = `case ${c}`;
      expect(Math.abs(p.costEur - b.min), ctx).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(p.worstCostEur - b.max), ctx).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(p.startNowCostEur - naiveCost(t, slots, lo)), ctx).toBeLessThanOrEqual(1e-9);
      expect(p.start, ctx).toBe(b.best);
      expect(p.meanGridLoadMw === null, ctx).toBe(loads === null);
    }
  });

  it('plans a washer on 96 quarter-hours of a day exactly (every second of the day checked)', () => {
    const rnd = mulberry32(96);
    const prices = Array.from({ length: 96 }, (_, i) => 80 + 40 * Math.sin((i / 96) * 2 * Math.PI) + Math.round(rnd() * 3000) / 100);
    const t = makeTariff('day-of-quarters', T0, prices, null, Q);
    const slots: PowerSlot[] = [...COTTON_40_SLOTS];
    const p = ok(planStart({ slots, earliestStart: T0, latestEnd: T0 + 24 * H, tariff: t }));
    const b = brute(t, slots, T0, T0 + 24 * H);
    expect(Math.abs(p.costEur - b.min)).toBeLessThanOrEqual(1e-9);
    expect(p.start).toBe(b.best);
    expect(p.meanGridLoadMw).toBeNull();
    // candidates: both ends and, per power change, the quarter-hour boundaries the run can cross
    expect(p.candidates).toBeLessThanOrEqual(2 + 2 * 7 * 96);
  });

  it('gives the same optimum on an hourly tariff and on the same prices in quarter-hours', () => {
    const hourly = makeTariff('h', T0, [30, 10, 50, 20, 40, 35], [1, 2, 3, 4, 5, 6]);
    const quarters = makeTariff('q', T0, [...hourly.eurPerMwh].flatMap((p) => [p, p, p, p]), null, Q);
    const slots = [{ durationS: 1900, powerW: 2000 }, { durationS: 700, powerW: 100 }];
    const a = ok(planStart({ slots, earliestStart: T0 + 100_000, latestEnd: T0 + 6 * H, tariff: hourly }));
    const b = ok(planStart({ slots, earliestStart: T0 + 100_000, latestEnd: T0 + 6 * H, tariff: quarters }));
    expect(b.costEur).toBeCloseTo(a.costEur, 12);
    expect(b.worstCostEur).toBeCloseTo(a.worstCostEur, 12);
  });
});

describe('planStart errors', () => {
  const t = makeTariff('t', T0, [10, 20, 30], [1, 1, 1]);
  const slots = [{ durationS: 3600, powerW: 1000 }];
  it('reports a window shorter than the load', () => {
    const p = planStart({ slots, earliestStart: T0, latestEnd: T0 + H - 1000, tariff: t });
    expect(isPlanError(p) && p.error.code).toBe('EVN_ERR_PLAN_INFEASIBLE');
    expect(isPlanError(planStart({ slots: [], earliestStart: T0, latestEnd: T0 + H, tariff: t }))).toBe(true);
  });
  it('reports a window with a slot without a price (a gap in a feed)', () => {
    const gap = makeTariff('gap', T0, [10, Number.NaN, 30, 40], null);
    const p = planStart({ slots, earliestStart: T0, latestEnd: T0 + 3 * H, tariff: gap });
    expect(isPlanError(p) && p.error.code).toBe('EVN_ERR_PLAN_NO_TARIFF');
    expect(costOfStart(slots, T0 + 30 * 60_000, gap)).toBeNaN();
    expect(ok(planStart({ slots, earliestStart: T0 + 2 * H, latestEnd: T0 + 4 * H, tariff: gap })).start).toBe(T0 + 2 * H);
  });
  it('reports a tariff that does not cover the window', () => {
    const p = planStart({ slots, earliestStart: T0 + H, latestEnd: T0 + 3 * H + 1000, tariff: t });
    expect(isPlanError(p) && p.error.code).toBe('EVN_ERR_PLAN_NO_TARIFF');
    const q = planStart({ slots, earliestStart: T0 - 1000, latestEnd: T0 + 2 * H, tariff: t });
    expect(isPlanError(q) && q.error.code).toBe('EVN_ERR_PLAN_NO_TARIFF');
  });
});

describe('planStart on the real 2020 tariff', () => {
  const tariff = loadTariff(fileURLToPath(new URL('../../../data/de-day-ahead-2020.csv', import.meta.url)));
  // cotton 40 °C-like: fill, heat, wash, rinse, more rinse, spin
  const cotton40: PowerSlot[] = [...COTTON_40_SLOTS];
  const earliestStart = Date.parse('2020-11-02T20:30:00+01:00');
  const latestEnd = Date.parse('2020-11-03T07:00:00+01:00');

  it('starts the evening load between 02:00 and 04:00 local, cheaper than now, and exactly optimal', () => {
    const p = ok(planStart({ slots: cotton40, earliestStart, latestEnd, tariff }));
    expect(earliestStart).toBe(Date.parse('2020-11-02T19:30:00Z'));
    expect(p.start).toBeGreaterThanOrEqual(Date.parse('2020-11-03T02:00:00+01:00'));
    expect(p.start).toBeLessThan(Date.parse('2020-11-03T04:00:00+01:00'));
    expect(p.end).toBeLessThanOrEqual(latestEnd);
    expect(p.costEur).toBeLessThan(p.startNowCostEur);
    expect(p.startNowCostEur).toBeCloseTo(costOfStart(cotton40, earliestStart, tariff), 12);
    expect(p.costEur).toBeCloseTo(costOfStart(cotton40, p.start, tariff), 12);
    expect(p.energyKwh).toBeCloseTo((450 * 30 + 648 * 2200 + 2700 * 110 + 1200 * 90 + 2000 * 80 + 300 * 300) / 3.6e6, 12);
    expect(p.candidates).toBeLessThan(200);
    const b = brute(tariff, cotton40, earliestStart, latestEnd);
    expect(Math.abs(p.costEur - b.min)).toBeLessThanOrEqual(1e-9);
    expect(p.start).toBe(b.best);
    expect(Math.abs(p.worstCostEur - b.max)).toBeLessThanOrEqual(1e-9);
    console.log(
      `cotton-40: start ${new Date(p.start).toISOString()} cost ${p.costEur} EUR, now ${p.startNowCostEur}, worst ${p.worstCostEur}, ` +
        `${p.energyKwh} kWh, load ${p.meanGridLoadMw} MW, ${p.candidates} candidates`,
    );
  });
});
