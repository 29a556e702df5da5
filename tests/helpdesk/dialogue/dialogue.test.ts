/**
 * Dialogue both ways and bookings, end to end with real parts: a helpdesk stack on a SQLite file, its
 * embedded broker on port 0, the customers' apps and cars as mqtt.js clients. A weak battery's ticket
 * offers a workshop with free slots; the customer picks one and the booking is confirmed with a
 * replacement car; a second customer picking the last place gets EVN_ERR_BOOKING_FULL and loses
 * nothing; bad replies are coded errors that change nothing; a decline sends no remote command, an
 * accept sends the fix that waited; once resolved, one satisfaction question, whose score is recorded
 * and in the report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { deviceTopic, encode, serviceTopic, stamp } from '../../../contracts/index.js';
import type { Directory } from '../../../helpdesk/directory.js';
import { createLogger, silentLogger } from '../../../log/logger.js';
import { buildReport } from '../../../scenarios/report.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../../stack/helpdesk-stack.js';

// Monday 2 November 2020, 12:00 in Köln
const T0 = Date.parse('2020-11-02T12:00:00+01:00');
const MIN = 60_000;
const home = { lat: 50.9413, lon: 6.9583 };
const car = (id: string) => ({ id: 'car', kind: 'car-battery' as const, customerId: id, name: `${id}'s car` });
const DIRECTORY: Directory = {
  customers: ['maria', 'jonas'].map((id) => ({ id, name: id, home, preferences: { channels: ['app-push' as const, 'email' as const], email: `${id}@example.org`, timeZone: 'Europe/Berlin' }, devices: [car(id)] })),
  stores: [],
  // one place a slot and one replacement car a day: the second customer finds the slot, then the day's car, taken
  workshops: [{ id: 'autohaus-becker', name: 'Autohaus Becker', location: { lat: 50.952, lon: 6.979 }, services: ['car-battery'], replacementCar: true, booking: { capacity: 1, replacementCars: 1 } }],
};
const CRANK = { type: 'crank', minVoltageV: 8.9, restVoltageV: 12.4, currentA: -320, temperatureC: 8, durationMs: 1400 };
const driving = (currentA: number) => ({ kind: 'car-battery', readings: { voltageV: 12.0, currentA, loadA: 40, temperatureC: 8, engineRunning: true, speedKmh: 40, batterySaver: false } });

interface Received {
  topic: string;
  payload: Record<string, unknown>;
}

describe('dialogue both ways and bookings, end to end', { timeout: 60_000 }, () => {
  let dir: string;
  let stack: HelpdeskStack;
  const clock = new VirtualClock(T0);
  const apps = new Map<string, MqttClient>();
  let devices: MqttClient;
  const received: Received[] = [];
  const seqs = new Map<string, number>();
  let sent = 0;
  const tickets: Record<string, string> = {};

  async function send(topic: string, body: object, ts: number): Promise<void> {
    const sender = topic.split('/').slice(0, 4).join('/');
    const seq = (seqs.get(sender) ?? 0) + 1;
    seqs.set(sender, seq);
    const customer = topic.split('/')[2]!;
    await (topic.includes('/_app/') ? apps.get(customer)! : devices).publishAsync(topic, encode(topic, stamp(body, ts, seq)), { qos: 1 });
    await stack.helpdesk.received(++sent);
  }
  function step(t: number): void {
    clock.set(t);
    stack.helpdesk.advance(t);
  }
  async function until<T>(find: () => T | undefined, what: string): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const x = find();
      if (x !== undefined) return x;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  /** the customer's app sends a request at t; the helpdesk's answer */
  async function ask(customer: string, body: Record<string, unknown>, t: number): Promise<Record<string, unknown>> {
    clock.set(t);
    await send(serviceTopic(customer, 'request'), body, t);
    step(t);
    return until(() => received.find((m) => m.topic === serviceTopic(customer, 'answer') && m.payload.requestId === body.requestId)?.payload, `the answer to ${String(body.requestId)}`);
  }
  const of = (topic: string, ticketId: string) => received.filter((m) => m.topic === topic && m.payload.ticketId === ticketId).map((m) => m.payload);
  const ticket = (id: string) => stack.helpdesk.tickets().find((t) => t.id === id)!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evernet-dialogue-'));
    stack = await startHelpdeskStack({ directory: DIRECTORY, clock, log: silentLogger(), db: join(dir, 'helpdesk.db'), dashboard: { port: 0 }, ...(process.env.DLG_DEBUG ? { log: createLogger({ clock, level: 'warn' }) } : {}), helpdesk: { cleanSession: true, clientId: 'evernet-helpdesk-dialogue-test' } });
    for (const c of ['maria', 'jonas']) {
      const app = await mqtt.connectAsync(stack.brokerUrl, { clientId: `${c}-app` });
      app.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }));
      await app.subscribeAsync([serviceTopic(c, 'answer'), serviceTopic(c, 'contact'), serviceTopic(c, 'ticket')], { qos: 1 });
      apps.set(c, app);
    }
    await stack.staff.add('alice', 'correct horse battery');
    devices = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'cars' });
    devices.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }));
    await devices.subscribeAsync([deviceTopic('jonas', 'car', 'command')], { qos: 1 });
  });

  afterAll(async () => {
    for (const a of apps.values()) await a.endAsync();
    await devices?.endAsync();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("offers the nearest workshop's real free slots with a weak battery's ticket", async () => {
    for (const c of ['maria', 'jonas']) await send(deviceTopic(c, 'car', 'event'), CRANK, T0);
    step(T0);
    for (const c of ['maria', 'jonas']) {
      const t = await until(() => stack.helpdesk.tickets().find((x) => x.customerId === c && x.kind === 'battery-weak'), `${c}'s ticket`);
      tickets[c] = t.id;
      expect(t.state).toBe('escalated');
      // first the problem, then the offer with its slots
      const contact = await until(() => of(serviceTopic(c, 'contact'), t.id)[1], `${c}'s offer`);
      const booking = contact.booking as { state: string; slots: Array<{ slotId: string; free: number }> };
      // the first slot two hours after the offer, on a working day: Monday 14:00–16:00, then Tuesday
      expect(booking.state).toBe('offered');
      expect(booking.slots.map((s) => s.slotId)).toEqual([
        'autohaus-becker-202011021400', 'autohaus-becker-202011030800', 'autohaus-becker-202011031000',
        'autohaus-becker-202011031200', 'autohaus-becker-202011031400', 'autohaus-becker-202011040800',
      ]);
      expect(booking.slots.every((s) => s.free === 1)).toBe(true);
      expect(String(contact.text)).toContain('Free slots: Mon 02.11. 14:00–16:00, Tue 03.11. 08:00–10:00');
    }
  });

  it('confirms the slot a reply picks, with a replacement car, on the ticket', async () => {
    const a = await ask('maria', { type: 'reply', requestId: 'r-m1', ticketId: tickets.maria, answer: 'pick-slot', slotId: 'autohaus-becker-202011030800' }, T0 + MIN);
    expect(a).toMatchObject({ ok: true, reply: { ticketId: tickets.maria, answer: 'pick-slot', booking: { state: 'confirmed', slot: { slotId: 'autohaus-becker-202011030800' }, replacementCar: 'autohaus-becker-car-1' } } });
    const note = ticket(tickets.maria!).timeline.at(-1)!;
    expect(note).toMatchObject({ step: 'note', by: 'customer', detail: { kind: 'reply', answer: 'pick-slot', booking: { state: 'confirmed' } } });
    expect(String(note.detail.text)).toBe('the customer picked a slot: Autohaus Becker, Tue 03.11. 08:00–10:00, replacement car autohaus-becker-car-1 (booking confirmed)');
    expect(stack.helpdesk.bookingOf(tickets.maria!)).toMatchObject({ state: 'confirmed', history: [{ state: 'offered' }, { state: 'accepted', by: 'customer' }, { state: 'confirmed' }] });
    // the ticket update that tells the app carries the booking
    await until(() => of(serviceTopic('maria', 'ticket'), tickets.maria!).find((u) => (u.booking as { state?: string } | undefined)?.state === 'confirmed'), 'the update with the booking');
  });

  it('gives the second customer picking the last place EVN_ERR_BOOKING_FULL, and loses nothing', async () => {
    const before = ticket(tickets.jonas!).timeline.length;
    const full = await ask('jonas', { type: 'reply', requestId: 'r-j1', ticketId: tickets.jonas, answer: 'pick-slot', slotId: 'autohaus-becker-202011030800' }, T0 + 2 * MIN);
    expect(full).toMatchObject({ ok: false, error: { code: 'EVN_ERR_BOOKING_FULL' } });
    // another slot that day has a place, but the day's only replacement car is lent
    const noCar = await ask('jonas', { type: 'reply', requestId: 'r-j2', ticketId: tickets.jonas, answer: 'pick-slot', slotId: 'autohaus-becker-202011031000' }, T0 + 3 * MIN);
    expect(noCar).toMatchObject({ ok: false, error: { code: 'EVN_ERR_BOOKING_FULL', message: expect.stringContaining('replacement cars') } });
    expect(ticket(tickets.jonas!).timeline).toHaveLength(before);
    expect(stack.helpdesk.bookingOf(tickets.jonas!)).toMatchObject({ state: 'offered', slot: null });
    expect(stack.helpdesk.bookingOf(tickets.maria!)).toMatchObject({ state: 'confirmed', replacementCar: 'autohaus-becker-car-1' });
    const next = await ask('jonas', { type: 'reply', requestId: 'r-j3', ticketId: tickets.jonas, answer: 'pick-slot', slotId: 'autohaus-becker-202011040800' }, T0 + 4 * MIN);
    expect(next).toMatchObject({ ok: true, reply: { booking: { state: 'confirmed', replacementCar: 'autohaus-becker-car-1' } } });
  });

  it('answers bad replies with coded errors and changes nothing', async () => {
    const versions = () => stack.helpdesk.tickets().map((t) => t.timeline.length);
    const before = versions();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ticketId: 'T-0000000000', answer: 'call-me' }, 'EVN_ERR_REPLY_UNKNOWN_TICKET'],
      [{ ticketId: tickets.jonas, answer: 'call-me' }, 'EVN_ERR_REPLY_NOT_YOURS'],
      [{ answer: 'call-me' }, 'EVN_ERR_REPLY_INPUT'],
      [{ ticketId: tickets.maria, answer: 'pick-slot' }, 'EVN_ERR_REPLY_INPUT'],
      [{ ticketId: tickets.maria, answer: 'pick-slot', slotId: 'autohaus-becker-202011030800' }, 'EVN_ERR_REPLY_NO_BOOKING'],
      [{ offerId: 'o-unknown', answer: 'decline' }, 'EVN_ERR_REPLY_UNKNOWN_OFFER'],
    ];
    let i = 0;
    for (const [body, code] of cases) {
      const a = await ask('maria', { type: 'reply', requestId: `r-bad-${++i}`, ...body }, T0 + 5 * MIN + i);
      expect(a, code).toMatchObject({ type: 'reply', ok: false, error: { code } });
    }
    expect(versions()).toEqual(before);
  });

  it('flags a call-me for staff, and on resolution asks one satisfaction question; a reply to the closed ticket is refused', async () => {
    await ask('maria', { type: 'reply', requestId: 'r-call', ticketId: tickets.maria, answer: 'call-me' }, T0 + 10 * MIN);
    expect(ticket(tickets.maria!).timeline.at(-1)).toMatchObject({ by: 'customer', detail: { kind: 'reply', answer: 'call-me', callRequested: true } });
    // the queue's summaries flag it (computed in SQL, as in memory)
    expect(stack.store.summaries({ customerId: 'maria' }).tickets.map((s) => s.customerAnswer)).toEqual(['call-me']);
    expect(stack.store.summaries({ customerId: 'jonas' }).tickets.map((s) => s.customerAnswer)).toEqual(['pick-slot']);
    clock.set(T0 + 11 * MIN);
    expect(stack.helpdesk.act(tickets.maria!, { type: 'resolve', note: 'called back, booked' }, 'alice')).toMatchObject({ ok: true });
    const update = await until(() => of(serviceTopic('maria', 'ticket'), tickets.maria!).find((u) => u.state === 'resolved'), 'the resolved update');
    expect(update.ask).toMatchObject({ kind: 'satisfaction', ticketId: tickets.maria, min: 1, max: 5 });
    const closed = ticket(tickets.maria!).timeline.length;
    const refused = await ask('maria', { type: 'reply', requestId: 'r-late', ticketId: tickets.maria, answer: 'accept-fix' }, T0 + 12 * MIN);
    expect(refused).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REPLY_CLOSED' } });
    expect(ticket(tickets.maria!).timeline).toHaveLength(closed);
  });

  it('records the satisfaction score once, on the ticket and in the report', async () => {
    expect(await ask('jonas', { type: 'satisfaction', requestId: 'r-s0', ticketId: tickets.jonas, score: 2 }, T0 + 13 * MIN)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_SATISFACTION_NOT_ASKED' } });
    expect(await ask('maria', { type: 'satisfaction', requestId: 'r-s1', ticketId: tickets.maria, score: 4 }, T0 + 13 * MIN + 1000)).toMatchObject({ ok: true, satisfaction: { ticketId: tickets.maria, score: 4 } });
    expect(await ask('maria', { type: 'satisfaction', requestId: 'r-s2', ticketId: tickets.maria, score: 1 }, T0 + 14 * MIN)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_SATISFACTION_ANSWERED' } });
    expect(ticket(tickets.maria!).timeline.at(-1)).toMatchObject({ by: 'customer', detail: { kind: 'satisfaction', score: 4, text: 'satisfaction: 4 of 5' } });
    const report = buildReport({
      scenario: 'dialogue', seed: 1, startMs: T0, endMs: T0 + 60 * MIN, offsetMinutes: 60, tickets: stack.helpdesk.tickets(), faults: [], loads: [], shopping: [],
      messages: { published: 0, delivered: 0, rejected: 0, duplicates: 0, gaps: 0, rejectedByCode: {} },
      bookings: stack.helpdesk.bookings(), satisfaction: stack.helpdesk.satisfaction(),
    });
    // the dashboard's ticket: the booking and the score, the answers on its timeline
    const login = await fetch(`${stack.dashboard!.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const page = (await (await fetch(`${stack.dashboard!.url}/api/v1/tickets/${tickets.maria}`, { headers: { cookie } })).json()) as { ticket: Record<string, unknown> };
    expect(page.ticket).toMatchObject({ booking: { state: 'confirmed', workshop: 'Autohaus Becker', replacementCar: 'autohaus-becker-car-1' }, satisfaction: { score: 4 } });
    expect((page.ticket.timeline as Array<{ by: string; detail: { kind?: string; answer?: string } }>).filter((e) => e.by === 'customer').map((e) => e.detail.answer ?? e.detail.kind)).toEqual(['pick-slot', 'call-me', 'satisfaction']);
    expect(report.satisfaction).toEqual([{ ticketId: tickets.maria, customerId: 'maria', askedAt: '2020-11-02T12:11:00+01:00', score: 4, answeredAt: '2020-11-02T12:13:01+01:00' }]);
    // by offer time, then booking id (both offered at T0)
    expect(report.bookings.map((b) => [b.customerId, b.workshopId, b.slot?.slotId, b.replacementCar, b.state]).sort()).toEqual([
      ['jonas', 'autohaus-becker', 'autohaus-becker-202011040800', 'autohaus-becker-car-1', 'confirmed'],
      ['maria', 'autohaus-becker', 'autohaus-becker-202011030800', 'autohaus-becker-car-1', 'confirmed'],
    ]);
  });

  it('sends no remote command on a decline, and the fix that waited on an accept', async () => {
    // jonas refuses service contacts: his car's discharge is not told, so its fix waits for him
    await ask('jonas', { type: 'consent', requestId: 'r-off', purpose: 'service', granted: false }, T0 + 20 * MIN);
    clock.set(T0 + 21 * MIN + 80_000);
    for (let s = 0; s <= 80; s += 10) await send(deviceTopic('jonas', 'car', 'telemetry'), driving(-28), T0 + 21 * MIN + s * 1000);
    step(T0 + 21 * MIN + 80_000);
    const t = await until(() => stack.helpdesk.tickets().find((x) => x.customerId === 'jonas' && x.kind === 'battery-discharge'), 'the discharge ticket');
    expect(t.state).toBe('opened');
    const commands = stack.helpdesk.commandCount();
    const declined = await ask('jonas', { type: 'reply', requestId: 'r-dec', ticketId: t.id, answer: 'decline' }, T0 + 23 * MIN);
    expect(declined).toMatchObject({ ok: true, reply: { state: 'opened' } });
    expect(ticket(t.id).timeline.at(-1)).toMatchObject({ by: 'customer', detail: { kind: 'reply', answer: 'decline', followUp: 'staff' } });
    expect(stack.helpdesk.commandCount()).toBe(commands);
    await new Promise((r) => setTimeout(r, 100));
    expect(received.filter((m) => m.topic === deviceTopic('jonas', 'car', 'command'))).toEqual([]);

    const accepted = await ask('jonas', { type: 'reply', requestId: 'r-acc', ticketId: t.id, answer: 'accept-fix' }, T0 + 24 * MIN);
    expect(accepted).toMatchObject({ ok: true, reply: { state: 'action-sent' } });
    const command = await until(() => received.find((m) => m.topic === deviceTopic('jonas', 'car', 'command'))?.payload, 'the remote fix');
    expect(command).toMatchObject({ action: 'battery-saver', on: true });
    expect(ticket(t.id).timeline.slice(-3).map((e) => e.step)).toEqual(['note', 'contacted', 'action-sent']);
    // the contact that told him is in his record (his daily cap, his export)
    const doc = stack.helpdesk.customers.export('jonas', 'alice', 'test export');
    expect(doc.ok && doc.value.contacts.filter((c) => c.ticketId === t.id).map((c) => [c.sent, c.channel, c.reason])).toEqual([
      [false, null, expect.stringMatching(/^Not sent/)],
      [true, 'app-push', 'the customer answered through the app'],
    ]);
  });

  it('finishes a booking once its slot is over, exports bookings and scores, and erases them with the customer', async () => {
    // Tuesday 10:00: Maria's slot (08:00–10:00) is over, Jonas's (Wednesday) is not
    step(Date.parse('2020-11-03T10:00:00+01:00'));
    expect(stack.helpdesk.bookingOf(tickets.maria!)).toMatchObject({ state: 'done', history: [{ state: 'offered' }, { state: 'accepted' }, { state: 'confirmed' }, { state: 'done', at: Date.parse('2020-11-03T10:00:00+01:00') }] });
    expect(stack.helpdesk.bookingOf(tickets.jonas!)).toMatchObject({ state: 'confirmed' });
    const doc = stack.helpdesk.customers.export('maria', 'alice', 'test export');
    expect(doc.ok && doc.value.activity).toMatchObject({ bookings: [{ ticketId: tickets.maria, state: 'done' }], satisfaction: [{ ticketId: tickets.maria, score: 4 }] });
    const erased = stack.helpdesk.customers.erase('jonas', 'alice', 'test erase');
    expect(erased.ok && erased.value.counts).toMatchObject({ bookings: 1, satisfaction: 0 });
    expect(stack.helpdesk.bookings().map((b) => b.customerId)).toEqual(['maria']);
  });
});
