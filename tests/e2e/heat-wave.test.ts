/** The heat-wave day: a fault with no remote fix goes to the product-service chain, proactively. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import { checkExpectations, renderExpectations } from '../../scenarios/expect/check.js';

const at = (iso: string | null): number => Date.parse(iso ?? 'invalid');

describe('the heat-wave day', () => {
  it('escalates the failed compressor to the appliance service before the food warms, and runs the washer at midday', async () => {
    const scenario = loadScenario('scenarios/heat-wave.yaml');
    const { report } = await replay({ scenario, log: silentLogger() });
    // its own expect: block
    const results = checkExpectations(report, scenario.scenario.expect!);
    expect(results.map((r) => r.path)).toEqual(['tickets.0', 'noOtherTickets', 'loads.0']);
    expect(results.filter((r) => !r.ok), renderExpectations(results)).toEqual([]);
    expect(report.tickets).toHaveLength(1);
    const t = report.tickets[0]!;
    const fault = report.faults[0]!;
    expect(t).toMatchObject({ deviceId: 'fridge', kind: 'fridge-warm', state: 'escalated', channel: 'app-push', proactive: true });
    expect(at(t.openedAt)).toBeGreaterThan(at(fault.injectedAt));
    expect(at(t.openedAt)).toBeLessThan(at(fault.noticeableAt));
    const escalated = t.timeline.find((e) => e.step === 'escalated')!;
    expect(escalated.detail.offer).toMatchObject({ workshopId: 'hausgeraete-schmitz' });

    const [load] = report.loads;
    expect(load!.actualStart).toBe(load!.plannedStart);
    expect(load!.costEur).toBe(load!.optimalCostEur);
    const hour = Number(load!.actualStart!.slice(11, 13));
    expect(hour).toBeGreaterThanOrEqual(11);
    expect(hour).toBeLessThanOrEqual(14);
  }, 120_000);
});
