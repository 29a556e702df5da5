/**
 * The silence drill replayed: an unplugged fridge and a hung car adapter each open a device-offline
 * ticket at the event time its limit passed, the customer is asked to check it, and the ticket is
 * resolved when telemetry returns. Nothing else opens; the same seed gives the same report.
 */
import { describe, expect, it } from 'vitest';
import { SILENCE } from '../../helpdesk/detect/silence.js';
import { silentLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import { checkExpectations, renderExpectations } from '../../scenarios/expect/check.js';

const scenario = () => loadScenario('scenarios/outage-drill.yaml');
const drill = () => replay({ scenario: scenario(), log: silentLogger() });

describe('the outage drill', () => {
  it('opens device-offline for the unplugged fridge and the hung car at the right event times and resolves each when data returns', async () => {
    const { report } = await drill();
    expect(report.tickets.map((t) => [t.deviceId, t.kind, t.state])).toEqual([
      ['fridge', 'device-offline', 'resolved'],
      ['car', 'device-offline', 'resolved'],
    ]);
    const [fridge, car] = report.tickets;
    expect(SILENCE.offlineAfterS).toBe(600);
    // unplugged at 13:30: offline for 10 min; back at 14:05, its first telemetry at 14:05:01, handled at the window's end
    expect(fridge).toMatchObject({ openedAt: '2020-11-02T13:40:00+01:00', contactedAt: '2020-11-02T13:40:00+01:00', resolvedAt: '2020-11-02T14:05:10+01:00', channel: 'app-push' });
    expect(fridge!.evidence).toMatchObject({ cause: 'offline', availability: 'will', lastHeardAt: Date.parse('2020-11-02T13:30:00+01:00') });
    expect(fridge!.resolution).toBe('Recovered: confirmed by telemetry at 14:05: reporting again after 35 min without telemetry.');
    const told = fridge!.timeline.find((e) => e.step === 'contacted')!.detail.contact as { text: string };
    expect(told.text).toBe('Hello Maria, your fridge "Kitchen fridge" has not reported since 13:30: please check that it has power and that its Wi-Fi works.');
    // hung at 14:10 (connected, silent): 10 min without telemetry; restarted at 14:30
    expect(car).toMatchObject({ openedAt: '2020-11-02T14:20:00+01:00', resolvedAt: '2020-11-02T14:30:10+01:00' });
    expect(car!.evidence).toMatchObject({ cause: 'silent', reportEveryS: 1, silentAfterS: 600 });
    // every message accounted for (the two last wills reach the helpdesk too), nothing rejected
    expect(report.messages).toMatchObject({ rejected: 0, duplicates: 0, gaps: 0 });
    // and its own expect: block
    const results = checkExpectations(report, scenario().scenario.expect!);
    expect(results.map((r) => r.path)).toEqual(['tickets.0', 'tickets.1', 'noOtherTickets']);
    expect(results.filter((r) => !r.ok), renderExpectations(results)).toEqual([]);
  }, 120_000);

  it('gives the same report for the same seed', async () => {
    const [a, b] = [await drill(), await drill()];
    expect(JSON.stringify(a.report)).toBe(JSON.stringify(b.report));
  }, 120_000);
});
