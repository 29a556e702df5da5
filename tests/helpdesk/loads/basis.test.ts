/**
 * Loads say what their plan rests on: planned on prices, on known prices only, on the fallback, or no
 * plan and why, stored with the load (SQLite, and a v1 file migrated) and logged with a code; the
 * actual run is priced on the prices known when it starts.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceEvent, PowerSlot } from '../../../contracts/index.js';
import { createLoads, type LoadRecord } from '../../../helpdesk/loads.js';
import { openSqliteLoadStore } from '../../../helpdesk/loads/sqlite-store.js';
import type { LoadStore } from '../../../helpdesk/loads/store.js';
import { createOutbox } from '../../../helpdesk/outbox.js';
import { marketModel, type TariffSnapshot } from '../../../helpdesk/schedule/source.js';
import { makeTariff, type Tariff } from '../../../helpdesk/schedule/tariff.js';
import { fixedModel } from '../../../helpdesk/tariffs/time-of-use.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const H = 3_600_000;
/** 30 November 2026 20:00 in Berlin */
const T0 = Date.parse('2026-11-30T19:00:00Z');
const slots: PowerSlot[] = [{ durationS: 1800, powerW: 2000 }, { durationS: 1800, powerW: 200 }];
type Offer = Extract<DeviceEvent, { type: 'flex-offer' }>;
const offer = (id: string, ts: number, latestEnd: number): Offer => ({ v: 1, ts, seq: 1, type: 'flex-offer', offerId: id, programme: 'cotton-40', earliestStart: ts, latestEnd, slots });

const dir = tempDirPerTest('evernet-load-basis-');
const open: LoadStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

/** loads on a snapshot the test can swap, as a provider's refresh would */
function rig(first: TariffSnapshot | Tariff) {
  let current = first;
  const source = 'primary' in current ? { current: () => current as TariffSnapshot } : current;
  const { log, lines } = memoryLog('debug');
  const outbox = createOutbox();
  const store = openSqliteLoadStore({ path: dir.join('helpdesk.db') });
  open.push(store);
  const changes: LoadRecord[] = [];
  const loads = createLoads({ tariff: 'primary' in first ? source : first, outbox, log, store, onChange: (l) => changes.push(l) });
  return { loads, lines, outbox, store, changes, swap: (s: TariffSnapshot) => void (current = s) };
}

const snap = (t: Tariff, fallback = fixedModel(0.3)): TariffSnapshot => ({ primary: marketModel(t, 'day-ahead prices (feed)'), fallback, timeZone: 'Europe/Berlin', problem: null });
const stored = (r: ReturnType<typeof rig>) => r.store.page({ limit: 1 }).loads[0]!;

describe('what a load is planned on', () => {
  it('plans on a plain tariff (replays) and records its prices as the basis', () => {
    const r = rig(makeTariff('data/de-day-ahead-2020.csv', T0, [90, 40, 60, 80], null));
    r.loads.offer('maria', 'washer', offer('w1', T0, T0 + 4 * H), T0);
    expect(stored(r)).toMatchObject({ basis: 'prices', basisNote: 'day-ahead prices (de-day-ahead-2020.csv)', planError: null, plannedStart: T0 + H });
    expect(r.outbox.take().map((m) => m.payload.action)).toEqual(['schedule-start']);
    expect(r.lines.filter((l) => l.level === 40)).toEqual([]);
  });

  it('starts trying from the next whole second after a live clock\'s now, so a plan meets the slot boundaries', () => {
    const r = rig(makeTariff('feed', T0, [90, 40, 60, 80], null));
    r.loads.offer('maria', 'washer', offer('w1', T0, T0 + 4 * H), T0 + 394);
    expect(stored(r).plannedStart).toBe(T0 + H);
  });

  it('plans on the fallback when the feed has nothing for the window, says so on the load and logs EVN_ERR_PLAN_FALLBACK', () => {
    const empty = makeTariff('feed', T0 - 48 * H, [50], null);
    const r = rig({ ...snap(empty), problem: { code: 'EVN_ERR_TARIFF_FEED_UNREACHABLE', message: 'connect ECONNREFUSED', at: T0 - H } });
    r.loads.offer('maria', 'washer', offer('w1', T0, T0 + 4 * H), T0);
    const l = stored(r);
    expect(l).toMatchObject({ basis: 'fallback', planError: null, plannedStart: T0 });
    expect(l.optimalCostEur).toBeCloseTo(((2000 + 200) / 2 / 1000) * 0.3, 12);
    expect(l.basisNote).toBe(
      'fixed tariff 0.3000 €/kWh (fallback): no day-ahead prices (feed) for the window 2026-11-30 20:00–2026-12-01 00:00 (Europe/Berlin); ' +
        'price feed: EVN_ERR_TARIFF_FEED_UNREACHABLE at 2026-11-30 19:00: connect ECONNREFUSED',
    );
    expect(r.outbox.take().map((m) => m.payload.action)).toEqual(['schedule-start']);
    expect(r.lines.find((x) => x.code === 'EVN_ERR_PLAN_FALLBACK')).toMatchObject({ level: 40, basis: 'fallback', feed: 'EVN_ERR_TARIFF_FEED_UNREACHABLE' });
  });

  it('without prices or fallback: no plan, a coded error, the reason on the load, and the dashboard told', () => {
    const r = rig({ ...snap(makeTariff('feed', T0 - 48 * H, [50], null)), fallback: null });
    r.loads.offer('maria', 'washer', offer('w1', T0, T0 + 4 * H), T0);
    const l = stored(r);
    expect(l).toMatchObject({ basis: 'none', planError: 'EVN_ERR_PLAN_NO_TARIFF', plannedStart: null });
    expect(l.basisNote).toMatch(/^no plan: no day-ahead prices \(feed\) for the window .* and no fallback tariff; the appliance keeps its own start \(at the latest 2026-11-30 23:00\)$/);
    expect(r.outbox.take()).toEqual([]);
    expect(r.changes.at(-1)).toMatchObject({ offerId: 'w1', planError: 'EVN_ERR_PLAN_NO_TARIFF', basis: 'none' });
    expect(r.lines.find((x) => x.code === 'EVN_ERR_PLAN_NO_TARIFF')).toMatchObject({ level: 40, msg: l.basisNote });
  });

  it('prices the actual run on what is known when it starts: prices published after a fallback plan', () => {
    const r = rig(snap(makeTariff('feed', T0 - 48 * H, [50], null)));
    r.loads.offer('maria', 'washer', offer('w1', T0, T0 + 4 * H), T0);
    expect(stored(r).basis).toBe('fallback');
    r.swap(snap(makeTariff('feed', T0, [100, 100, 100, 100], null)));
    r.loads.cycle('maria', 'washer', { v: 1, ts: T0 + 600_000, seq: 2, type: 'cycle', state: 'started', programme: 'cotton-40' });
    expect(stored(r).costEur).toBeCloseTo(1.1 * 0.1, 12);
    // a run nobody has prices for costs "unknown", not NaN
    r.loads.offer('maria', 'washer', offer('w2', T0 + 5 * H, T0 + 9 * H), T0 + 5 * H);
    r.swap({ ...snap(makeTariff('feed', T0, [1], null)), fallback: null });
    r.loads.cycle('maria', 'washer', { v: 1, ts: T0 + 5 * H, seq: 3, type: 'cycle', state: 'started', programme: 'cotton-40' });
    expect(stored(r)).toMatchObject({ offerId: 'w2', state: 'running', costEur: null });
  });

  it('migrates a load store of the first version: old loads have no basis, new ones do', () => {
    const path = dir.join('old.db');
    const db = new Database(path);
    db.exec(`CREATE TABLE loads (id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, customer_id TEXT NOT NULL, offer_id TEXT NOT NULL,
      programme TEXT NOT NULL, state TEXT NOT NULL, requested_at INTEGER NOT NULL, deadline INTEGER NOT NULL, planned_start INTEGER, actual_start INTEGER,
      finished_at INTEGER, superseded_at INTEGER, cost_eur REAL, optimal_cost_eur REAL, start_now_cost_eur REAL, energy_kwh REAL, mean_grid_load_mw REAL,
      plan_error TEXT, duration_s INTEGER NOT NULL, slot_count INTEGER NOT NULL, slots TEXT NOT NULL);
      CREATE TABLE evernet_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL); INSERT INTO evernet_schema VALUES ('loads', 1);
      INSERT INTO loads (device_id, customer_id, offer_id, programme, state, requested_at, deadline, plan_error, duration_s, slot_count, slots)
        VALUES ('washer', 'maria', 'old', 'cotton-40', 'offered', ${T0}, ${T0 + H}, 'EVN_ERR_PLAN_NO_TARIFF', 3600, 2, '[]');`);
    db.close();
    const store = openSqliteLoadStore({ path });
    expect(store.page().loads[0]).toMatchObject({ offerId: 'old', basis: null, basisNote: null, planError: 'EVN_ERR_PLAN_NO_TARIFF' });
    const loads = createLoads({ tariff: makeTariff('t', T0, [1, 2, 3, 4, 5], null), outbox: createOutbox(), log: memoryLog().log, store });
    loads.offer('maria', 'washer', offer('new', T0, T0 + 4 * H), T0);
    expect(store.page().loads.map((l) => [l.offerId, l.basis])).toEqual([['new', 'prices'], ['old', null]]);
    store.close();
  });
});
