/**
 * Detection across the fleet (bench/fleet-detection.ts): the figures of a hand-made report (precision,
 * tickets on healthy devices, a device-offline ticket counted there), a tiny fleet replayed in both
 * telemetry modes whose figures must agree with each other, and a healthy fleet reporting by exception
 * that must open no ticket at all.
 */
import { describe, expect, it } from 'vitest';
import { fleetDetection } from '../../bench/fleet-detection.js';
import { detectionFigures } from '../../bench/fleet-detection/figures.js';
import { FAULT_RATES, fleetDetectionScenario } from '../../bench/fleet-detection/scenario.js';
import { KINDS } from '../../devices/kinds/index.js';
import { silentLogger } from '../../log/logger.js';
import type { ByKindSource, ReportDevice } from '../../scenarios/report-by-kind.js';
import { replay } from '../../scenarios/runner.js';

const T = (hhmm: string, day = '02'): string => `2020-11-${day}T${hhmm}:00+01:00`;

describe('the figures of one replay', () => {
  const devices: ReportDevice[] = [
    ...['c1', 'c2', 'c3', 'c4'].map((c) => ({ customerId: c, id: 'car', kind: 'car-battery' })),
    { customerId: 'c1', id: 'fridge', kind: 'fridge' },
  ];
  const source: ByKindSource = {
    simulated: { start: T('08:00'), end: T('08:00', '03') },
    faults: [
      { customerId: 'c1', deviceId: 'car', kind: 'failing-alternator', injectedAt: T('10:00'), noticeableAt: T('11:00') },
      { customerId: 'c2', deviceId: 'car', kind: 'parasitic-drain', injectedAt: T('10:00'), noticeableAt: T('20:00') },
    ],
    tickets: [
      { customerId: 'c1', deviceId: 'car', kind: 'battery-discharge', openedAt: T('10:30') }, // finds, 30 min ahead
      { customerId: 'c2', deviceId: 'car', kind: 'battery-discharge', openedAt: T('10:30') }, // false: does not find a drain
      { customerId: 'c3', deviceId: 'car', kind: 'battery-weak', openedAt: T('12:00') }, // on a healthy car
      { customerId: 'c4', deviceId: 'car', kind: 'device-offline', openedAt: T('13:00') }, // on a healthy car: no outages here
    ],
    loads: [],
  };
  const { figures: f, healthy } = detectionFigures(source, devices, 'x');

  it('counts faults, catches and lead times as byKind does, per device and per fault kind', () => {
    expect(f).toMatchObject({ 'x.car-battery.faults': 2, 'x.car-battery.caught': 1, 'x.car-battery.missed': 1, 'x.car-battery.recall': 0.5, 'x.car-battery.leadMedianMinutes': 30 });
    expect(f).toMatchObject({ 'x.fault.failing-alternator.recall': 1, 'x.fault.parasitic-drain.recall': 0, 'x.fault.parasitic-drain.caught': 0 });
  });

  it('has precision as the tickets that find a fault over all tickets, a device-offline ticket finding none', () => {
    expect(f['x.car-battery.tickets']).toBe(4);
    expect(f['x.car-battery.precision']).toBe(0.25);
    expect(f['x.ticket.battery-discharge.precision']).toBe(0.5);
    expect(f['x.ticket.battery-weak.precision']).toBe(0);
    expect(f['x.ticket.device-offline.precision']).toBe(0);
  });

  it('counts every ticket on a device without a fault per 10,000 of the healthy devices’ days', () => {
    // c3, c4 (cars) and c1's fridge are healthy, one day each
    expect(f['x.car-battery.healthyDeviceDays']).toBe(2);
    expect(f['x.car-battery.healthyTickets']).toBe(2);
    expect(f['x.car-battery.falseTicketsPer10kHealthyDeviceDays']).toBe(10_000);
    expect(f['x.fridge.falseTicketsPer10kHealthyDeviceDays']).toBe(0);
    expect(healthy).toEqual({ deviceDays: 3, tickets: 2 });
  });
});

describe('the fleet', () => {
  it('draws every fault kind the models have', () => {
    const kinds = Object.values(KINDS).flatMap((k) => [...k.faultKinds]);
    expect(FAULT_RATES.map((r) => r.kind).sort()).toEqual([...kinds].sort());
    const drawn = new Set(fleetDetectionScenario({ homes: 150, mode: 'exception' }).devices.flatMap((d) => (d.params as { faults: Array<{ kind: string }> }).faults.map((x) => x.kind)));
    expect([...drawn].sort()).toEqual([...kinds].sort());
  });

  it('has none with faults: false', () => {
    const s = fleetDetectionScenario({ homes: 30, mode: 'exception', hours: 6, faults: false });
    expect(s.devices.flatMap((d) => (d.params as { faults: unknown[] }).faults)).toEqual([]);
  });
});

describe('a tiny fleet in both telemetry modes', () => {
  it('gives figures that agree with each other', async () => {
    const f = await fleetDetection({ homes: 20, hours: 4 });
    for (const mode of ['periodic', 'exception']) {
      expect(f[`fleetDetection.${mode}.messages`]).toBeGreaterThan(0);
      let faults = 0;
      for (const kind of ['car-battery', 'fridge', 'washer']) {
        const p = `fleetDetection.${mode}.${kind}`;
        const n = f[`${p}.faults`]!;
        faults += n;
        expect(f[`${p}.caught`]! + f[`${p}.late`]! + f[`${p}.missed`]!, p).toBe(n);
        expect(f[`${p}.caught`]!).toBeLessThanOrEqual(n);
        const recall = f[`${p}.recall`];
        if (n === 0) expect(recall).toBeNull();
        else expect(recall! >= 0 && recall! <= 1, p).toBe(true);
        const precision = f[`${p}.precision`];
        if (f[`${p}.tickets`] === 0) expect(precision).toBeNull();
        else expect(precision! >= 0 && precision! <= 1, p).toBe(true);
        if (f[`${p}.leadMedianMinutes`] !== null) expect(f[`${p}.leadMedianMinutes`]!).toBeLessThanOrEqual(f[`${p}.leadP90Minutes`]!);
        // 4 hours a device
        expect(f[`${p}.healthyDeviceDays`]!).toBeLessThanOrEqual(f[`${p}.devices`]! / 6 + 1e-9);
      }
      const perFault = Object.entries(f).filter(([k]) => k.startsWith(`fleetDetection.${mode}.fault.`) && k.endsWith('.faults'));
      expect(perFault.reduce((n, [, v]) => n + v!, 0)).toBe(faults);
      expect(faults).toBeGreaterThan(0);
    }
    // one fleet, two telemetry modes: the same devices and faults
    for (const kind of ['car-battery', 'fridge', 'washer']) {
      for (const x of ['devices', 'faults']) expect(f[`fleetDetection.periodic.${kind}.${x}`], `${kind} ${x}`).toBe(f[`fleetDetection.exception.${kind}.${x}`]);
    }
    expect(f['fleetDetection.exception.messages']!).toBeLessThan(f['fleetDetection.periodic.messages']!);
    expect(f['fleetDetection.healthyDeviceDays']).toBeGreaterThan(0);
    expect(f['fleetDetection.falseTicketsPer10kHealthyDeviceDays']).toBe(0);
  }, 180_000);

  it('opens no ticket on a healthy fleet of 30 homes over 6 hours reporting by exception', async () => {
    const loaded = fleetDetectionScenario({ homes: 30, mode: 'exception', hours: 6, faults: false });
    const { report } = await replay({ scenario: loaded, log: silentLogger() });
    expect(report.messages.published).toBeGreaterThan(0);
    expect(report.tickets.map((t) => `${t.customerId}/${t.deviceId} ${t.kind} ${t.openedAt}`)).toEqual([]);
  }, 180_000);
});
