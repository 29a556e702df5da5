/** The dashboard on a real socket (port 0): the page and its assets, and the live event stream. */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../../../helpdesk/web/server.js';
import { PASSWORD, startFixture, type Fixture } from './fixture.js';
import { openStream, type SseEvent } from './sse-client.js';

let f: Fixture;
let d: RunningDashboard;
let cookie: string;
let csrf: string;
let doorId: string;

beforeAll(async () => {
  f = await startFixture();
  d = await startDashboard({ helpdesk: f.helpdesk, staff: f.staff, tariff: f.tariff, log: f.log, port: 0 });
  const res = await fetch(`${d.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: PASSWORD }) });
  cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  csrf = ((await res.json()) as { csrf: string }).csrf;
  doorId = f.helpdesk.tickets().find((t) => t.kind === 'fridge-door-open')!.id;
});
afterAll(async () => {
  await d?.stop();
  await f?.close();
});

const act = (verb: string, body: unknown = {}) =>
  fetch(`${d.url}/api/v1/tickets/${doorId}/${verb}`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** GET without any URL normalisation (fetch would resolve '..' itself). */
function rawGet(path: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(`${d.url}${path}`, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    }).on('error', reject);
  });
}

describe('the dashboard server', () => {
  it('listens on 127.0.0.1 and serves the page, its modules and uPlot from node_modules, all from its own origin', async () => {
    expect(d.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await rawGet('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).not.toMatch(/https?:\/\//);
    for (const [path, type] of [['/assets/js/main.js', /^text\/javascript/], ['/assets/app.css', /^text\/css/], ['/vendor/uplot.js', /^text\/javascript/], ['/vendor/uplot.css', /^text\/css/]] as const) {
      const r = await rawGet(path);
      expect([path, r.status]).toEqual([path, 200]);
      expect(r.type).toMatch(type);
    }
  });

  it('serves nothing outside its public folder', async () => {
    for (const path of ['/assets/../server.ts', '/assets/%2e%2e/app.ts', '/assets/js/..%2f..%2fapp.ts', '/assets/.hidden.js', '/assets/js/main.ts', '/vendor/uPlot.d.ts']) {
      const r = await rawGet(path);
      expect([path, r.status]).toEqual([path, 404]);
    }
  });

  it('refuses the event stream without a session', async () => {
    const s = await openStream(`${d.url}/api/v1/events`);
    expect(s.status).toBe(401);
    s.close();
  });
});

describe('the live event stream', () => {
  const ticketEvents = (events: SseEvent[]) => events.filter((e) => e.event === 'ticket');

  it('says hello, then sends ticket changes with ids as staff act', async () => {
    const s = await openStream(`${d.url}/api/v1/events`, { cookie });
    expect(s.status).toBe(200);
    const hello = await s.next((e) => e.event === 'hello');
    expect(hello.data).toMatchObject({ now: f.scenario.endMs, lastId: null });
    expect((await act('acknowledge')).status).toBe(200);
    const e = await s.next((x) => x.event === 'ticket');
    expect(e.id).toMatch(/^[0-9a-f]{8}-1$/);
    expect(e.data).toMatchObject({ note: 'acknowledged by alice', ticket: { id: doorId, acknowledgedBy: 'alice', sla: { status: 'met' } } });
    // the summary, as GET /tickets lists it: the page fetches the timeline of the ticket it shows
    const t = (e.data as { ticket: Record<string, unknown> }).ticket;
    expect(t).toMatchObject({ version: f.helpdesk.ticket(doorId)!.timeline.length, device: "Maria's fridge" });
    expect(t).not.toHaveProperty('timeline');
    expect(t).not.toHaveProperty('evidence');
    s.close();
    await s.closed;
  });

  it('catches a reconnecting client up from Last-Event-ID, without repeating what it had', async () => {
    const first = await openStream(`${d.url}/api/v1/events`, { cookie });
    const { lastId } = (await first.next((e) => e.event === 'hello')).data as { lastId: string };
    first.close();
    expect((await act('assign')).status).toBe(200);
    expect((await act('contact', { text: 'Is the fridge door closed?' })).status).toBe(200);
    const again = await openStream(`${d.url}/api/v1/events`, { cookie, 'last-event-id': lastId });
    await again.next((e) => e.event === 'hello');
    const missed = ticketEvents(again.events);
    expect(missed.map((e) => (e.data as { note: string }).note)).toEqual(['assigned to alice', expect.stringMatching(/^contacted via [a-z-]+ by alice$/)]);
    const n = Number(lastId.split('-')[1]);
    expect(missed.map((e) => e.id!.split('-')[1])).toEqual([String(n + 1), String(n + 2)]);
    again.close();
    // the same through ?lastEventId= (for clients that cannot set the header)
    const viaQuery = await openStream(`${d.url}/api/v1/events?lastEventId=${missed[0]!.id}`, { cookie });
    await viaQuery.next((e) => e.event === 'hello');
    expect(ticketEvents(viaQuery.events).map((e) => e.id)).toEqual([missed[1]!.id]);
    viaQuery.close();
  });

  it('tells a client whose Last-Event-ID it cannot place to refetch (reset)', async () => {
    for (const id of ['deadbeef-1', 'garbage', '00000000-99999']) {
      const s = await openStream(`${d.url}/api/v1/events`, { cookie, 'last-event-id': id });
      const reset = await s.next((e) => e.event === 'reset');
      expect(s.events.indexOf(reset)).toBe(0);
      s.close();
    }
  });

  it('answers a bad device filter with 400', async () => {
    const s = await openStream(`${d.url}/api/v1/events?device=../../etc`, { cookie });
    expect(s.status).toBe(400);
    s.close();
  });

  it('ends open streams when the dashboard stops, and the helpdesk keeps running', async () => {
    const other = await startDashboard({ helpdesk: f.helpdesk, staff: f.staff, log: f.log, port: 0 });
    const s = await openStream(`${other.url}/api/v1/events`, { cookie });
    await s.next((e) => e.event === 'hello');
    await other.stop();
    await s.closed;
    expect((await act('acknowledge')).status).toBe(200);
  });
});
