/** A staff member's contact obeys the customer's consent too (the core on real SQLite stores). */
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../helpdesk/core.js';
import { openSqliteCustomerStore } from '../../../helpdesk/customers/sqlite-store.js';
import { createEvents } from '../../../helpdesk/events.js';
import { createOutbox } from '../../../helpdesk/outbox.js';
import { loadTariff } from '../../../helpdesk/schedule/tariff-file.js';
import { open, ticketOf } from '../../../helpdesk/tickets/lifecycle.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import { silentLogger } from '../../../log/logger.js';

const log = silentLogger();
const T = Date.parse('2020-11-02T12:00:00+01:00');
const directory = {
  customers: [
    {
      id: 'maria', name: 'Maria',
      preferences: { channels: ['app-push' as const, 'email' as const] },
      devices: [{ id: 'fridge', kind: 'fridge' as const, customerId: 'maria', name: 'fridge' }],
    },
  ],
  stores: [],
  workshops: [],
};

describe("a staff member's contact", () => {
  it('goes on an allowed channel, and is not sent (noted on the ticket) when none is left', () => {
    const store = openSqliteStore({ path: ':memory:' });
    const customers = openSqliteCustomerStore();
    const outbox = createOutbox();
    const core = createCore({ directory, tariff: loadTariff('data/de-day-ahead-2020.csv'), store, outbox, log, events: createEvents(log), customers });
    const id = store.openIdempotent(ticketOf(open({ incidentKey: 'k1', deviceId: 'fridge', customerId: 'maria', kind: 'fridge-warm', severity: 'critical', at: T }))).ticket.id;

    core.customers.request('maria', { type: 'consent', requestId: 'r-1', purpose: 'service', channel: 'app-push', granted: false }, T);
    const first = core.act(id, { type: 'contact', text: 'Your fridge is warm.' }, 'anna', T + 1);
    expect(first.ok && first.ticket.channel).toBe('email');
    expect(outbox.take().filter((m) => m.topic.endsWith('/contact')).map((m) => m.payload.channel)).toEqual(['email']);

    core.customers.request('maria', { type: 'consent', requestId: 'r-2', purpose: 'service', channel: 'email', granted: false }, T + 2);
    const second = core.act(id, { type: 'contact', text: 'Please check your fridge.' }, 'anna', T + 3);
    expect(outbox.take().filter((m) => m.topic.endsWith('/contact'))).toEqual([]);
    expect(second.ok && second.ticket.timeline.at(-1)).toMatchObject({ step: 'note', by: 'anna', detail: { kind: 'not-sent', code: 'EVN_ERR_CONSENT_NO_CHANNEL', contactText: 'Please check your fridge.' } });
    expect(customers.contacts('maria').map((c) => [c.channel, c.sent])).toEqual([['email', true], [null, false]]);
  });

  it("keeps to the customer's own quiet hours: no app push in them for a ticket that is not critical", () => {
    const store = openSqliteStore({ path: ':memory:' });
    const outbox = createOutbox();
    const core = createCore({ directory, tariff: loadTariff('data/de-day-ahead-2020.csv'), store, outbox, log, events: createEvents(log), customers: openSqliteCustomerStore() });
    const open1 = (key: string, severity: 'high' | 'critical') => store.openIdempotent(ticketOf(open({ incidentKey: key, deviceId: 'fridge', customerId: 'maria', kind: 'fridge-warm', severity, at: T }))).ticket.id;
    const high = open1('k1', 'high');
    const critical = open1('k2', 'critical');
    const before = core.act(high, { type: 'contact' }, 'anna', T + 1);
    expect(before.ok && before.ticket.channel).toBe('app-push');
    // noon in Berlin (the offset of the directory's default): inside 11:00-13:00
    const answer = core.customers.request('maria', { type: 'preferences', requestId: 'r-1', quietHours: { from: '11:00', to: '13:00' } }, T + 2);
    expect(answer).toMatchObject([{ ok: true, consent: { quietHours: { from: '11:00', to: '13:00' } } }]);
    const reopened = ticketOf(open({ incidentKey: 'k3', deviceId: 'fridge', customerId: 'maria', kind: 'fridge-door-open', severity: 'high', at: T + 3 }));
    const quiet = core.act(store.openIdempotent(reopened).ticket.id, { type: 'contact' }, 'anna', T + 4);
    expect(quiet.ok && quiet.ticket.channel).toBe('email');
    expect(quiet.ok && String(quiet.ticket.timeline.at(-1)!.detail.reason)).toContain('app-push (quiet hours)');
    const urgent = core.act(critical, { type: 'contact' }, 'anna', T + 5);
    expect(urgent.ok && urgent.ticket.channel).toBe('app-push');
  });
});
