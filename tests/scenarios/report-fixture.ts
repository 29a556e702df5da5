/**
 * A report of two days and two customers made by hand (no replay): Anna's and Ben's cars both get a
 * parasitic drain, Anna's washer runs on positive prices, Ben's on negative ones (earning money), one
 * ticket is escalated with a workshop offer. For the summary, the report and the HTML report tests.
 */
import { open, escalate, type Ticket } from '../../helpdesk/tickets/lifecycle.js';
import type { LoadRecord } from '../../helpdesk/loads.js';
import { buildReport, type ReportInput } from '../../scenarios/report.js';

export const at = (iso: string): number => Date.parse(`${iso}+01:00`);

function ticket(customerId: string, deviceId: string, kind: string, openedAt: number): Ticket {
  const r = open({ incidentKey: `${customerId}/${deviceId}/${kind}`, customerId, deviceId, kind, severity: 'medium', at: openedAt, proactive: true, evidence: { observed: 'a drain of 0.4 A while parked', expected: 'below 0.05 A' } });
  if (!r.ok) throw new Error(r.error.reason);
  return r.ticket;
}

function load(customerId: string, o: Partial<LoadRecord>): LoadRecord {
  return {
    id: 1, deviceId: 'washer', customerId, offerId: `${customerId}-1`, programme: 'cotton-40', state: 'finished',
    requestedAt: at('2020-11-02T20:30:00'), deadline: at('2020-11-03T07:00:00'), plannedStart: at('2020-11-03T02:52:00'),
    actualStart: at('2020-11-03T02:52:00'), finishedAt: at('2020-11-03T04:54:00'), supersededAt: null,
    costEur: 0.0118, optimalCostEur: 0.0118, startNowCostEur: 0.0196, energyKwh: 0.57, meanGridLoadMw: 47628,
    planError: null, basis: 'prices', basisNote: null, durationS: 7320, slotCount: 2,
    slots: [{ durationS: 1200, powerW: 2000 }, { durationS: 6120, powerW: 150 }],
    ...o,
  };
}

export function twoCustomers(): ReportInput {
  const anna = ticket('anna', 'car', 'battery-parasitic', at('2020-11-02T23:10:00'));
  const benOpened = ticket('ben', 'car', 'battery-parasitic', at('2020-11-03T01:20:00'));
  const ben = escalate(benOpened, { at: at('2020-11-03T01:21:00'), reason: 'no remote fix', offer: { workshopId: 'w', workshop: 'Autohaus Becker', distanceKm: 1.9, replacementCar: true }, by: 'helpdesk' });
  if (!ben.ok) throw new Error(ben.error.reason);
  return {
    scenario: 'two-customers',
    seed: 7,
    startMs: at('2020-11-02T08:00:00'),
    endMs: at('2020-11-04T08:00:00'),
    offsetMinutes: 60,
    messages: { published: 1000, delivered: 998, rejected: 2, duplicates: 0, gaps: 0, rejectedByCode: { EVN_ERR_SCHEMA: 2 } },
    tickets: [anna, ben.ticket],
    faults: [
      { customerId: 'anna', deviceId: 'car', kind: 'parasitic-drain', injectedAt: at('2020-11-02T22:00:00'), noticeableAt: at('2020-11-03T07:30:00') },
      { customerId: 'ben', deviceId: 'car', kind: 'parasitic-drain', injectedAt: at('2020-11-03T00:00:00'), noticeableAt: null },
    ],
    loads: [
      load('anna', {}),
      // negative prices at night: the plan earns money, starting at once would have too
      load('ben', { id: 2, costEur: -0.0502, optimalCostEur: -0.0502, startNowCostEur: -0.0088 }),
    ],
    shopping: [],
  };
}

export const twoCustomersReport = () => buildReport(twoCustomers());
