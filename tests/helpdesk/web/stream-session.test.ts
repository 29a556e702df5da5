/**
 * The live stream belongs to the session that opened it: logging out, logging in anew over the old
 * session, or the session expiring ends that session's streams, and only those. Real server on port 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../../../helpdesk/web/server.js';
import { bareDashboard, BARE_PASSWORD, type Bare } from './bare.js';
import { openStream, type SseStream } from './sse-client.js';

const T0 = Date.UTC(2020, 10, 2, 18);
let wall = Date.UTC(2024, 0, 1);
let bare: Bare;
let d: RunningDashboard;

beforeAll(async () => {
  bare = await bareDashboard({ now: () => wall, sessionTtlMs: 3600_000 });
  d = await startDashboard({ ...bare.deps, port: 0, liveSessionCheckMs: 50 });
});
afterAll(async () => {
  await d?.stop();
  bare?.close();
});

async function login(name = 'alice', cookie?: string) {
  const res = await fetch(`${d.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ name, password: BARE_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const id = /evn_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
  return { cookie: `evn_session=${id}`, csrf: ((await res.json()) as { csrf: string }).csrf };
}

/** 'closed' once the server ends the stream, 'open' if it is still open after `ms` (a bound for a failure, not a speed claim) */
const endsWithin = (s: SseStream, ms = 3000) =>
  Promise.race([s.closed.then(() => 'closed' as const), new Promise<'open'>((r) => setTimeout(() => r('open'), ms))]);

let n = 0;
const availability = () => bare.events.emit({ type: 'availability', at: T0 + ++n, customerId: 'maria', deviceId: 'car', online: n % 2 === 0 });

describe('a live stream', () => {
  it('ends when its session logs out, and a stream of another session goes on', async () => {
    const a = await login('alice');
    const b = await login('alice');
    const sa = await openStream(`${d.url}/api/v1/events`, { cookie: a.cookie });
    const sb = await openStream(`${d.url}/api/v1/events`, { cookie: b.cookie });
    await sa.next((e) => e.event === 'hello');
    await sb.next((e) => e.event === 'hello');
    const out = await fetch(`${d.url}/api/v1/session`, { method: 'DELETE', headers: { cookie: a.cookie, 'x-csrf-token': a.csrf } });
    expect(out.status).toBe(204);
    expect(await endsWithin(sa)).toBe('closed');
    expect(sa.events.at(-1)).toEqual({ event: 'ended', data: { reason: 'the session ended; log in again' } });
    availability();
    await sb.next((e) => e.event === 'availability' && (e.data as { at: number }).at === T0 + n);
    expect(sa.events.filter((e) => e.event === 'availability')).toHaveLength(0);
    expect(await endsWithin(sb, 200)).toBe('open');
    sb.close();
  });

  it('ends when the browser logs in anew over its session (the old session is gone)', async () => {
    const a = await login('bob');
    const s = await openStream(`${d.url}/api/v1/events`, { cookie: a.cookie });
    await s.next((e) => e.event === 'hello');
    await login('bob', a.cookie);
    expect(await endsWithin(s)).toBe('closed');
  });

  it('ends when its session expires (wall time), and the same cookie cannot open another', async () => {
    const a = await login('alice');
    const s = await openStream(`${d.url}/api/v1/events`, { cookie: a.cookie });
    await s.next((e) => e.event === 'hello');
    wall += 3600_000;
    expect(await endsWithin(s)).toBe('closed');
    const again = await openStream(`${d.url}/api/v1/events`, { cookie: a.cookie });
    expect(again.status).toBe(401);
    again.close();
  });
});
