/**
 * The loads' `coordination` option: each new plan is checked against the open loads planned before it. Without the
 * option every washer gets the cheapest hour; with a limit the later ones move to the next cheapest that fits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceEvent, PowerSlot } from '../../../contracts/index.js';
import { createLoads, type LoadsDeps } from '../../../helpdesk/loads.js';
import { openSqliteLoadStore } from '../../../helpdesk/loads/sqlite-store.js';
import type { LoadStore } from '../../../helpdesk/loads/store.js';
import { createOutbox } from '../../../helpdesk/outbox.js';
import { costOfStart } from '../../../helpdesk/schedule/planner.js';
import { makeTariff } from '../../../helpdesk/schedule/tariff.js';
import { memoryLog } from '../../helpers/memory-log.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-30T19:00:00Z');
const slots: PowerSlot[] = [{ durationS: 3600, powerW: 2000 }];
const tariff = makeTariff('t', T0, [90, 40, 60, 80, 95], null);
type Offer = Extract<DeviceEvent, { type: 'flex-offer' }>;
const offer = (offerId: string, ts: number): Offer => ({ v: 1, ts, seq: 1, type: 'flex-offer', offerId, programme: 'cotton-40', earliestStart: T0, latestEnd: T0 + 5 * H, slots });

const stores: LoadStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function rig(coordination?: LoadsDeps['coordination']) {
  const { log, lines } = memoryLog('debug');
  const outbox = createOutbox();
  const store = openSqliteLoadStore({ path: ':memory:' });
  stores.push(store);
  const loads = createLoads({ tariff, outbox, log, store, ...(coordination ? { coordination } : {}) });
  const starts = () => outbox.take().map((m) => (m.payload as unknown as { startAt: number }).startAt);
  return { loads, store, lines, starts };
}

describe('loads with fleet coordination', () => {
  it('off (the default): every washer gets the cheapest hour', () => {
    const r = rig();
    for (const d of ['a', 'b', 'c']) r.loads.offer(d, 'washer', offer(`o-${d}`, T0), T0);
    expect(r.starts()).toEqual([T0 + H, T0 + H, T0 + H]);
  });

  it('on: each plan is checked against the open loads; the later ones move; a finished load frees its power', () => {
    const r = rig({ limitW: 4000 });
    for (const d of ['a', 'b', 'c']) r.loads.offer(d, 'washer', offer(`o-${d}`, T0), T0);
    // two fit the cheapest hour (2 × 2 kW), the third goes to the next cheapest
    expect(r.starts()).toEqual([T0 + H, T0 + H, T0 + 2 * H]);
    const c = r.store.page().loads.find((l) => l.customerId === 'c')!;
    expect(c.plannedStart).toBe(T0 + 2 * H);
    expect(c.optimalCostEur).toBeCloseTo(costOfStart(slots, T0 + 2 * H, tariff), 12);
    // a's washer runs and finishes: its power leaves the fleet, so a new offer gets the cheapest hour again
    r.loads.cycle('a', 'washer', { v: 1, ts: T0 + H, seq: 2, type: 'cycle', state: 'started', programme: 'cotton-40' });
    r.loads.cycle('a', 'washer', { v: 1, ts: T0 + 2 * H, seq: 3, type: 'cycle', state: 'finished', programme: 'cotton-40' });
    r.loads.offer('d', 'washer', { ...offer('o-d', T0), earliestStart: T0 }, T0);
    expect(r.starts()).toEqual([T0 + H]);
  });

  it('a newer offer from a device replaces its load in the fleet, not adds to it', () => {
    const r = rig({ limitW: 4000 });
    r.loads.offer('a', 'washer', offer('o-1', T0), T0);
    r.loads.offer('a', 'washer', offer('o-2', T0), T0);
    r.loads.offer('b', 'washer', offer('o-b', T0), T0);
    expect(r.starts()).toEqual([T0 + H, T0 + H, T0 + H]);
  });

  it('when no start fits, the one exceeding the limit least is planned and logged', () => {
    const r = rig({ limitW: 1000 });
    r.loads.offer('a', 'washer', offer('o-a', T0), T0);
    expect(r.starts()).toEqual([T0 + H]);
    expect(r.lines.some((l) => String(l.msg).includes('exceeds it least') && l.overLimitW === 1000)).toBe(true);
  });
});
