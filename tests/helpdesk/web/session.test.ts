/** Login, sessions, CSRF and the error bodies every client sees, against a real helpdesk. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../helpdesk/web/app.js';
import { login, PASSWORD, startFixture, type Fixture } from './fixture.js';
import { API_ROUTES } from './routes.js';

let f: Fixture;
let app: FastifyInstance;
beforeAll(async () => {
  f = await startFixture();
  app = buildApp({ helpdesk: f.helpdesk, staff: f.staff, tariff: f.tariff, log: f.log });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await f?.close();
});

describe('logging in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'alice', password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ user: { name: 'alice' }, csrf: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), timeZone: 'Europe/Berlin' });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^evn_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain('Max-Age=43200');
  });

  it('refuses a wrong password or an unknown name alike (401 EVN_ERR_LOGIN)', async () => {
    for (const payload of [{ name: 'alice', password: 'nope nope' }, { name: 'mallory', password: PASSWORD }]) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'EVN_ERR_LOGIN', message: 'unknown name or wrong password' } });
    }
  });

  it('answers bad input with 400 and field errors', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: '', password: 42 } });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('EVN_ERR_INPUT');
    expect(Object.keys(error.fields).sort()).toEqual(['name', 'password']);
    expect(error.fields.name).toBe('enter your name');
  });

  it('returns the session and its CSRF token on GET /session, and ends it on DELETE', async () => {
    const s = await login(app, 'bob');
    const got = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: s.cookie } });
    expect(got.json()).toMatchObject({ user: { name: 'bob' }, csrf: s.csrf, timeZone: 'Europe/Berlin' });
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^evn_session=;/);
    const after = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: s.cookie } });
    expect(after.statusCode).toBe(401);
  });
});

describe('without a session', () => {
  it('every API call but login is refused with 401 EVN_ERR_UNAUTHENTICATED', async () => {
    for (const [method, url] of API_ROUTES) {
      for (const cookie of [undefined, 'evn_session=forged-session-id']) {
        const res = await app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(method === 'POST' ? { payload: {} } : {}) });
        expect([method, url, res.statusCode]).toEqual([method, url, 401]);
        expect(res.json().error.code).toBe('EVN_ERR_UNAUTHENTICATED');
      }
    }
  });

  it('does not even read the body: malformed JSON from a stranger is still a 401', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/tickets/T-0000000000/resolve', headers: { 'content-type': 'application/json' }, payload: '{"note":' });
    expect(res.statusCode).toBe(401);
  });
});

describe('CSRF protection', () => {
  it('refuses state-changing calls without the X-CSRF-Token header, or with a wrong one (403)', async () => {
    const s = await login(app);
    const other = await login(app, 'bob');
    const url = '/api/v1/tickets/T-0000000000/acknowledge';
    for (const token of [undefined, '', 'wrong', other.csrf]) {
      const headers: Record<string, string> = { cookie: s.cookie };
      if (token !== undefined) headers['x-csrf-token'] = token;
      const res = await app.inject({ method: 'POST', url, headers, payload: {} });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('EVN_ERR_CSRF');
    }
    const del = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: s.cookie } });
    expect(del.statusCode).toBe(403);
    // with the token the same call passes the guard (and finds no such ticket)
    const ok = await app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: {} });
    expect(ok.statusCode).toBe(404);
  });
});

describe('bodies the API cannot read', () => {
  it('maps malformed JSON, an empty JSON body, a wrong content type and an oversized body to coded errors', async () => {
    const s = await login(app);
    const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf };
    const url = '/api/v1/tickets/T-0000000000/resolve';
    const cases: Array<[string, string, number, string]> = [
      ['application/json', '{"note":', 400, 'EVN_ERR_JSON'],
      ['application/json', '', 400, 'EVN_ERR_JSON'],
      ['application/json', '{"__proto__":{"x":1},"note":"a"}', 400, 'EVN_ERR_JSON'],
      ['text/plain', 'resolve it', 415, 'EVN_ERR_MEDIA_TYPE'],
      ['application/json', JSON.stringify({ note: 'x'.repeat(70_000) }), 413, 'EVN_ERR_TOO_LARGE'],
    ];
    for (const [type, payload, status, code] of cases) {
      const res = await app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': type }, payload });
      expect([type, payload.slice(0, 20), res.statusCode, res.json().error.code]).toEqual([type, payload.slice(0, 20), status, code]);
      expect(typeof res.json().error.message).toBe('string');
    }
  });

  it('answers unknown API routes with a coded 404', async () => {
    const s = await login(app);
    const res = await app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('EVN_ERR_NOT_FOUND');
  });

  it('sends security headers that keep the page to its own origin', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
