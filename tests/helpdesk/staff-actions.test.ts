/** Staff actions through the helpdesk core, on a real SQLite store. */
import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { createCore } from '../../helpdesk/core.js';
import { createEvents, type HelpdeskEvent } from '../../helpdesk/events.js';
import { createOutbox } from '../../helpdesk/outbox.js';
import { loadTariff } from '../../helpdesk/schedule/tariff-file.js';
import { open } from '../../helpdesk/tickets/lifecycle.js';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import type { TicketStore } from '../../helpdesk/tickets/store.js';
import { decode, deviceTopic, type Decoded } from '../../contracts/index.js';

const log = silentLogger();
const tariff = loadTariff('data/de-day-ahead-2020.csv');
const T = Date.parse('2020-11-02T18:41:00+01:00');
const directory = {
  customers: [
    {
      id: 'maria', name: 'Maria', home: { lat: 50.94, lon: 6.96 },
      preferences: { channels: ['app-push' as const, 'email' as const] },
      devices: [{ id: 'car', kind: 'car-battery' as const, customerId: 'maria', name: 'car' }],
    },
  ],
  stores: [],
  workshops: [],
};

function carTelemetry(engineRunning: boolean, seq: number): Decoded {
  const topic = deviceTopic('maria', 'car', 'telemetry');
  const r = decode(topic, JSON.stringify({ v: 1, ts: T - 1000, seq, kind: 'car-battery', readings: { voltageV: 12.1, currentA: -20, loadA: 40, temperatureC: 10, engineRunning, speedKmh: 40, batterySaver: false } }));
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

describe('staff actions', () => {
  let store: TicketStore;
  let outbox: ReturnType<typeof createOutbox>;
  let core: ReturnType<typeof createCore>;
  let seen: HelpdeskEvent[];
  let id: string;

  beforeEach(() => {
    store = openSqliteStore({ path: ':memory:' });
    outbox = createOutbox();
    const events = createEvents(log);
    seen = [];
    events.on((e) => seen.push(e));
    core = createCore({ directory, tariff, store, outbox, log, events });
    const t = open({ incidentKey: 'k1', deviceId: 'car', customerId: 'maria', kind: 'battery-discharge', severity: 'high', at: T });
    if (!t.ok) throw new Error('open');
    id = store.openIdempotent(t.ticket).ticket.id;
  });

  it('records acknowledge and assign on the timeline with who did it', () => {
    expect(core.act(id, { type: 'acknowledge' }, 'anna', T + 1).ok).toBe(true);
    const r = core.act(id, { type: 'assign', to: 'anna' }, 'anna', T + 2);
    expect(r.ok && r.ticket.timeline.slice(-2).map((e) => [e.by, e.detail.kind])).toEqual([['anna', 'acknowledged'], ['anna', 'assigned']]);
    expect(seen.filter((e) => e.type === 'ticket')).toHaveLength(2);
  });

  it('contacts the customer on the car display while she drives, and on her preferred channel otherwise', () => {
    core.handle(carTelemetry(true, 1), T);
    const r = core.act(id, { type: 'contact' }, 'anna', T + 1);
    expect(r.ok && r.ticket.state).toBe('contacted');
    expect(r.ok && r.ticket.channel).toBe('car-display');
    const sent = outbox.take();
    expect(sent.some((m) => m.topic === deviceTopic('maria', 'car', 'command') && m.payload.action === 'display-message')).toBe(true);

    core.handle(carTelemetry(false, 2), T + 2);
    const again = core.act(id, { type: 'contact' }, 'anna', T + 3);
    expect(again.ok && again.ticket.timeline.at(-1)!.detail).toMatchObject({ kind: 'contacted', channel: 'app-push' });
    outbox.take();
    const third = core.act(id, { type: 'contact', text: 'Your car battery is fine again.' }, 'anna', T + 4);
    // the timeline keeps exactly the message that went out on _helpdesk/contact
    const published = outbox.take().find((m) => m.topic.endsWith('/contact'))!.payload;
    expect(third.ok && third.ticket.timeline.at(-1)!.detail.contact).toEqual({ ticketId: published.ticketId, deviceId: published.deviceId, channel: published.channel, text: published.text });
    expect(published).toMatchObject({ ticketId: id, deviceId: 'car', channel: 'app-push', text: 'Your car battery is fine again.' });
  });

  it('sends a valid remote command and refuses an invalid one with field errors', () => {
    core.act(id, { type: 'contact' }, 'anna', T + 1);
    outbox.take();
    const bad = core.act(id, { type: 'command', command: { action: 'battery-saver', on: 'yes' } }, 'anna', T + 2);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatchObject({ code: 'EVN_ERR_COMMAND_INVALID', fields: { on: expect.any(String) } });
    expect(outbox.take()).toEqual([]);
    const good = core.act(id, { type: 'command', command: { action: 'battery-saver', on: true } }, 'anna', T + 3);
    expect(good.ok && good.ticket.state).toBe('action-sent');
    const cmd = outbox.take().find((m) => m.topic.endsWith('/command'));
    expect(cmd?.payload).toMatchObject({ action: 'battery-saver', on: true, commandId: 'c-1' });
  });

  it('resolves with a note, refuses to resolve twice, reopens, and says 404 for an unknown ticket', () => {
    const r = core.act(id, { type: 'resolve', note: 'customer replaced the battery' }, 'anna', T + 1);
    expect(r.ok && [r.ticket.state, r.ticket.resolution]).toEqual(['resolved', 'customer replaced the battery']);
    const twice = core.act(id, { type: 'resolve', note: 'again' }, 'anna', T + 2);
    expect(!twice.ok && twice.error).toMatchObject({ code: 'EVN_ERR_TICKET_STATE' });
    const back = core.act(id, { type: 'reopen', note: 'it came back' }, 'ben', T + 3);
    expect(back.ok && back.ticket.state).toBe('opened');
    expect(store.get(id)!.timeline.at(-1)!.by).toBe('ben');
    const none = core.act('T-nope', { type: 'acknowledge' }, 'anna', T);
    expect(!none.ok && none.error).toMatchObject({ code: 'EVN_ERR_TICKET_NOT_FOUND' });
  });
});
