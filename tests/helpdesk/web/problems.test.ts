/**
 * The problems API (issue 13, item 4): GET /problems lists mass incidents newest first, one row each
 * (count, cause, opened, state, the linked ticket ids); GET /problems/:id has each linked ticket's
 * summary; a problem's change is a live `problem` event; unknown ids and bad queries get coded errors.
 * Real SQLite stores, the real grouping (createProblems) fed the way the core feeds it, a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexDirectory, type Directory } from '../../../helpdesk/directory.js';
import { createEvents } from '../../../helpdesk/events.js';
import { createProblems } from '../../../helpdesk/problems/problems.js';
import { openSqliteProblemStore } from '../../../helpdesk/problems/sqlite-store.js';
import { openStaffStore, type StaffStore } from '../../../helpdesk/staff/store.js';
import * as life from '../../../helpdesk/tickets/lifecycle.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import type { DashboardHelpdesk } from '../../../helpdesk/web/deps.js';
import { startDashboard, type RunningDashboard } from '../../../helpdesk/web/server.js';
import { silentLogger } from '../../../log/logger.js';
import { PASSWORD } from './fixture.js';
import { openStream } from './sse-client.js';

const T0 = Date.parse('2020-11-02T16:00:00Z');
const MIN = 60_000;
const log = silentLogger();

const world: Directory = {
  customers: Array.from({ length: 5 }, (_, i) => ({
    id: `home-${i}`,
    name: `Home ${i}`,
    // each home in an area of its own: the model is the one shared cause
    home: { lat: 50.1 + i * 0.3, lon: 6.95 },
    preferences: { channels: ['app-push' as const], timeZone: 'Europe/Berlin' },
    devices: [{ id: 'car', kind: 'car-battery' as const, customerId: `home-${i}`, name: `Home ${i} car`, model: i < 4 ? 'VARTA-60' : 'BOSCH-S4' }],
  })),
  stores: [],
  workshops: [],
};

describe('the problems API', () => {
  const events = createEvents(log);
  const tickets = openSqliteStore({ path: ':memory:' });
  const problemStore = openSqliteProblemStore({ path: ':memory:' });
  const problems = createProblems({ store: problemStore, directory: indexDirectory(world), events, log, ticketState: (id) => tickets.get(id)?.state });
  let staff: StaffStore;
  let dashboard: RunningDashboard;
  let now = T0;
  const helpdesk: DashboardHelpdesk = {
    tickets: (f) => tickets.list(f),
    ticket: (id) => tickets.get(id),
    ticketSummaries: (q) => tickets.summaries(q),
    devices: () => world.customers.map((c) => ({ customerId: c.id, customer: c.name, timeZone: 'Europe/Berlin', deviceId: 'car', kind: 'car-battery', name: c.devices[0]!.name })) as unknown as ReturnType<DashboardHelpdesk['devices']>,
    chart: () => ({ points: [], resolutionMs: 0 }),
    loads: () => ({ total: 0, loads: [], next: null }),
    on: events.on,
    act: () => ({ ok: false, error: { code: 'EVN_ERR_TICKET_STATE', reason: 'not in this test' } }),
    decideDevice: () => ({ ok: false, error: { code: 'EVN_ERR_UNKNOWN_DEVICE', message: 'not in this test' } }),
    now: () => now,
    problems: (q) => problems.list(q),
    problem: (id) => problems.get(id),
  };

  /** opens a battery ticket on home-i's car, as the helpdesk does: stored, announced, handed to the grouping */
  function open(i: number, at: number): life.Ticket {
    const t = tickets.openIdempotent(life.ticketOf(life.open({ incidentKey: `home-${i}/car/${at}`, customerId: `home-${i}`, deviceId: 'car', kind: 'battery-discharge', severity: 'high', at, proactive: true }))).ticket;
    now = at;
    events.emit({ type: 'ticket', at, ticket: t, note: 'opened' });
    problems.ticket(t, at, 'opened');
    return t;
  }
  const get = async (path: string, cookie: string) => {
    const r = await fetch(`${dashboard.url}/api/v1${path}`, { headers: { cookie } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by the assertions
    return { status: r.status, body: (await r.json()) as Record<string, any> };
  };
  let cookie = '';

  beforeAll(async () => {
    staff = openStaffStore({ path: ':memory:' });
    await staff.add('alice', PASSWORD);
    dashboard = await startDashboard({ helpdesk, staff, log, port: 0 });
    const r = await fetch(`${dashboard.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: PASSWORD }) });
    expect(r.status).toBe(200);
    cookie = r.headers.getSetCookie().find((c) => c.startsWith('evn_session='))!.split(';')[0]!;
  });
  afterAll(async () => {
    await dashboard.stop();
    staff.close();
    tickets.close();
    problemStore.close();
  });

  it('lists none before a cause has enough tickets', async () => {
    open(0, T0);
    open(4, T0 + 5 * MIN);
    open(1, T0 + 10 * MIN);
    expect((await get('/problems', cookie)).body.problems).toEqual([]);
  });

  it('tells a problem live when it opens, and lists it as one row with its cause, count and tickets', async () => {
    const stream = await openStream(`${dashboard.url}/api/v1/events`, { cookie });
    const third = open(2, T0 + 20 * MIN);
    const e = await stream.next((x) => x.event === 'problem');
    stream.close();
    const live = (e.data as { problem: Record<string, unknown>; note: string });
    expect(live.note).toBe('opened');
    expect(live.problem).toMatchObject({ kind: 'battery-discharge', count: 3, openTickets: 3, state: 'open', openedAt: third.openedAt, timeZone: 'Europe/Berlin' });

    const list = await get('/problems', cookie);
    expect(list.status).toBe(200);
    expect(list.body.problems).toHaveLength(1);
    const p = list.body.problems[0];
    expect(p).toMatchObject({ cause: { attr: 'model', value: 'VARTA-60' }, count: 3, state: 'open', explanation: "3 battery-discharge tickets on cars with batteries 'VARTA-60' within 20 min" });
    const ids = tickets.list().filter((t) => t.customerId !== 'home-4').map((t) => t.id);
    expect([...p.ticketIds].sort()).toEqual([...ids].sort());
    expect(live.problem).toEqual(p);
  });

  it('gives one problem with each linked ticket summarised; it is resolved when they all are', async () => {
    const [p] = problems.list();
    const one = await get(`/problems/${p!.id}`, cookie);
    expect(one.status).toBe(200);
    expect(one.body.problem.tickets.map((t: { customerId: string }) => t.customerId)).toEqual(['home-0', 'home-1', 'home-2']);
    expect(one.body.problem.tickets[0]).toMatchObject({ kind: 'battery-discharge', device: 'Home 0 car', state: 'opened' });
    for (const t of tickets.list().filter((x) => x.customerId !== 'home-4')) {
      const r = life.resolve(t, { at: now + MIN, resolution: 'fixed', by: 'alice' });
      if (!r.ok) throw new Error(r.error.reason);
      tickets.save(r.ticket);
      problems.ticket(r.ticket, now + MIN, 'resolved');
    }
    expect((await get('/problems?state=resolved', cookie)).body.problems.map((x: { id: string }) => x.id)).toEqual([p!.id]);
    expect((await get('/problems?state=open', cookie)).body.problems).toEqual([]);
  });

  it('answers an unknown problem and a bad query with coded errors, and nothing without a session', async () => {
    const missing = await get('/problems/P-0000000000-1', cookie);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'EVN_ERR_PROBLEM_NOT_FOUND' } } });
    const bad = await get('/problems?state=maybe&limit=0', cookie);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('EVN_ERR_INPUT');
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['query.state', 'query.limit']));
    expect((await get('/problems', '')).body.error.code).toBe('EVN_ERR_UNAUTHENTICATED');
  });
});
