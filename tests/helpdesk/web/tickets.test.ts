/** The ticket queue, one ticket, its telemetry, and what staff do to it, against a real helpdesk. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../helpdesk/web/app.js';
import { login, startFixture, type Fixture } from './fixture.js';

let f: Fixture;
let app: FastifyInstance;
/** the same dashboard with the store's SQL summary query (the one above computes the queue in memory) */
let s: { cookie: string; csrf: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  f = await startFixture();
  app = buildApp({ helpdesk: f.helpdesk, staff: f.staff, tariff: f.tariff, log: f.log });
  s = await login(app);
  for (const t of f.helpdesk.tickets()) ids[t.kind] = t.id;
});
afterAll(async () => {
  await app?.close();
  await f?.close();
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
const post = (url: string, payload?: unknown) =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('GET /tickets (filtered, sorted and paged in SQL)', () => {
  type Row = { id: string; kind: string; state: string };

  it('lists ticket summaries with device, customer, time to contact and SLA, newest first, with the counts', async () => {
    const res = await get('/api/v1/tickets');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.sla).toEqual({ critical: 5, high: 15, medium: 60, low: 240 });
    expect(body.now).toBe(f.scenario.endMs);
    expect(body).toMatchObject({ total: 3, totalAll: 3, nextCursor: null });
    expect(body.tickets.map((t: Row) => [t.kind, t.state])).toEqual([
      ['fridge-warm', 'escalated'],
      ['battery-discharge', 'resolved'],
      ['fridge-door-open', 'contacted'],
    ]);
    const battery = body.tickets[1];
    expect(battery).toMatchObject({ customer: 'Maria', timeZone: 'Europe/Berlin', device: "Maria's car (12 V battery)", deviceKind: 'car-battery', severity: 'high', proactive: true, channel: 'car-display' });
    expect(battery.timeToContactMs).toBe(battery.contactedAt - battery.openedAt);
    expect(battery.sla).toMatchObject({ targetMinutes: 15, status: 'met', dueAt: battery.openedAt + 15 * 60_000 });
    // a summary: the detail endpoint has the timeline and the evidence
    expect(battery).toMatchObject({ version: 5, assignee: null, acknowledgedBy: null });
    expect(battery).not.toHaveProperty('timeline');
    expect(battery).not.toHaveProperty('evidence');
  });

  it('filters by state (or "open") and severity, and sorts; total counts the matches, totalAll every ticket', async () => {
    const kinds = async (q: string) => (await get(`/api/v1/tickets?${q}`)).json().tickets.map((t: Row) => t.kind);
    expect(await kinds('state=resolved')).toEqual(['battery-discharge']);
    expect(await kinds('state=open')).toEqual(['fridge-warm', 'fridge-door-open']);
    expect(await kinds('state=contacted,escalated&severity=medium')).toEqual(['fridge-door-open']);
    expect(await kinds('state=open,contacted')).toEqual(['fridge-warm', 'fridge-door-open']);
    expect(await kinds('proactive=false')).toEqual([]);
    expect(await kinds('sort=opened&order=asc')).toEqual(['fridge-door-open', 'battery-discharge', 'fridge-warm']);
    expect(await kinds('sort=severity&order=asc')).toEqual(['battery-discharge', 'fridge-warm', 'fridge-door-open']);
    expect(await kinds('sort=kind&order=asc')).toEqual(['battery-discharge', 'fridge-door-open', 'fridge-warm']);
    expect(await kinds('sort=device&order=asc')).toEqual(['battery-discharge', 'fridge-door-open', 'fridge-warm']);
    expect((await get('/api/v1/tickets?state=open')).json()).toMatchObject({ total: 2, totalAll: 3 });
    expect((await get('/api/v1/tickets?proactive=false')).json()).toMatchObject({ total: 0, totalAll: 3, tickets: [], nextCursor: null });
  });

  it('pages: limit, then nextCursor until it is null, every ticket once, in order; or offset', async () => {
    const all = (await get('/api/v1/tickets?sort=severity&order=asc')).json().tickets.map((t: Row) => t.id);
    const seen: string[] = [];
    let url = '/api/v1/tickets?sort=severity&order=asc&limit=1';
    for (let pages = 0; pages < 10; pages++) {
      const body = (await get(url)).json();
      expect(body).toMatchObject({ total: 3, totalAll: 3 });
      expect(body.tickets).toHaveLength(1);
      seen.push(body.tickets[0].id);
      if (body.nextCursor === null) break;
      expect(body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      url = `/api/v1/tickets?sort=severity&order=asc&limit=1&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual(all);
    const second = (await get('/api/v1/tickets?sort=severity&order=asc&limit=1&offset=1')).json();
    expect(second.tickets.map((t: Row) => t.id)).toEqual([all[1]]);
    expect(second.nextCursor).not.toBeNull();
    expect((await get('/api/v1/tickets?limit=2&offset=2')).json().nextCursor).toBeNull();
    // limit=0: only the counts
    expect((await get('/api/v1/tickets?limit=0&state=resolved')).json()).toMatchObject({ total: 1, totalAll: 3, tickets: [], nextCursor: null });
  });

  it('answers a bad filter, limit, offset or cursor with 400 and the query field', async () => {
    const first = (await get('/api/v1/tickets?limit=1&sort=severity')).json().nextCursor as string;
    const cases: Array<[string, string]> = [
      ['state=lost', 'query.state'],
      ['severity=urgent', 'query.severity'],
      ['sort=colour', 'query.sort'],
      ['order=up', 'query.order'],
      ['proactive=yes', 'query.proactive'],
      ['limit=1001', 'query.limit'],
      ['limit=-1', 'query.limit'],
      ['limit=ten', 'query.limit'],
      ['limit=1.5', 'query.limit'],
      ['limit=', 'query.limit'],
      ['offset=-3', 'query.offset'],
      ['offset=99999999', 'query.offset'],
      ['cursor=garbage', 'query.cursor'],
      [`cursor=${'x'.repeat(1001)}`, 'query.cursor'],
      [`cursor=${first}`, 'query.cursor'], // made for sort=severity, used with sort=opened
      [`cursor=${first}&sort=severity&order=asc`, 'query.cursor'],
    ];
    for (const [q, key] of cases) {
      const res = await get(`/api/v1/tickets?${q}`);
      expect([q, res.statusCode]).toEqual([q, 400]);
      expect(res.json().error.code).toBe('EVN_ERR_INPUT');
      expect([q, Object.keys(res.json().error.fields).some((k) => k.startsWith(key))]).toEqual([q, true]);
    }
    expect((await get('/api/v1/tickets?limit=1001')).json().error.fields['query.limit']).toMatch(/1000/);
    expect((await get(`/api/v1/tickets?cursor=${first}&sort=severity`)).statusCode).toBe(200);
  });
});

describe('GET /tickets/:id', () => {
  it('returns the timeline and the evidence that opened it', async () => {
    const res = await get(`/api/v1/tickets/${ids['battery-discharge']}`);
    expect(res.statusCode).toBe(200);
    const t = res.json().ticket;
    expect(t.timeline.map((e: { step: string }) => e.step)).toEqual(['opened', 'contacted', 'action-sent', 'action-confirmed', 'resolved']);
    expect(t.evidence).toMatchObject({ meanCurrentA: -28, since: expect.any(Number) });
    expect(t.resolution).toMatch(/^Fixed remotely: battery-saver/);
  });

  it("keeps every contact's text on the timeline: what was sent, on which channel, about which device, and the customer's zone", async () => {
    const battery = (await get(`/api/v1/tickets/${ids['battery-discharge']}`)).json().ticket;
    expect(battery.timeZone).toBe('Europe/Berlin');
    const contacted = battery.timeline.find((e: { step: string }) => e.step === 'contacted');
    expect(contacted.detail).toMatchObject({
      channel: 'car-display',
      shownOn: 'car',
      reason: expect.stringContaining('driving'),
      contact: { ticketId: battery.id, deviceId: 'car', channel: 'car-display', text: expect.stringMatching(/^Hello Maria, we noticed that your car battery .*discharging at 28 A/) },
    });
    // the resolution's local times are the customer's (CET on 2 November), the same clock the page shows
    expect(battery.resolution).toMatch(/ at 18:4\d, confirmed by telemetry at 18:4\d:/);
    // no remote fix: the offer the customer was told of is on the escalation
    const warm = (await get(`/api/v1/tickets/${ids['fridge-warm']}`)).json().ticket;
    const escalated = warm.timeline.find((e: { step: string }) => e.step === 'escalated');
    expect(escalated.detail.contact).toMatchObject({ ticketId: warm.id, deviceId: 'fridge', text: expect.stringMatching(/^No remote fix is possible: /) });
    // every contact of every ticket has its text
    for (const id of Object.values(ids)) {
      const t = (await get(`/api/v1/tickets/${id}`)).json().ticket;
      const contacts = t.timeline.filter((e: { step: string; detail: { kind?: string } }) => e.step === 'contacted' || e.detail.kind === 'contacted');
      for (const e of contacts) expect(e.detail.contact.text, `${t.kind}`).toMatch(/\w{3}/);
    }
  });

  it('gives the device telemetry around the anomaly, with the detection point', async () => {
    const res = await get(`/api/v1/tickets/${ids['battery-discharge']}/telemetry`);
    const body = res.json();
    expect(body).toMatchObject({ deviceId: 'car', deviceKind: 'car-battery' });
    expect(body.since).toBeLessThanOrEqual(body.detectedAt);
    expect(body.from).toBe(body.since - 10 * 60_000);
    expect(body.points.length).toBeGreaterThan(300);
    expect(body.points.every((p: { ts: number }) => p.ts >= body.from && p.ts <= body.to)).toBe(true);
    const during = body.points.find((p: { ts: number }) => p.ts === body.detectedAt);
    expect(during.readings.currentA).toBeLessThan(-3);
  });

  it('answers unknown ticket ids with 404 EVN_ERR_TICKET_NOT_FOUND', async () => {
    for (const url of ['/api/v1/tickets/T-0000000000', '/api/v1/tickets/nope/telemetry', `/api/v1/tickets/${'x'.repeat(150)}`]) {
      const res = await get(url);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('EVN_ERR_TICKET_NOT_FOUND');
    }
    const huge = await get(`/api/v1/tickets/${'x'.repeat(3000)}`);
    expect(huge.statusCode).toBe(414);
    expect(huge.json().error.code).toBe('EVN_ERR_REQUEST');
  });
});

describe('staff actions', () => {
  const last = (t: { timeline: Array<{ step: string; by: string; detail: Record<string, unknown> }> }) => t.timeline[t.timeline.length - 1]!;

  it('refuse to resolve a resolved ticket (409), then reopen, acknowledge, assign, contact, command and resolve it, each on the timeline with who did it', async () => {
    const id = ids['battery-discharge']!;
    const stale = await post(`/api/v1/tickets/${id}/resolve`, { note: 'again' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('EVN_ERR_TICKET_STATE');

    const reopened = (await post(`/api/v1/tickets/${id}/reopen`, { note: 'Maria says the battery light is on again' })).json().ticket;
    expect(reopened.state).toBe('opened');
    expect(last(reopened)).toMatchObject({ step: 'opened', by: 'alice', detail: { reopened: true, note: 'Maria says the battery light is on again' } });
    expect((await post(`/api/v1/tickets/${id}/reopen`, { note: 'twice' })).statusCode).toBe(409);

    const acked = (await post(`/api/v1/tickets/${id}/acknowledge`)).json().ticket;
    expect(last(acked)).toMatchObject({ step: 'note', by: 'alice', detail: { kind: 'acknowledged' } });
    expect(acked.acknowledgedBy).toBe('alice');

    expect((await post(`/api/v1/tickets/${id}/assign`, {})).json().ticket.assignee).toBe('alice');
    expect((await post(`/api/v1/tickets/${id}/assign`, { to: 'bob' })).json().ticket.assignee).toBe('bob');

    const contacted = (await post(`/api/v1/tickets/${id}/contact`, { text: 'Hello Maria, we are looking at your battery again.' })).json().ticket;
    expect(contacted.state).toBe('contacted');
    expect(last(contacted)).toMatchObject({ step: 'contacted', by: 'alice', detail: { contact: { text: 'Hello Maria, we are looking at your battery again.' } } });
    expect(last((await get(`/api/v1/tickets/${id}`)).json().ticket).detail.contact).toMatchObject({ text: 'Hello Maria, we are looking at your battery again.' });

    const commanded = (await post(`/api/v1/tickets/${id}/command`, { command: { action: 'battery-saver', on: true } })).json().ticket;
    expect(commanded.state).toBe('action-sent');
    expect(last(commanded)).toMatchObject({ step: 'action-sent', by: 'alice', detail: { action: 'battery-saver', commandId: expect.stringMatching(/^c-[0-9a-z]+-\d+$/) } });

    const resolved = (await post(`/api/v1/tickets/${id}/resolve`, { note: 'Workshop appointment booked.' })).json().ticket;
    expect(resolved).toMatchObject({ state: 'resolved', resolution: 'Workshop appointment booked.' });
    expect(last(resolved)).toMatchObject({ step: 'resolved', by: 'alice' });
    expect((await post(`/api/v1/tickets/${id}/resolve`, { note: 'once more' })).statusCode).toBe(409);
    expect(f.helpdesk.ticket(id)!.state).toBe('resolved');
  });

  it('record a contact on an escalated ticket as a note, keeping its state', async () => {
    const t = (await post(`/api/v1/tickets/${ids['fridge-warm']}/contact`, {})).json().ticket;
    expect(t.state).toBe('escalated');
    expect(last(t)).toMatchObject({ step: 'note', by: 'alice', detail: { kind: 'contacted', contact: { deviceId: 'fridge', text: expect.stringMatching(/^Hello Maria, this is your service team about ticket /) } } });
  });

  it('answer an invalid remote command with 400 and field errors from the contract', async () => {
    const url = `/api/v1/tickets/${ids['fridge-door-open']}/command`;
    const wrongType = await post(url, { command: { action: 'set-setpoint', celsius: 'cold' } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error).toMatchObject({ code: 'EVN_ERR_COMMAND_INVALID', fields: { 'command.celsius': expect.any(String) } });
    const outOfRange = await post(url, { command: { action: 'set-setpoint', celsius: 99 } });
    expect(outOfRange.json().error.fields).toHaveProperty('command.celsius');
    const unknown = await post(url, { command: { action: 'self-destruct' } });
    expect(unknown.json().error.fields).toHaveProperty('command.action');
    const missing = await post(url, {});
    expect(missing.json().error).toMatchObject({ code: 'EVN_ERR_INPUT', fields: { command: expect.any(String) } });
    const noAction = await post(url, { command: {} });
    expect(noAction.json().error.fields).toEqual({ 'command.action': 'choose an action' });
    expect(f.helpdesk.ticket(ids['fridge-door-open']!)!.state).toBe('contacted');
  });

  it('ignore envelope fields in a command (the helpdesk stamps them)', async () => {
    const res = await post(`/api/v1/tickets/${ids['fridge-door-open']}/command`, { command: { action: 'set-setpoint', celsius: 3, v: 9, ts: 'x', commandId: 'Bad Id' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().ticket.state).toBe('action-sent');
  });

  it('answer bad bodies with 400 and field errors', async () => {
    const id = ids['fridge-warm'];
    const cases: Array<[string, unknown, string]> = [
      ['resolve', {}, 'note'],
      ['resolve', { note: '   ' }, 'note'],
      ['resolve', { note: 'x'.repeat(1001) }, 'note'],
      ['reopen', { note: 7 }, 'note'],
      ['assign', { to: 'nobody' }, 'to'],
      ['assign', { to: 'not a name' }, 'to'],
      ['contact', { text: '' }, 'text'],
      ['acknowledge', { extra: true }, 'body'],
      ['resolve', [], 'body'],
    ];
    for (const [verb, body, field] of cases) {
      const res = await post(`/api/v1/tickets/${id}/${verb}`, body);
      expect([verb, res.statusCode, res.json().error.code]).toEqual([verb, 400, 'EVN_ERR_INPUT']);
      expect(res.json().error.fields).toHaveProperty([field]);
    }
  });

  it('answer every action on an unknown ticket with 404', async () => {
    const bodies: Record<string, unknown> = { acknowledge: {}, assign: {}, contact: {}, command: { command: { action: 'start' } }, resolve: { note: 'n' }, reopen: { note: 'n' } };
    for (const [verb, body] of Object.entries(bodies)) {
      const res = await post(`/api/v1/tickets/T-0000000000/${verb}`, body);
      expect([verb, res.statusCode, res.json().error.code]).toEqual([verb, 404, 'EVN_ERR_TICKET_NOT_FOUND']);
    }
  });
});
