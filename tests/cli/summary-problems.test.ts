/**
 * The printed summary names each mass incident under the tickets (its cause in a sentence, when it
 * opened, its state and tickets), and prints nothing more when there is none.
 */
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../cli/summary.js';
import type { ProblemRecord } from '../../helpdesk/problems/store.js';
import { buildReport } from '../../scenarios/report.js';
import { at, twoCustomers } from '../scenarios/report-fixture.js';

describe('the replay summary and problems', () => {
  it('prints a problem under the tickets, and nothing without one', () => {
    const problem: ProblemRecord = {
      id: 'P-6c8d72ece7-1', key: 'battery-parasitic|model|VARTA-60', kind: 'battery-parasitic', deviceKind: 'car-battery',
      cause: { attr: 'model', value: 'VARTA-60', label: "batteries 'VARTA-60'" }, need: 2,
      openedAt: at('2020-11-02T22:30:00'), firstAt: at('2020-11-02T22:10:00'), lastAt: at('2020-11-02T22:30:00'),
      explanation: "2 battery-parasitic tickets on cars with batteries 'VARTA-60' within 20 min",
      links: [{ ticketId: 'T-a', openedAt: at('2020-11-02T22:10:00'), state: 'resolved' }, { ticketId: 'T-b', openedAt: at('2020-11-02T22:30:00'), state: 'contacted' }],
      state: 'open', openTickets: 1,
    };
    const without = renderSummary(buildReport(twoCustomers()));
    expect(without).not.toContain('problem ');
    const text = renderSummary(buildReport({ ...twoCustomers(), problems: [problem] }));
    expect(text).toMatch(/^ {2}problem P-6c8d72ece7-1: 2 battery-parasitic tickets on cars with batteries 'VARTA-60' within 20 min; opened 11-02 22:30, open: T-a, T-b$/m);
    expect(text.replace(/^ {2}problem .*\n/m, '')).toBe(without);
  });
});
