import { describe, expect, it } from 'vitest';
import type { PowerSlot } from '../../../contracts/payloads.js';
import { createFleetCoordinator } from '../../../helpdesk/schedule/fleet/online.js';
import { costOfStart } from '../../../helpdesk/schedule/planner.js';
import { makeTariff } from '../../../helpdesk/schedule/tariff.js';

const H = 3_600_000;
const T0 = Date.parse('2026-01-05T00:00:00Z');
// hour 2 is the cheapest, hour 3 the next
const tariff = makeTariff('t', T0, [50, 40, 10, 20, 30, 60], null, H);
const ONE_KW_HOUR: PowerSlot[] = [{ durationS: 3600, powerW: 1000 }];
const offer = (id: string) => ({ id, slots: ONE_KW_HOUR, earliestStart: T0, latestEnd: T0 + 6 * H });

describe('online fleet coordination', () => {
  it('keeps the preferred start while it fits, then places each new offer against what is committed', () => {
    const c = createFleetCoordinator({ limitW: 1500 });
    const a = c.place(offer('a'), tariff, T0 + 2 * H);
    expect(a).toEqual({ start: T0 + 2 * H, costEur: costOfStart(ONE_KW_HOUR, T0 + 2 * H, tariff), overLimitW: 0, preferred: true });
    // b's optimum is a's hour too: over the limit, so the cheapest start that fits (hour 3)
    const b = c.place(offer('b'), tariff, T0 + 2 * H);
    expect(b).toMatchObject({ start: T0 + 3 * H, overLimitW: 0, preferred: false });
    expect(c.peakW()).toBeCloseTo(1000, 9);
    expect(c.committed()).toBe(2);
  });

  it('when nothing fits it overflows least and says so; release and expire free the capacity', () => {
    const c = createFleetCoordinator({ limitW: 900 });
    const a = c.place(offer('a'), tariff, T0 + 2 * H);
    expect('error' in a ? null : a.overLimitW).toBeCloseTo(100, 9);
    const b = c.place(offer('b'), tariff);
    // every start overflows by 100 W where empty, 1100 W on a: the cheapest empty hour
    expect('error' in b ? null : [b.start, b.overLimitW]).toEqual([T0 + 3 * H, expect.closeTo(100, 9)]);
    c.release('b');
    expect(c.committed()).toBe(1);
    c.expire(T0 + 3 * H); // a ended at 03:00
    expect(c.committed()).toBe(0);
    expect(c.peakW()).toBe(0);
  });

  it('placing an id again replaces its load; a bad offer is a coded error and keeps the old load', () => {
    const c = createFleetCoordinator({ limitW: 1500 });
    c.place(offer('a'), tariff, T0 + 2 * H);
    const again = c.place(offer('a'), tariff, T0 + 2 * H);
    expect(again).toMatchObject({ start: T0 + 2 * H, preferred: true });
    expect(c.committed()).toBe(1);
    const bad = c.place({ ...offer('a'), latestEnd: T0 + 1000 }, tariff);
    expect(bad).toMatchObject({ error: { code: 'EVN_ERR_FLEET_OFFER' } });
    expect(c.committed()).toBe(1);
    expect(c.peakW()).toBeCloseTo(1000, 9);
    expect(c.place({ ...offer('x'), earliestStart: T0 + 10 * H, latestEnd: T0 + 12 * H }, tariff)).toMatchObject({ error: { code: 'EVN_ERR_FLEET_OFFER' } });
  });

  it('is deterministic: the same offers in the same order give the same starts', () => {
    const run = (): number[] => {
      const c = createFleetCoordinator({ limitW: 2500 });
      return ['a', 'b', 'c', 'd', 'e'].map((id) => {
        const p = c.place(offer(id), tariff, T0 + 2 * H);
        return 'error' in p ? -1 : p.start;
      });
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.slice(0, 2)).toEqual([T0 + 2 * H, T0 + 2 * H]);
  });
});
