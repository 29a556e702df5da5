/** The contact SLA per severity (event time) and the queue's sort order. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_MINUTES, slaOf } from '../../../helpdesk/web/sla.js';
import { summarizeTickets, type TicketSortKey } from '../../../helpdesk/tickets/store.js';
import { ticketSummary, namesOf, siteZone, type NamedDevice } from '../../../helpdesk/web/views.js';
import { open, contact, resolve } from '../../../helpdesk/tickets/lifecycle.js';
import type { Ticket } from '../../../helpdesk/tickets/lifecycle.js';

const T0 = Date.UTC(2020, 10, 2, 17, 40);
const MIN = 60_000;
const ticket = (key: string, severity: Ticket['severity'], at = T0): Ticket => {
  const r = open({ incidentKey: key, deviceId: 'car', customerId: 'maria', kind: 'battery-discharge', severity, at });
  if (!r.ok) throw new Error(r.error.reason);
  return r.ticket;
};
const ok = (r: ReturnType<typeof contact>): Ticket => {
  if (!r.ok) throw new Error(r.error.reason);
  return r.ticket;
};

describe('the contact SLA', () => {
  it('targets 5 / 15 / 60 / 240 minutes for critical / high / medium / low', () => {
    expect(DEFAULT_SLA_MINUTES).toEqual({ critical: 5, high: 15, medium: 60, low: 240 });
    expect(slaOf(ticket('a', 'critical'), T0).dueAt).toBe(T0 + 5 * MIN);
    expect(slaOf(ticket('b', 'low'), T0).dueAt).toBe(T0 + 240 * MIN);
  });

  it('is due while waiting within the target, breached after it (event time, not wall time)', () => {
    const t = ticket('c', 'high');
    expect(slaOf(t, T0 + 15 * MIN)).toMatchObject({ status: 'due', respondedAt: null, timeToContactMs: null });
    expect(slaOf(t, T0 + 15 * MIN + 1).status).toBe('breached');
  });

  it('is met or breached once the customer was contacted (or the ticket resolved without contact)', () => {
    const onTime = ok(contact(ticket('d', 'critical'), { at: T0 + 5 * MIN, channel: 'sms', text: 'Hello, we noticed a problem.', by: 'helpdesk' }));
    expect(slaOf(onTime, T0 + 60 * MIN)).toMatchObject({ status: 'met', timeToContactMs: 5 * MIN });
    const late = ok(contact(ticket('e', 'critical'), { at: T0 + 6 * MIN, channel: 'sms', text: 'Hello, we noticed a problem.', by: 'helpdesk' }));
    expect(slaOf(late, T0 + 6 * MIN).status).toBe('breached');
    const fixedQuietly = ok(resolve(ticket('f', 'medium'), { at: T0 + 2 * MIN, resolution: 'recovered', by: 'helpdesk' }));
    expect(slaOf(fixedQuietly, T0 + 600 * MIN)).toMatchObject({ status: 'met', respondedAt: T0 + 2 * MIN });
  });
});

describe('sorting the queue', () => {
  const rows = () => [
    ticket('low', 'low', T0),
    ticket('crit', 'critical', T0 + MIN),
    ok(contact(ticket('high', 'high', T0 + 2 * MIN), { at: T0 + 3 * MIN, channel: 'sms', text: 'Hello, we noticed a problem.', by: 'h' })),
  ];
  const keys = (sort: TicketSortKey, order: 'asc' | 'desc') =>
    summarizeTickets(rows(), { sort, order, sla: { now: T0 + 30 * MIN, minutes: DEFAULT_SLA_MINUTES } }).tickets.map((t) => t.severity);

  it('by severity, opening time, time to contact or SLA urgency (overdue first), in either order', () => {
    expect(keys('severity', 'asc')).toEqual(['critical', 'high', 'low']);
    expect(keys('opened', 'desc')).toEqual(['high', 'critical', 'low']);
    expect(keys('contact', 'asc')).toEqual(['high', 'low', 'critical']);
    // the critical one is overdue (5 min target), the low one is due in 210 min, the high one was met
    expect(keys('sla', 'asc')).toEqual(['critical', 'low', 'high']);
    expect(keys('sla', 'desc')).toEqual(['high', 'low', 'critical']);
  });

  it('summarizes a ticket without its timeline: version, assignee and who acknowledged it', () => {
    const names = namesOf([{ customerId: 'maria', customer: 'Maria', timeZone: 'Europe/Berlin', deviceId: 'car', kind: 'car-battery', name: "Maria's car" }]);
    const s = ticketSummary(rows()[2]!, T0 + 30 * MIN, names);
    expect(s).toMatchObject({ version: 2, assignee: null, acknowledgedBy: null, device: "Maria's car", customer: 'Maria', timeToContactMs: MIN });
    expect(s).not.toHaveProperty('timeline');
    expect(s).not.toHaveProperty('evidence');
  });

  it("carries the customer's zone with every ticket (UTC, said so, when the device is no longer known)", () => {
    const row = (customerId: string, timeZone: string): NamedDevice => ({ customerId, customer: customerId, timeZone, deviceId: 'car', kind: 'car-battery', name: 'car' });
    expect(ticketSummary(rows()[0]!, T0, namesOf([row('maria', 'Europe/Berlin')])).timeZone).toBe('Europe/Berlin');
    expect(ticketSummary(rows()[0]!, T0, namesOf([row('ann', 'America/New_York')])).timeZone).toBe('UTC');
    // the header's clock: the customers' one zone, or UTC when they live in several
    expect(siteZone([row('maria', 'Europe/Berlin'), row('max', 'Europe/Berlin')])).toBe('Europe/Berlin');
    expect(siteZone([row('maria', 'Europe/Berlin'), row('ann', 'America/New_York')])).toBe('UTC');
    expect(siteZone([])).toBe('UTC');
  });
});
