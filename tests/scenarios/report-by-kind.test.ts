/**
 * The report's figures per device kind (issue 13, item 1), computed on a report made by hand: a fault
 * is caught by a ticket that finds it, on its device, opened from its injection up to when the
 * customer would notice (later is late, never is missed); lead times from that ticket to the noticing,
 * as min, median, p90 (nearest rank) and max; a ticket on a device without a fault it finds (before it
 * opened) is false, counted per 10,000 device-days; loads' savings summed and averaged. And the report
 * has them after its messages, the rest as it was.
 */
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../devices/kinds/index.js';
import { byKind, FAULT_FINDS, median, nearestRank, type ByKindSource, type ReportDevice } from '../../scenarios/report-by-kind.js';
import { buildReport } from '../../scenarios/report.js';
import { twoCustomers } from './report-fixture.js';

const T = (hhmm: string, day = '02'): string => `2020-11-${day}T${hhmm}:00+01:00`;
const cars: ReportDevice[] = Array.from({ length: 10 }, (_, i) => ({ customerId: `c${i + 1}`, id: 'car', kind: 'car-battery' }));
const devices: ReportDevice[] = [
  ...cars,
  { customerId: 'c1', id: 'fridge', kind: 'fridge' },
  { customerId: 'c2', id: 'fridge', kind: 'fridge' },
  { customerId: 'c1', id: 'washer', kind: 'washer' },
];
const fault = (c: string, kind: string, injected: string, noticeable: string | null) => ({ customerId: c, deviceId: 'car', kind, injectedAt: T(injected), noticeableAt: noticeable === null ? null : T(noticeable) });
const ticket = (c: string, kind: string, opened: string, deviceId = 'car') => ({ customerId: c, deviceId, kind, openedAt: T(opened) });
const load = (plannedStart: string | null, savedEur: number | null, savedPct: number | null) => ({ customerId: 'c1', deviceId: 'washer', plannedStart, savedEur, savedPct });

/** two days, ten cars: every case of a fault and a ticket once */
const source: ByKindSource = {
  simulated: { start: T('08:00'), end: T('08:00', '04') },
  faults: [
    fault('c1', 'failing-alternator', '10:00', '11:00'), // caught 10 min ahead
    fault('c2', 'failing-alternator', '10:00', '11:00'), // 20
    fault('c3', 'failing-alternator', '10:00', '11:00'), // 30
    fault('c4', 'failing-alternator', '10:00', '11:00'), // 60: the ticket at the injection counts
    fault('c5', 'failing-alternator', '10:00', '11:00'), // late: the ticket after the customer noticed
    fault('c6', 'failing-alternator', '10:00', '11:00'), // missed: no ticket
    fault('c7', 'failing-alternator', '10:00', null), // caught, the customer would not notice within the horizon: no lead time
    fault('c8', 'parasitic-drain', '10:00', '12:00'), // missed: a ticket of a kind that does not find it
    fault('c10', 'failing-alternator', '10:00', '11:00'), // 15: an earlier ticket, before the fault, does not count
    { ...fault('c6', 'failing-alternator', '10:00', null), injectedAt: T('09:00', '04') }, // after the end: not injected
  ],
  tickets: [
    ticket('c1', 'battery-discharge', '10:50'),
    ticket('c2', 'battery-discharge', '10:40'),
    ticket('c3', 'battery-discharge', '10:30'),
    ticket('c4', 'battery-discharge', '10:00'),
    ticket('c5', 'battery-discharge', '11:05'),
    ticket('c7', 'battery-discharge', '10:20'),
    ticket('c8', 'battery-discharge', '10:10'), // false: discharge does not find a parasitic drain
    ticket('c9', 'battery-weak', '12:00'), // false: no fault
    ticket('c9', 'device-offline', '13:00'), // an outage's: never false
    ticket('c10', 'battery-discharge', '09:00'), // false: before the fault
    ticket('c10', 'battery-discharge', '10:45'),
    ticket('c99', 'fridge-warm', '10:00', 'fridge'), // a device the scenario does not have
  ],
  loads: [load(T('02:52', '03'), 0.0078, 40), load(T('03:00', '03'), 0.01, 20), load(null, null, null)],
};

describe('the report by device kind', () => {
  const b = byKind(source, devices);

  it('counts faults injected before the end, caught before the customer would notice, late and missed; recall', () => {
    expect(b['car-battery']!.devices).toBe(10);
    expect(b['car-battery']!.deviceDays).toBe(20);
    expect(b['car-battery']!.faults).toEqual({ injected: 9, caught: 6, late: 1, missed: 2, recall: 0.667 });
  });

  it('gives lead times from the first finding ticket to the noticing: min, median, p90 by nearest rank, max', () => {
    // leads 10, 15, 20, 30, 60 (c7 has none: the customer would not notice)
    expect(b['car-battery']!.leadMinutes).toEqual({ min: 10, median: 20, p90: 60, max: 60 });
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
    expect(nearestRank([7], 90)).toBe(7);
  });

  it('counts false tickets and their rate per 10,000 device-days, and the tickets by kind', () => {
    // 3 false tickets over 10 cars × 2 days
    expect(b['car-battery']!.tickets).toEqual({
      total: 11, false: 3, falsePer10kDeviceDays: 1500,
      byKind: { 'battery-discharge': 9, 'battery-weak': 1, 'device-offline': 1 },
    });
    expect(b.unknown!.tickets).toMatchObject({ total: 1, false: 1, falsePer10kDeviceDays: null });
  });

  it('gives kinds without faults or tickets no recall and no lead time, and 0 false tickets', () => {
    expect(b.fridge).toEqual({
      devices: 2, deviceDays: 4, faults: { injected: 0, caught: 0, late: 0, missed: 0, recall: null }, leadMinutes: null,
      tickets: { total: 0, false: 0, falsePer10kDeviceDays: 0, byKind: {} },
    });
  });

  it('sums the loads: count, planned, € saved against starting at once, mean % saved over the loads that have one', () => {
    expect(b.washer!.loads).toEqual({ count: 3, planned: 2, savedEur: 0.0178, meanSavedPct: 30 });
    expect(b['car-battery']!.loads).toBeUndefined();
  });

  it('orders the kinds alphabetically and gives the same result for the same input', () => {
    expect(Object.keys(b)).toEqual(['car-battery', 'fridge', 'unknown', 'washer']);
    expect(JSON.stringify(byKind(source, [...devices].reverse()))).toBe(JSON.stringify(b));
  });

  it('knows which tickets find every fault kind a device model can inject', () => {
    for (const model of Object.values(KINDS)) for (const f of model.faultKinds) expect(FAULT_FINDS[f], `${model.kind}: ${f}`).toBeDefined();
  });
});

describe('the report with the scenario devices', () => {
  const input = twoCustomers();
  const withDevices = buildReport({
    ...input,
    devices: [
      { customerId: 'anna', id: 'car', kind: 'car-battery' },
      { customerId: 'ben', id: 'car', kind: 'car-battery' },
      { customerId: 'anna', id: 'washer', kind: 'washer' },
      { customerId: 'ben', id: 'washer', kind: 'washer' },
    ],
  });

  it('has byKind after the messages and everything else as without them', () => {
    expect(Object.keys(withDevices)).toEqual(['scenario', 'seed', 'simulated', 'messages', 'byKind', 'tickets', 'faults', 'loads', 'shopping', 'problems', 'offers', 'contacts', 'bookings', 'satisfaction']);
    const { byKind: figures, ...rest } = withDevices;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(buildReport(input)));
    expect(buildReport(input)).not.toHaveProperty('byKind');
    // both parasitic drains caught (Anna's 500 min before she would notice; Ben would not notice), no false ticket
    expect(figures!['car-battery']).toMatchObject({ devices: 2, deviceDays: 4, faults: { injected: 2, caught: 2, recall: 1 }, leadMinutes: { min: 500, max: 500 }, tickets: { total: 2, false: 0 } });
    // the figures come from the report's own rounded savings
    expect(figures!.washer!.loads).toEqual({ count: 2, planned: 2, savedEur: 0.0492, meanSavedPct: 39.8 });
  });
});
