/**
 * Logging in under attack, against the real app (fastify.inject with source addresses; the network is
 * not the point) and a real staff store at a low scrypt cost. Counts, never wall time: how many
 * password checks ran, at most how many at once, how many ran before the valid login's own.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../helpdesk/web/app.js';
import type { DashboardDeps } from '../../../helpdesk/web/deps.js';
import { bareDashboard, BARE_PASSWORD, type Bare } from './bare.js';

const WRONG = 'not the password 0123';
let bare: Bare | null = null;
let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  bare?.close();
  app = null;
  bare = null;
});

/** The real staff store, counting its password checks: started, running at once, and the order they started in. */
function counted(staff: Bare['staff']) {
  const c = { started: 0, running: 0, maxRunning: 0, order: [] as string[], hold: null as Promise<void> | null };
  const verify: Bare['staff']['verify'] = async (name, password) => {
    c.started++;
    c.order.push(name);
    c.running++;
    c.maxRunning = Math.max(c.maxRunning, c.running);
    try {
      // a test may hold the storm's checks in their scrypt run, to decide who waits where
      if (name.startsWith('spray-')) await c.hold;
      return await staff.verify(name, password);
    } finally {
      c.running--;
    }
  };
  return { staff: { ...staff, verify }, c };
}

async function setup(extra: Partial<DashboardDeps> = {}, wall?: { t: number }) {
  bare = await bareDashboard({}, ['alice', 'bob', 'carol', 'dave']);
  const { staff, c } = counted(bare.staff);
  app = buildApp({ ...bare.deps, staff, ...(wall ? { login: { now: () => wall.t } } : {}), ...extra });
  await app.ready();
  return { app, c, bare };
}

const attempt = (a: FastifyInstance, name: string, password: string, remoteAddress = '127.0.0.1') =>
  a.inject({ method: 'POST', url: '/api/v1/session', payload: { name, password }, remoteAddress });

describe('failed logins', () => {
  it('lock a name for its source after 5 failures: 429 EVN_ERR_LOGIN_THROTTLED with Retry-After, even for the right password, without a password check', async () => {
    const wall = { t: Date.UTC(2024, 0, 1) };
    const { app: a, c } = await setup({}, wall);
    for (let i = 0; i < 5; i++) expect((await attempt(a, 'bob', WRONG)).statusCode).toBe(401);
    expect(c.started).toBe(5);
    const locked = await attempt(a, 'bob', BARE_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('EVN_ERR_LOGIN_THROTTLED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(c.started).toBe(5);
    // the same name from another source, and another name from this source, are not locked
    expect((await attempt(a, 'bob', BARE_PASSWORD, '127.0.0.2')).statusCode).toBe(200);
    expect((await attempt(a, 'alice', BARE_PASSWORD)).statusCode).toBe(200);
    // the lock ends after Retry-After (wall time), and each further failure makes the next one longer
    wall.t += Number(locked.headers['retry-after']) * 1000;
    expect((await attempt(a, 'bob', WRONG)).statusCode).toBe(401);
    const longer = await attempt(a, 'bob', BARE_PASSWORD);
    expect(longer.statusCode).toBe(429);
    expect(Number(longer.headers['retry-after'])).toBeGreaterThan(Number(locked.headers['retry-after']));
    wall.t += Number(longer.headers['retry-after']) * 1000;
    expect((await attempt(a, 'bob', BARE_PASSWORD)).statusCode).toBe(200);
  });

  it('are logged with a code, the source and a bounded name, never the password', async () => {
    const { app: a, bare: b } = await setup();
    const secret = 'hunter2-very-secret-password';
    expect((await attempt(a, 'bob', secret)).statusCode).toBe(401);
    expect((await attempt(a, 'nobody-' + 'x'.repeat(33), secret)).statusCode).toBe(401);
    const failed = b.logs.filter((l) => l.code === 'EVN_ERR_LOGIN');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ level: 40, name: 'bob', address: '127.0.0.1' });
    expect(failed.every((l) => typeof l.name === 'string' && l.name.length <= 40)).toBe(true);
    expect(b.logText()).not.toContain(secret);
  });
});

describe('a storm of wrong passwords', () => {
  it('from one address for other names: the valid login from the same address is checked after a handful, and scrypt never runs more than twice at once', async () => {
    const { app: a, c } = await setup();
    const names = ['bob', 'carol', 'dave', 'eve', 'mallory', 'trent', 'oscar', 'peggy'];
    const storm = Array.from({ length: 200 }, (_, i) => attempt(a, names[i % names.length]!, WRONG));
    // the storm is under way (checks have run) before the valid login comes
    for (let i = 0; i < 10_000 && c.started < 3; i++) await new Promise((r) => setImmediate(r));
    expect(c.started).toBeGreaterThanOrEqual(3);
    const valid = attempt(a, 'alice', BARE_PASSWORD);
    const [res, ...rest] = await Promise.all([valid, ...storm]);
    expect(res!.statusCode).toBe(200);
    const before = c.order.indexOf('alice');
    // at most one check per storm name, plus those already running, before alice's own
    expect(before).toBeLessThanOrEqual(names.length + 2);
    expect(c.maxRunning).toBeLessThanOrEqual(2);
    const codes = new Map<string, number>();
    for (const r of rest) codes.set(`${r.statusCode} ${r.json().error.code}`, (codes.get(`${r.statusCode} ${r.json().error.code}`) ?? 0) + 1);
    expect([...codes.keys()].sort()).toEqual(['401 EVN_ERR_LOGIN', '429 EVN_ERR_LOGIN_THROTTLED']);
    // refused before hashing: most of the storm never cost a password check
    expect(c.started).toBeLessThan(60);
  });

  it('from one address: a staff member who logged in from it before is checked next, ahead of every storm name', async () => {
    const { app: a, c } = await setup();
    expect((await attempt(a, 'alice', BARE_PASSWORD)).statusCode).toBe(200);
    c.order.length = 0;
    let letGo = (): void => undefined;
    c.hold = new Promise<void>((r) => (letGo = r));
    const storm = Array.from({ length: 200 }, (_, i) => attempt(a, `spray-${i}`, WRONG));
    const ticks = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };
    // one storm check is running (held), the rest of the storm waits or was refused
    for (let i = 0; i < 1000 && c.started < 1; i++) await ticks(1);
    await ticks(50);
    const valid = attempt(a, 'alice', BARE_PASSWORD);
    await ticks(50);
    letGo();
    const [res] = await Promise.all([valid, ...storm]);
    expect(res!.statusCode).toBe(200);
    // only the check already running when it came (one per address) went before it
    expect(c.order.indexOf('alice')).toBe(1);
    expect(c.maxRunning).toBe(1);
  });

  it('from many addresses for one name: a clean address still logs in as that name, the noisy ones are locked', async () => {
    const { app: a } = await setup();
    for (let round = 0; round < 6; round++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(a, 'alice', WRONG, `127.0.1.${i + 1}`)));
    }
    const noisy = await attempt(a, 'alice', BARE_PASSWORD, '127.0.1.1');
    expect([noisy.statusCode, noisy.json().error.code]).toEqual([429, 'EVN_ERR_LOGIN_THROTTLED']);
    // an address that has not failed is not locked out of the name the attack is after
    expect((await attempt(a, 'alice', BARE_PASSWORD, '127.0.2.1')).statusCode).toBe(200);
    // but a new address that fails once meets the lock on the name
    expect((await attempt(a, 'alice', WRONG, '127.0.3.1')).statusCode).toBe(401);
    const second = await attempt(a, 'alice', BARE_PASSWORD, '127.0.3.1');
    expect([second.statusCode, second.json().error.code]).toEqual([429, 'EVN_ERR_LOGIN_THROTTLED']);
  });
});

describe('the coarse limit per address', () => {
  it('refuses more login requests per minute than configured (429 EVN_ERR_LOGIN_THROTTLED, Retry-After), per address', async () => {
    const { app: a, c } = await setup({ login: { requestsPerMinute: 20 } });
    const results = [];
    for (let i = 0; i < 25; i++) results.push(await attempt(a, `spray-${i}`, WRONG));
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(20);
    const refused = results.filter((r) => r.statusCode === 429);
    expect(refused).toHaveLength(5);
    expect(refused[0]!.json().error.code).toBe('EVN_ERR_LOGIN_THROTTLED');
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(c.started).toBe(20);
    expect((await attempt(a, 'alice', BARE_PASSWORD, '127.0.0.9')).statusCode).toBe(200);
  });
});
