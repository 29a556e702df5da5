/** A scenario's customer side (`consent`, `history`): read strictly, and handed to the helpdesk as app requests and usage days. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consentRequests, customerSideOf } from '../../scenarios/customer-side.js';
import { parseScenario, ScenarioError } from '../../scenarios/load.js';

const day = readFileSync('scenarios/day-in-2020.yaml', 'utf8');

function problems(text: string): string[] {
  try {
    parseScenario(text, 'scenarios/broken.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe("a scenario's customer side", () => {
  it("gives the helpdesk Maria's opt-in and her car's week before the day", () => {
    const s = parseScenario(day, 'scenarios/day-in-2020.yaml').scenario;
    const side = customerSideOf(s.customers);
    expect(side.consent).toEqual([{ customerId: 'maria', requests: [{ type: 'consent', requestId: 'scenario-1', purpose: 'offers', granted: true }] }]);
    expect(side.offers!.history).toHaveLength(6);
    expect(side.offers!.history[0]).toEqual({ customerId: 'maria', deviceId: 'car', day: '2020-10-26', km: 52, trips: 2, restVoltageV: 12.62, crankMinV: 10.41 });
    expect(customerSideOf([{ id: 'x', devices: [{ id: 'car' }] }])).toEqual({});
    // recorded at the replay's start, as set before the day
    expect(customerSideOf(s.customers, Date.parse(s.start)).consent![0]!.at).toBe(Date.parse('2020-11-02T08:00:00+01:00'));
  });

  it('turns per-channel opt-ins, a blacklist and preferences into the app requests they stand for', () => {
    expect(consentRequests({ partnerOffers: { email: true, sms: false }, service: false, blacklist: ['tyre-world'], quietHours: null, maxContactsPerDay: 2 }).map((r) => ({ ...r, requestId: '' }))).toEqual([
      { type: 'consent', requestId: '', purpose: 'service', granted: false },
      { type: 'consent', requestId: '', purpose: 'partner-offers', channel: 'sms', granted: false },
      { type: 'consent', requestId: '', purpose: 'partner-offers', channel: 'email', granted: true },
      { type: 'blacklist', requestId: '', add: ['tyre-world'], remove: [] },
      { type: 'preferences', requestId: '', quietHours: null, maxContactsPerDay: 2 },
    ]);
  });

  it('refuses an unknown consent key, a channel evernet does not know, and a history day of a device the customer does not have', () => {
    expect(problems(day.replace('      offers: true', '      ofers: true')).join('\n')).toMatch(/customers\.0\.consent\.ofers: unknown key 'ofers' \(did you mean 'offers'\?\)/);
    expect(problems(day.replace('      offers: true', '      offers: { fax: true }')).join('\n')).toMatch(/customers\.0\.consent\.offers\.fax: 'fax' is not a channel/);
    expect(problems(day.replace('{ day: "2020-10-27", device: car', '{ day: "2020-10-27", device: bike')).join('\n')).toMatch(/customers\.0\.history\.1\.device: 'bike' is not a device of maria/);
    expect(problems(day.replace('{ day: "2020-10-27", device: car', '{ day: "2020-13-27", device: car')).join('\n')).toMatch(/customers\.0\.history\.1\.day/);
  });
});
