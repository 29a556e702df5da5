/**
 * GET /api/v1/tariff says where the prices come from and how the source is doing: the bundled file a
 * replay plans on; a price feed that cannot be reached, with its code, the fallback in use and when it
 * tries next; 404 on a dashboard without a tariff.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { configFromFlags } from '../../../helpdesk/tariffs/config.js';
import { createTariffProvider } from '../../../helpdesk/tariffs/create.js';
import { buildApp } from '../../../helpdesk/web/app.js';
import { BUNDLED_TARIFF } from '../../../stack/paths.js';
import { closedPort } from '../../helpers/price-server.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { login, startFixture, type Fixture } from './fixture.js';

let f: Fixture;
const apps: FastifyInstance[] = [];
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await f?.close();
});

async function tariffOf(tariff: Parameters<typeof buildApp>[0]['tariff']) {
  const app = buildApp({ helpdesk: f.helpdesk, staff: f.staff, tariff, log: f.log });
  apps.push(app);
  const { cookie } = await login(app);
  return app.inject({ method: 'GET', url: '/api/v1/tariff', headers: { cookie } });
}

describe('GET /tariff', () => {
  it("describes the replay's bundled prices: hourly, known through 2020", async () => {
    const r = await tariffOf(f.tariff);
    expect(r.statusCode).toBe(200);
    expect(r.json().tariff).toMatchObject({ provider: 'bundled', label: 'day-ahead prices (de-day-ahead-2020.csv)', slotMinutes: 60, pricedFrom: Date.UTC(2019, 11, 31, 23), lastError: null });
  });

  it('says a price feed cannot be reached, with its code, the fallback planned on, and the next try', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1/marketdata`;
    const clock = new VirtualClock(Date.parse('2026-11-30T12:00:00Z'));
    const provider = createTariffProvider(configFromFlags({ tariff: url, fallback: 'fixed:0.3' }), { clock, log: memoryLog().log, db: ':memory:', bundledPath: BUNDLED_TARIFF });
    await provider.start();
    try {
      const t = (await tariffOf(provider)).json().tariff;
      expect(t).toMatchObject({ provider: 'http', fallback: 'fixed tariff 0.3000 €/kWh', lastRefreshAt: null, pricedUntil: null, lastError: { code: 'EVN_ERR_TARIFF_FEED_UNREACHABLE' } });
      expect(t.nextRefreshAt).toBeGreaterThan(clock.now());
    } finally {
      await provider.stop();
    }
  });

  it('is 404 on a dashboard started without a tariff', async () => {
    const r = await tariffOf(undefined);
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: { code: 'EVN_ERR_NOT_FOUND' } });
  });
});
