/**
 * Names from Object.prototype in paths, queries and bodies are data, never lookups that find a
 * function; and no 500 carries a stack trace or an internal message, whatever a route throws.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../helpdesk/web/app.js';
import { bareDashboard, BARE_PASSWORD, type Bare } from './bare.js';

const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
const STACK = /\bat .+:\d+|\.ts:\d+|node:internal|stack/i;

let bare: Bare;
let app: FastifyInstance;
beforeAll(async () => {
  bare = await bareDashboard();
  app = buildApp(bare.deps);
  // routes that fail the ways a bug can: registered before ready, like the app's own
  app.get('/test/throws/error', async () => {
    throw new Error('secret internal detail');
  });
  app.get('/test/throws/null', async () => {
    throw null;
  });
  app.get('/test/throws/undefined', async () => {
    throw undefined;
  });
  app.get('/test/throws/string', async () => {
    throw 'secret internal detail';
  });
  app.get('/test/throws/object', async () => {
    throw { statusCode: 500, message: 'secret internal detail', stack: 'Error: x\n    at secret (/src/x.ts:1:1)' };
  });
  app.get('/test/throws/status-503', async () => {
    throw Object.assign(new Error('secret internal detail'), { statusCode: 503, code: 'FST_ERR_SOMETHING' });
  });
  app.get('/test/throws/sync', () => {
    throw new TypeError('secret internal detail');
  });
  app.get('/test/throws/circular', async () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    return a;
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  bare?.close();
});

async function session() {
  const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'alice', password: BARE_PASSWORD } });
  expect(res.statusCode).toBe(200);
  return { cookie: `evn_session=${res.cookies.find((c) => c.name === 'evn_session')!.value}`, csrf: (res.json() as { csrf: string }).csrf };
}

describe('names of Object.prototype', () => {
  it('are unknown files under /vendor (404 EVN_ERR_NOT_FOUND without a session), and the real ones are served', async () => {
    for (const name of PROTO_NAMES) {
      const res = await app.inject({ method: 'GET', url: `/vendor/${name}` });
      expect([name, res.statusCode, res.json().error.code]).toEqual([name, 404, 'EVN_ERR_NOT_FOUND']);
    }
    expect((await app.inject({ method: 'GET', url: '/vendor/uplot.js' })).statusCode).toBe(200);
  });

  it('are refused as sort keys and filters (400 EVN_ERR_INPUT), and ignored as unknown query keys', async () => {
    const { cookie } = await session();
    for (const name of PROTO_NAMES) {
      for (const q of [`sort=${name}`, `order=${name}`, `state=${name}`, `severity=${name}`, `proactive=${name}`, `state=open,${name}`]) {
        const res = await app.inject({ method: 'GET', url: `/api/v1/tickets?${q}`, headers: { cookie } });
        expect([q, res.statusCode, res.json().error.code]).toEqual([q, 400, 'EVN_ERR_INPUT']);
      }
      const res = await app.inject({ method: 'GET', url: `/api/v1/tickets?${name}=1&${name}[x]=2`, headers: { cookie } });
      expect([name, res.statusCode]).toEqual([name, 200]);
    }
  });

  it('are unknown tickets, devices and loads in paths (coded 404s)', async () => {
    const { cookie, csrf } = await session();
    for (const name of PROTO_NAMES) {
      const gets: Array<[string, string]> = [
        [`/api/v1/tickets/${name}`, 'EVN_ERR_TICKET_NOT_FOUND'],
        [`/api/v1/tickets/${name}/telemetry`, 'EVN_ERR_TICKET_NOT_FOUND'],
        [`/api/v1/devices/${name}/${name}`, 'EVN_ERR_DEVICE_NOT_FOUND'],
        [`/api/v1/devices/maria/${name}/telemetry`, 'EVN_ERR_DEVICE_NOT_FOUND'],
        [`/api/v1/loads/${name}/${name}`, 'EVN_ERR_LOAD_NOT_FOUND'],
        [`/api/v1/${name}`, 'EVN_ERR_NOT_FOUND'],
        [`/assets/${name}`, 'EVN_ERR_NOT_FOUND'],
      ];
      for (const [url, code] of gets) {
        const res = await app.inject({ method: 'GET', url, headers: { cookie } });
        expect([url, res.statusCode, res.json().error.code]).toEqual([url, 404, code]);
      }
      const res = await app.inject({ method: 'POST', url: `/api/v1/tickets/${name}/acknowledge`, headers: { cookie, 'x-csrf-token': csrf }, payload: {} });
      expect([name, res.statusCode]).toEqual([name, 404]);
    }
  });

  it('are refused as body keys and as staff names, never found', async () => {
    const { cookie, csrf } = await session();
    for (const name of PROTO_NAMES) {
      const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name, password: 'whatever password' } });
      expect([name, login.statusCode, login.json().error.code]).toEqual([name, 401, 'EVN_ERR_LOGIN']);
      const extra = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'alice', password: BARE_PASSWORD, [name]: { x: 1 } } });
      expect(extra.statusCode).toBe(400);
      const cursor = Buffer.from(JSON.stringify([name, 'desc', 1, 'x'])).toString('base64url');
      const paged = await app.inject({ method: 'GET', url: `/api/v1/tickets?cursor=${cursor}`, headers: { cookie } });
      expect([name, paged.statusCode, paged.json().error.code]).toEqual([name, 400, 'EVN_ERR_INPUT']);
      const assign = await app.inject({ method: 'POST', url: '/api/v1/tickets/T-0000000000/assign', headers: { cookie, 'x-csrf-token': csrf }, payload: { to: name } });
      expect(assign.statusCode).toBeLessThan(500);
    }
  });
});

describe('a failing route', () => {
  it('answers 500 EVN_ERR_INTERNAL with no stack trace and no internal message, whatever it threw', async () => {
    for (const what of ['error', 'null', 'undefined', 'string', 'object', 'status-503', 'sync', 'circular']) {
      const res = await app.inject({ method: 'GET', url: `/test/throws/${what}` });
      expect([what, res.statusCode]).toEqual([what, 500]);
      expect([what, res.json()]).toEqual([what, { error: { code: 'EVN_ERR_INTERNAL', message: 'internal error; the helpdesk keeps running' } }]);
      expect(res.body).not.toMatch(STACK);
      expect(res.body).not.toContain('secret');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });
});
