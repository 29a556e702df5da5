import { describe, expect, it } from 'vitest';
import type { PowerSlot } from '../../../contracts/payloads.js';
import { prng } from '../../../devices/kinds/rng.js';
import { costLowerBound } from '../../../helpdesk/schedule/fleet/bound.js';
import type { FleetOffer } from '../../../helpdesk/schedule/fleet/coordinate.js';
import { costOfStart, isPlanError, planStart } from '../../../helpdesk/schedule/planner.js';
import { makeTariff, type Tariff } from '../../../helpdesk/schedule/tariff.js';

const H = 3_600_000;
const T0 = Date.parse('2026-01-05T00:00:00Z');

/** mean power per bin of a load started at `start`, summed second by second (independent of profile.ts) */
function addBins(slots: readonly PowerSlot[], start: number, binMs: number, into: Map<number, number>): void {
  let t = start;
  for (const s of slots) {
    for (let k = 0; k < s.durationS; k++, t += 1000) {
      const b = Math.floor(t / binMs);
      into.set(b, (into.get(b) ?? 0) + (s.powerW * 1000) / binMs);
    }
  }
}

/** the cheapest assignment within the limit with starts every `stepMs` from each earliest start, by trying every one */
function exhaustive(offers: readonly FleetOffer[], tariff: Tariff, stepMs: number, binMs: number, limitW: number): number | null {
  const starts = offers.map((o) => {
    const dur = o.slots.reduce((a, s) => a + s.durationS * 1000, 0);
    const out: number[] = [];
    for (let s = o.earliestStart; s + dur <= o.latestEnd; s += stepMs) out.push(s);
    return out;
  });
  const costs = offers.map((o, i) => starts[i]!.map((s) => costOfStart(o.slots, s, tariff)));
  const profiles = offers.map((o, i) =>
    starts[i]!.map((s) => {
      const m = new Map<number, number>();
      addBins(o.slots, s, binMs, m);
      return [...m];
    }),
  );
  let best: number | null = null;
  const pick = new Array<number>(offers.length).fill(0);
  const rec = (i: number, cost: number): void => {
    if (best !== null && cost >= best) return;
    if (i === offers.length) {
      const m = new Map<number, number>();
      offers.forEach((_, k) => {
        for (const [b, w] of profiles[k]![pick[k]!]!) m.set(b, (m.get(b) ?? 0) + w);
      });
      if (Math.max(0, ...m.values()) <= limitW + 1e-6) best = cost;
      return;
    }
    for (let j = 0; j < starts[i]!.length; j++) {
      pick[i] = j;
      rec(i + 1, cost + costs[i]![j]!);
    }
  };
  rec(0, 0);
  return best;
}

function randomFleet(seed: number): { offers: FleetOffer[]; tariff: Tariff; peakW: number } {
  const rnd = prng(seed);
  const tariff = makeTariff('random', T0, Array.from({ length: 8 }, () => Math.round(20 + rnd() * 80)), null, H);
  const n = 3 + Math.floor(rnd() * 3);
  let peakW = 0;
  const offers = Array.from({ length: n }, (_, i): FleetOffer => {
    const slots: PowerSlot[] = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ durationS: 60 * (1 + Math.floor(rnd() * 40)), powerW: 200 + Math.floor(rnd() * 2000) }));
    peakW += Math.max(...slots.map((s) => s.powerW));
    // earliest starts off any grid (whole seconds), windows up to 1 h 40 min wider than the run
    const earliestStart = T0 + Math.floor(rnd() * 3 * H / 1000) * 1000;
    const dur = slots.reduce((a, s) => a + s.durationS * 1000, 0);
    return { id: `o${i}`, slots, earliestStart, latestEnd: earliestStart + dur + Math.floor(rnd() * 6) * 1_000_000 };
  });
  return { offers, tariff, peakW };
}

describe('the lower bound on a coordinated fleet\'s cost (Lagrangian, any starts)', () => {
  it('with no multipliers is each offer alone at its exact optimum (planner.ts)', () => {
    const { offers, tariff } = randomFleet(3);
    const b = costLowerBound(offers, tariff, { limitW: 1e9, iterations: 0 });
    const alone = offers.reduce((a, o) => {
      const p = planStart({ ...o, tariff });
      if (isPlanError(p)) throw new Error(p.error.reason);
      return a + p.costEur;
    }, 0);
    expect(b.selfishEur).toBeCloseTo(alone, 12);
    expect(b.costEur).toBeCloseTo(alone, 12);
  });

  it('is never above the cost of the best assignment within the limit, on 120 small random fleets solved exhaustively on 5- and 15-minute steps', () => {
    let binding = 0;
    for (let seed = 1; seed <= 120; seed++) {
      const { offers, tariff, peakW } = randomFleet(seed);
      const binMs = seed % 2 ? 300_000 : 900_000;
      const limitW = peakW * (0.35 + 0.15 * (seed % 4));
      const b = costLowerBound(offers, tariff, { limitW, binS: binMs / 1000, iterations: 150 });
      expect(b.skipped).toEqual([]);
      expect(b.costEur).toBeGreaterThanOrEqual(b.selfishEur - 1e-12);
      const stepMs = seed % 3 ? 900_000 : 300_000;
      const best = exhaustive(offers, tariff, stepMs, binMs, limitW);
      if (best === null) continue;
      expect(b.costEur).toBeLessThanOrEqual(best + 1e-9);
      if (best > b.selfishEur + 1e-6) binding++;
    }
    // the limit changes the optimum in many of them (on so few offers the relaxation lets each offer spread over
    // many starts: it rises little above the selfish cost there; it is tight on fleets, see the next test)
    expect(binding).toBeGreaterThan(20);
  });

  it('reaches the optimum where the relaxation is tight: two 1-hour loads, one fits the cheap hour at a time', () => {
    const tariff = makeTariff('two hours', T0, [20, 40, 90]);
    const load = (id: string): FleetOffer => ({ id, slots: [{ durationS: 3600, powerW: 1000 }], earliestStart: T0, latestEnd: T0 + 2 * H });
    const b = costLowerBound([load('a'), load('b')], tariff, { limitW: 1000 });
    expect(b.selfishEur).toBeCloseTo(0.04, 12); // both in the cheap hour: 2 kWh at 20 EUR/MWh
    expect(b.costEur).toBeLessThanOrEqual(0.06 + 1e-12); // one in each hour
    expect(b.costEur).toBeGreaterThan(0.06 - 1e-5);
    // the multipliers price the cheap hour's bins at the difference, 20 EUR/MWh for a W over an hour
    const full = [...b.multipliers].filter((x) => x > 0);
    expect(full.length).toBeGreaterThanOrEqual(12);
  });

  it('leaves out, by id, an offer it cannot bound', () => {
    const { offers, tariff } = randomFleet(5);
    const b = costLowerBound([...offers, { id: 'short', slots: offers[0]!.slots, earliestStart: T0, latestEnd: T0 + 1000 }], tariff, { limitW: 5000, iterations: 5 });
    expect(b.skipped).toEqual(['short']);
  });
});
