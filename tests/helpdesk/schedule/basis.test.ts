import { describe, expect, it } from 'vitest';
import type { PowerSlot } from '../../../contracts/payloads.js';
import { MAX_PLAN_WINDOW_MS, planOnSnapshot, type PlanOutcome } from '../../../helpdesk/schedule/basis.js';
import { costOfStart, isPlanError, planStart } from '../../../helpdesk/schedule/planner.js';
import { marketModel, pricesFor, snapshotOf, type FeedProblem, type TariffModel, type TariffSnapshot } from '../../../helpdesk/schedule/source.js';
import { covers, makeTariff, type Tariff } from '../../../helpdesk/schedule/tariff.js';
import { COTTON_40_SLOTS } from '../../helpers/washer-slots.js';

const H = 3_600_000;
const Q = 900_000;
/** Monday 30 November 2026, 20:00 in Berlin */
const T0 = Date.parse('2026-11-30T19:00:00Z');
const NaN_ = Number.NaN;

/** a fixed price for any window, in hourly slots */
function fixed(eurPerMwh: number): TariffModel {
  return {
    label: `fixed tariff ${(eurPerMwh / 1000).toFixed(4)} €/kWh`,
    kind: 'fixed',
    slice(from, to) {
      const start = Math.floor(from / H) * H;
      return makeTariff('fixed', start, new Array(Math.max(1, Math.ceil((to - start) / H))).fill(eurPerMwh));
    },
  };
}

function snap(t: Tariff, fallback: TariffModel | null = null, problem: FeedProblem | null = null): TariffSnapshot {
  return { primary: marketModel(t, 'day-ahead prices (test feed)'), fallback, timeZone: 'Europe/Berlin', problem };
}

const washer: PowerSlot[] = [
  { durationS: 600, powerW: 2000 },
  { durationS: 3000, powerW: 150 },
  { durationS: 600, powerW: 400 },
];
const DUR = 4200_000;

/** every allowed whole-second start whose run lies in priced slots: the cheapest (earliest on ties) */
function bruteKnown(t: Tariff, lo: number, hi: number): { start: number; cost: number } | null {
  let best: { start: number; cost: number } | null = null;
  for (let s = lo; s + DUR <= hi; s += 1000) {
    if (!covers(t, s, s + DUR)) continue;
    const c = costOfStart(washer, s, t);
    if (!best || c < best.cost - 1e-9) best = { start: s, cost: c };
  }
  return best;
}

const planned = (o: PlanOutcome) => {
  if (!o.plan) throw new Error(`no plan: ${o.note}`);
  return o.plan;
};

describe('what a load is planned on', () => {
  it('plans on the prices when they cover the window, exactly as the planner does', () => {
    const t = makeTariff('feed', T0, [90, 80, 40, 30, 55, 70, 95, 120, 60, 50, 45, 80], null);
    const o = planOnSnapshot({ slots: washer, earliestStart: T0 + 30 * 60_000, latestEnd: T0 + 11 * H, snapshot: snap(t) });
    const direct = planStart({ slots: washer, earliestStart: T0 + 30 * 60_000, latestEnd: T0 + 11 * H, tariff: t });
    expect(o.basis).toBe('prices');
    expect(o.note).toBe('day-ahead prices (test feed)');
    expect(o.error).toBeNull();
    expect(isPlanError(direct)).toBe(false);
    expect(planned(o)).toEqual(direct);
  });

  it('takes a plain tariff as a snapshot without fallback', () => {
    const t = makeTariff('data/de-day-ahead-2020.csv', T0, [1, 2], null);
    const s = snapshotOf(t);
    expect(s.fallback).toBeNull();
    expect(s.primary.label).toBe('day-ahead prices (de-day-ahead-2020.csv)');
  });

  it('plans within the known prices when the load fits in them, and says until when they are known', () => {
    // prices until midnight (4 h), none after: the washer (70 min) fits
    const t = makeTariff('feed', T0, [90, 40, 35, 80, NaN_, NaN_, NaN_, NaN_, NaN_, NaN_, NaN_, NaN_], null);
    const o = planOnSnapshot({ slots: washer, earliestStart: T0 + 30 * 60_000, latestEnd: T0 + 11 * H, snapshot: snap(t, fixed(300)) });
    expect(o.basis).toBe('known-prices');
    const b = bruteKnown(t, T0 + 30 * 60_000, T0 + 11 * H)!;
    expect(planned(o).start).toBe(b.start);
    expect(Math.abs(planned(o).costEur - b.cost)).toBeLessThanOrEqual(1e-9);
    expect(planned(o).startNowCostEur).toBeCloseTo(costOfStart(washer, T0 + 30 * 60_000, t), 12);
    expect(o.note).toBe(
      'day-ahead prices (test feed) known for 2026-11-30 20:30–2026-12-01 00:00 only: planned within them (window 2026-11-30 20:30–2026-12-01 07:00 (Europe/Berlin))',
    );
  });

  it('picks the best of several runs of known prices around gaps, as brute force over every second does', () => {
    const prices = [90, 80, NaN_, 70, 20, 25, NaN_, 15, NaN_, 60, 10, 12];
    const t = makeTariff('gappy', T0, prices.flatMap((p) => [p, p + 1, p - 1, p]), null, Q);
    const o = planOnSnapshot({ slots: washer, earliestStart: T0, latestEnd: T0 + 12 * H, snapshot: snap(t) });
    expect(o.basis).toBe('known-prices');
    const b = bruteKnown(t, T0, T0 + 12 * H)!;
    expect(planned(o).start).toBe(b.start);
    expect(Math.abs(planned(o).costEur - b.cost)).toBeLessThanOrEqual(1e-9);
    expect(o.note).toMatch(/known for 4 spans between 2026-11-30 20:00 and 2026-12-01 08:00 only/);
    expect(Number.isFinite(planned(o).startNowCostEur)).toBe(true);
  });

  it('fills the unknown part with the fallback when the load fits in no known run', () => {
    const t = makeTariff('feed', T0, [90, NaN_, NaN_, NaN_], null);
    const problem = { code: 'EVN_ERR_TARIFF_FEED_UNREACHABLE', message: 'connect ECONNREFUSED 127.0.0.1:9', at: T0 - 2 * H };
    const o = planOnSnapshot({ slots: washer, earliestStart: T0 + 10 * 60_000, latestEnd: T0 + 4 * H, snapshot: snap(t, fixed(30), problem) });
    expect(o.basis).toBe('partial-fallback');
    // the cheap fixed hours come after the known expensive one: start at 21:00
    expect(planned(o).start).toBe(T0 + H);
    expect(planned(o).costEur).toBeCloseTo(costOfStart(washer, T0 + H, o.priced!), 12);
    expect(o.note).toBe(
      'day-ahead prices (test feed) for 2026-11-30 20:10–2026-11-30 21:00, fixed tariff 0.0300 €/kWh (fallback) for the rest of the window ' +
        '2026-11-30 20:10–2026-12-01 00:00 (Europe/Berlin); price feed: EVN_ERR_TARIFF_FEED_UNREACHABLE at 2026-11-30 18:00: connect ECONNREFUSED 127.0.0.1:9',
    );
  });

  it('plans on the fallback alone when no price is known, and says so', () => {
    const empty = makeTariff('feed', T0 - 48 * H, [50], null);
    const o = planOnSnapshot({ slots: washer, earliestStart: T0, latestEnd: T0 + 5 * H, snapshot: snap(empty, fixed(320)) });
    expect(o.basis).toBe('fallback');
    expect(planned(o).start).toBe(T0); // flat: the earliest
    expect(planned(o).costEur).toBeCloseTo(planned(o).energyKwh * 0.32, 12);
    expect(o.note).toBe('fixed tariff 0.3200 €/kWh (fallback): no day-ahead prices (test feed) for the window 2026-11-30 20:00–2026-12-01 01:00 (Europe/Berlin)');
  });

  it('gives no plan but a coded error and the appliance\'s latest start without prices or fallback', () => {
    const empty = makeTariff('feed', T0 - 48 * H, [50], null);
    const o = planOnSnapshot({ slots: washer, earliestStart: T0, latestEnd: T0 + 5 * H, snapshot: snap(empty) });
    expect(o).toMatchObject({ plan: null, basis: 'none', priced: null, error: { code: 'EVN_ERR_PLAN_NO_TARIFF' } });
    expect(o.note).toBe(
      'no plan: no day-ahead prices (test feed) for the window 2026-11-30 20:00–2026-12-01 01:00 (Europe/Berlin) (known: no slot) and no fallback tariff; ' +
        'the appliance keeps its own start (at the latest 2026-11-30 23:50)',
    );
  });

  it('says why a window too short for the load has no plan', () => {
    const t = makeTariff('feed', T0, [1, 2, 3], null);
    const o = planOnSnapshot({ slots: washer, earliestStart: T0, latestEnd: T0 + H, snapshot: snap(t, fixed(300)) });
    expect(o.error?.code).toBe('EVN_ERR_PLAN_INFEASIBLE');
    expect(o.basis).toBe('none');
    expect(o.note).toMatch(/^no plan: the window of 3600 s is shorter than the load \(4200 s\); the appliance keeps its own start/);
    expect(planOnSnapshot({ slots: washer, earliestStart: Number.NaN, latestEnd: T0, snapshot: snap(t) }).error?.code).toBe('EVN_ERR_PLAN_INFEASIBLE');
  });

  it('plans a deadline months ahead within its first week', () => {
    const o = planOnSnapshot({ slots: washer, earliestStart: T0, latestEnd: T0 + 200 * 86_400_000, snapshot: snap(makeTariff('feed', T0 - H, [1], null), fixed(300)) });
    expect(o.basis).toBe('fallback');
    expect(o.note).toMatch(/the first 7 days of a longer window/);
    expect(o.priced!.eurPerMwh.length).toBe(MAX_PLAN_WINDOW_MS / H);
  });
});

describe('prices for a window', () => {
  it('slices a market tariff as a view inside and pads it with NaN outside', () => {
    const t = makeTariff('feed', T0, [10, 20, 30], [1, 2, 3]);
    const m = marketModel(t);
    const inside = m.slice(T0 + H + 5, T0 + 2 * H);
    expect(inside.startMs).toBe(T0 + H);
    expect([...inside.eurPerMwh]).toEqual([20]);
    expect(inside.eurPerMwh.buffer).toBe(t.eurPerMwh.buffer);
    const around = m.slice(T0 - H, T0 + 4 * H);
    expect([...around.eurPerMwh].map((p) => (Number.isNaN(p) ? null : p))).toEqual([null, 10, 20, 30, null]);
    expect([...around.gridLoadMw!].map((p) => (Number.isNaN(p) ? null : p))).toEqual([null, 1, 2, 3, null]);
  });

  it('mixes hourly prices and a quarter-hour fallback at quarter-hours, and drops grid load where the fallback prices', () => {
    const t = makeTariff('feed', T0, [10, NaN_], [5, 6]);
    const quarterly: TariffModel = {
      label: 'time-of-use',
      kind: 'time-of-use',
      slice: (from, to) => {
        const start = Math.floor(from / Q) * Q;
        const n = Math.ceil((to - start) / Q);
        return makeTariff('tou', start, Array.from({ length: n }, (_, i) => 100 + i), null, Q);
      },
    };
    const s: TariffSnapshot = { primary: marketModel(t), fallback: quarterly, timeZone: 'UTC', problem: null };
    const { tariff, fallbackSlots } = pricesFor(s, T0, T0 + 2 * H);
    expect(tariff.slotMs).toBe(Q);
    expect([...tariff.eurPerMwh]).toEqual([10, 10, 10, 10, 104, 105, 106, 107]);
    expect(fallbackSlots).toBe(4);
    expect(tariff.gridLoadMw).toBeNull();
    // all from the primary: its grid load stays
    expect(pricesFor(s, T0, T0 + H).tariff.gridLoadMw).not.toBeNull();
  });
});

describe('the replay path', () => {
  it('plans the bundled 2020 tariff through a snapshot to the same floats as the planner on the whole year', async () => {
    const { loadTariff } = await import('../../../helpdesk/schedule/tariff-file.js');
    const year = loadTariff(new URL('../../../data/de-day-ahead-2020.csv', import.meta.url).pathname);
    const cotton40: PowerSlot[] = [...COTTON_40_SLOTS];
    const window = { slots: cotton40, earliestStart: Date.parse('2020-11-02T19:30:00Z'), latestEnd: Date.parse('2020-11-03T06:00:00Z') };
    const o = planOnSnapshot({ ...window, snapshot: snapshotOf(year) });
    const direct = planStart({ ...window, tariff: year });
    expect(o.basis).toBe('prices');
    expect(o.plan).toEqual(direct);
    expect(isPlanError(direct)).toBe(false);
    if (isPlanError(direct)) return;
    expect(costOfStart(cotton40, direct.start, o.priced!)).toBe(costOfStart(cotton40, direct.start, year));
    expect(costOfStart(cotton40, direct.start + 1234_000, pricesFor(snapshotOf(year), direct.start + 1234_000, direct.end + 1234_000).tariff)).toBe(
      costOfStart(cotton40, direct.start + 1234_000, year),
    );
  });
});
