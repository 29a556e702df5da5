/**
 * A device that never heard the helpdesk's answer (offline, still pending, restarted) sends its open
 * offer again with the same id: that is the same load, not a new one. Planned: the plan is sent again
 * (the same start). Not planned: it is planned in place once prices are known. Another window or power
 * sequence under the same id is a new offer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceEvent, PowerSlot } from '../../../contracts/index.js';
import { createLoads } from '../../../helpdesk/loads.js';
import { openSqliteLoadStore } from '../../../helpdesk/loads/sqlite-store.js';
import type { LoadStore } from '../../../helpdesk/loads/store.js';
import { createOutbox } from '../../../helpdesk/outbox.js';
import { marketModel, type TariffSnapshot } from '../../../helpdesk/schedule/source.js';
import { makeTariff } from '../../../helpdesk/schedule/tariff.js';
import { fixedModel } from '../../../helpdesk/tariffs/time-of-use.js';
import { memoryLog } from '../../helpers/memory-log.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-30T19:00:00Z');
const slots: PowerSlot[] = [{ durationS: 1800, powerW: 2000 }, { durationS: 1800, powerW: 200 }];
type Offer = Extract<DeviceEvent, { type: 'flex-offer' }>;
const offer = (ts: number, seq: number, over: Partial<Offer> = {}): Offer => ({ v: 1, ts, seq, type: 'flex-offer', offerId: 'w1', programme: 'cotton-40', earliestStart: T0, latestEnd: T0 + 4 * H, slots, ...over });

const stores: LoadStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function rig(snapshot: () => TariffSnapshot) {
  const { log, lines } = memoryLog('debug');
  const outbox = createOutbox();
  const store = openSqliteLoadStore({ path: ':memory:' });
  stores.push(store);
  const loads = createLoads({ tariff: { current: snapshot }, outbox, log, store });
  const commands = () => outbox.take().map((m) => m.payload as unknown as { action: string; startAt?: number });
  return { loads, store, lines, commands };
}
const prices = (values: number[]): TariffSnapshot => ({ primary: marketModel(makeTariff('feed', T0, values, null), 'day-ahead prices (feed)'), fallback: null, timeZone: 'Europe/Berlin', problem: null });

describe('an offer sent again', () => {
  it('planned: the same plan goes out again, no second load, the repeat logged with its code', () => {
    const r = rig(() => prices([90, 40, 60, 80]));
    r.loads.offer('maria', 'washer', offer(T0, 1), T0);
    expect(r.commands()).toEqual([expect.objectContaining({ action: 'schedule-start', startAt: T0 + H })]);
    r.loads.offer('maria', 'washer', offer(T0 + 60_000, 2), T0 + 60_000);
    expect(r.commands()).toEqual([expect.objectContaining({ action: 'schedule-start', startAt: T0 + H })]);
    expect(r.store.page().total).toBe(1);
    expect(r.lines.some((l) => l.code === 'EVN_ERR_LOAD_REPEATED')).toBe(true);
  });

  it('not planned (no prices then): planned in place when it comes again after prices arrived', () => {
    let snap = prices([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    const r = rig(() => snap);
    r.loads.offer('maria', 'washer', offer(T0, 1), T0);
    expect(r.commands()).toEqual([]);
    expect(r.store.page().loads[0]!.planError).not.toBeNull();
    snap = prices([90, 40, 60, 80]);
    r.loads.offer('maria', 'washer', offer(T0 + 60_000, 2), T0 + 60_000);
    expect(r.commands()).toEqual([expect.objectContaining({ action: 'schedule-start', startAt: T0 + H })]);
    const page = r.store.page();
    expect(page.total).toBe(1);
    expect(page.loads[0]).toMatchObject({ planError: null, plannedStart: T0 + H, basis: 'prices' });
  });

  it('the same id with another window is a new offer that supersedes the open one', () => {
    const r = rig(() => prices([90, 40, 60, 80]));
    r.loads.offer('maria', 'washer', offer(T0, 1), T0);
    r.loads.offer('maria', 'washer', offer(T0 + 60_000, 2, { latestEnd: T0 + 3 * H }), T0 + 60_000);
    const page = r.store.page();
    expect(page.total).toBe(2);
    expect(page.loads.map((l) => l.state).sort()).toEqual(['offered', 'superseded']);
  });
});

describe('new prices for open loads', () => {
  const fallback = fixedModel(0.3);
  const withFallback = (values: number[]): TariffSnapshot => ({ ...prices(values), fallback });

  it('plans a load planned on the prices known so far again when the feed brings more, and sends the better start', () => {
    // known: the first two hours; the window is four
    let snap = withFallback([90, 80, Number.NaN, Number.NaN]);
    const r = rig(() => snap);
    r.loads.tick(T0);
    r.loads.offer('maria', 'washer', offer(T0, 1), T0);
    expect(r.commands()).toEqual([expect.objectContaining({ action: 'schedule-start', startAt: T0 + H })]);
    expect(r.store.page().loads[0]).toMatchObject({ basis: 'known-prices', plannedStart: T0 + H });
    // nothing changed: nothing planned again
    r.loads.tick(T0 + 60_000);
    expect(r.commands()).toEqual([]);
    // the feed's refresh at T0 + 2 min: the third hour is the cheapest
    snap = withFallback([90, 80, 10, 60]);
    r.loads.tick(T0 + 120_000);
    expect(r.commands()).toEqual([expect.objectContaining({ action: 'schedule-start', startAt: T0 + 2 * H })]);
    const page = r.store.page();
    expect(page.total).toBe(1);
    expect(page.loads[0]).toMatchObject({ basis: 'prices', plannedStart: T0 + 2 * H, planError: null });
    expect(r.lines.some((l) => l.msg === 'new prices: the open load is planned again')).toBe(true);
  });

  it('leaves a load planned on prices, and one already started, as they are', () => {
    let snap = withFallback([90, 40, 60, 80]);
    const r = rig(() => snap);
    r.loads.tick(T0);
    r.loads.offer('maria', 'washer', offer(T0, 1), T0);
    r.commands();
    snap = withFallback([10, 40, 60, 80]);
    r.loads.tick(T0 + 60_000);
    expect(r.commands()).toEqual([]);
    expect(r.store.page().loads[0]).toMatchObject({ basis: 'prices', plannedStart: T0 + H });
  });
});
