/**
 * The stack's tariff: a provider configuration starts with the stack (before the helpdesk connects) and
 * stops with it; an HTTP feed that is down at start lets the helpdesk start and plan on the fallback,
 * and once it answers the cache (in the stack's database) has its prices; a bad price file stops the
 * start with EVN_ERR_TARIFF.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../contracts/index.js';
import { openPriceCache } from '../../helpdesk/tariffs/cache.js';
import { silentLogger } from '../../log/logger.js';
import { startHelpdeskStack } from '../../stack/helpdesk-stack.js';
import { startPriceServer } from '../helpers/price-server.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { until } from '../helpers/until.js';
import { DIRECTORY } from '../security/fixture.js';

const HOURLY = readFileSync(new URL('../fixtures/awattar/hourly-2026-11-30.json', import.meta.url), 'utf8');
const NOW = Date.parse('2026-11-30T14:00:00Z');

describe("the stack's tariff", () => {
  const dir = tempDirPerTest('evernet-stack-tariff-');

  it('starts a feed that is down, plans on the fallback meanwhile, and caches the prices in its database once the feed answers', async () => {
    const server = await startPriceServer({ status: 502, body: 'bad gateway' });
    const clock = new VirtualClock(NOW);
    const db = dir.join('helpdesk.db');
    const stack = await startHelpdeskStack({
      directory: DIRECTORY, clock, log: silentLogger(), db,
      tariff: { prices: { http: server.url }, fallback: { fixed: 0.3 }, timeZone: 'Europe/Berlin' },
      tariffTiming: { tickMs: 10, retry: { firstMs: 60_000 } },
    });
    try {
      expect(stack.tariff.status()).toMatchObject({ provider: 'http', lastError: { code: 'EVN_ERR_TARIFF_FEED_HTTP' }, pricedUntil: null, fallback: 'fixed tariff 0.3000 €/kWh' });
      expect(stack.tariff.current().problem?.code).toBe('EVN_ERR_TARIFF_FEED_HTTP');
      server.reply({ body: HOURLY });
      clock.set(NOW + 60_000);
      await until(() => stack.tariff.status().lastError === null, 3000, 'the retry');
    } finally {
      await stack.stop();
      await server.close();
    }
    // stopped: the cache is closed, and its prices are in the stack's database
    const cache = openPriceCache({ path: db });
    expect(cache.load(server.url).eurPerMwh.length).toBe(48);
    cache.close();
  });

  it('refuses a bad price file at start with EVN_ERR_TARIFF, the file and the line', async () => {
    const file = dir.join('prices.csv');
    writeFileSync(file, 'start,eur_per_mwh\n2026-11-30T00:00:00+01:00,1\n2026-11-30T01:00:00+01:00,\n');
    await expect(startHelpdeskStack({ directory: DIRECTORY, clock: new VirtualClock(NOW), log: silentLogger(), db: dir.join('h.db'), tariff: { prices: { file }, timeZone: 'Europe/Berlin' } }))
      .rejects.toThrow(/^EVN_ERR_TARIFF: .*prices\.csv:3: eur_per_mwh "" is not a number$/);
  });
});
