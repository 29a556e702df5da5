/**
 * The whole day in 2020, replayed through a real aedes broker on a loopback port with real mqtt.js
 * clients and a real SQLite ticket store.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay, type ReplayResult } from '../../scenarios/runner.js';
import { checkExpectations, renderExpectations } from '../../scenarios/expect/check.js';

const log = silentLogger();
const at = (iso: string | null): number => Date.parse(iso ?? 'invalid');

describe('the day in 2020', () => {
  let first: ReplayResult;
  let second: ReplayResult;
  const scenario = loadScenario('scenarios/day-in-2020.yaml');

  beforeAll(async () => {
    first = await replay({ scenario, log });
    second = await replay({ scenario, log });
  }, 180_000);

  it('opens one proactive battery ticket after the fault is injected and before Maria would notice', () => {
    const { tickets, faults } = first.report;
    const battery = tickets.filter((t) => t.kind === 'battery-discharge');
    expect(battery).toHaveLength(1);
    const fault = faults.find((f) => f.deviceId === 'car')!;
    expect(fault.kind).toBe('failing-alternator');
    expect(fault.noticeableAt).not.toBeNull();
    const t = battery[0]!;
    expect(t.proactive).toBe(true);
    expect(at(t.openedAt)).toBeGreaterThan(at(fault.injectedAt));
    expect(at(t.openedAt)).toBeLessThan(at(fault.noticeableAt));
    // at least 30 simulated minutes of lead time
    expect(at(fault.noticeableAt) - at(t.openedAt)).toBeGreaterThanOrEqual(30 * 60_000);
  });

  it('contacts her on the car channel and resolves by remote action within 5 minutes of contact', () => {
    const t = first.report.tickets.find((x) => x.kind === 'battery-discharge')!;
    expect(t.channel).toBe('car-display');
    expect(t.state).toBe('resolved');
    expect(at(t.resolvedAt) - at(t.contactedAt)).toBeLessThanOrEqual(5 * 60_000);
    expect(at(t.resolvedAt)).toBeLessThan(at(first.report.faults[0]!.noticeableAt));
    expect(t.resolution).toMatch(/battery-saver/);
    expect(t.timeline.map((e) => e.step)).toEqual(['opened', 'contacted', 'action-sent', 'action-confirmed', 'resolved']);
    expect(t.evidence).toMatchObject({ expected: expect.any(String), observed: expect.any(String) });
  });

  it('opens no ticket for anything but the injected fault', () => {
    expect(first.report.tickets.map((t) => t.deviceId)).toEqual(['car']);
  });

  it('starts the washer at the optimal time in the cheap night hours and finishes before the deadline', () => {
    const [load] = first.report.loads;
    expect(load).toBeDefined();
    expect(load!.plannedStart).not.toBeNull();
    expect(load!.actualStart).toBe(load!.plannedStart);
    expect(load!.costEur).toBe(load!.optimalCostEur);
    expect(load!.costEur!).toBeLessThan(load!.startNowCostEur!);
    expect(at(load!.finishedAt)).toBeLessThanOrEqual(at(load!.deadline));
    const startHour = Number(load!.actualStart!.slice(11, 13));
    expect(startHour).toBeGreaterThanOrEqual(1);
    expect(startHour).toBeLessThan(5);
  });

  it('lists the truly missing items and a store that stocks all of them', () => {
    const [s] = first.report.shopping;
    expect(s!.missing).toEqual([
      { name: 'turkey breast', quantity: 400, unit: 'g' },
      { name: 'cream', quantity: 200, unit: 'ml' },
      { name: 'mushrooms', quantity: 150, unit: 'g' },
    ]);
    // the nearer REWE lacks cream; EDEKA has everything
    expect(s!.store).toMatchObject({ id: 'edeka-ehrenfeld', name: 'EDEKA Ehrenfeld' });
  });

  it('delivers every message and rejects none', () => {
    const m = first.report.messages;
    expect(m.rejected).toBe(0);
    expect(m.gaps).toBe(0);
    expect(m.duplicates).toBe(0);
    // 3 devices at 1 Hz for 24 h, plus events and commands
    expect(m.published).toBeGreaterThan(3 * 86_400);
  });

  it("meets its own expect: block (the ticket, no other, the washer at the optimum, EDEKA)", () => {
    const results = checkExpectations(first.report, scenario.scenario.expect!);
    expect(results.map((r) => r.path)).toEqual(['tickets.0', 'noOtherTickets', 'loads.0', 'shopping.0']);
    expect(results.filter((r) => !r.ok), renderExpectations(results)).toEqual([]);
  });

  it('gives a byte-identical report for the same seed', () => {
    expect(JSON.stringify(second.report)).toBe(JSON.stringify(first.report));
  });
});

describe('the healthy day', () => {
  it('opens no ticket when no fault is injected, yet plans the washer and answers the recipe', async () => {
    const scenario = loadScenario('scenarios/healthy-day.yaml');
    const result = await replay({ scenario, log });
    const results = checkExpectations(result.report, scenario.scenario.expect!);
    expect(results.map((r) => r.path)).toEqual(['noOtherTickets', 'loads.0', 'shopping.0']);
    expect(results.filter((r) => !r.ok), renderExpectations(results)).toEqual([]);
    expect(result.report.tickets).toEqual([]);
    expect(result.report.faults).toEqual([]);
    expect(result.report.loads[0]!.costEur).toBe(result.report.loads[0]!.optimalCostEur);
    expect(result.report.shopping).toHaveLength(1);
  }, 120_000);
});
