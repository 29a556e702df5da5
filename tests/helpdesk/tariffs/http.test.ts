/**
 * The HTTP price provider against a real HTTP server on loopback serving recorded aWATTar answers
 * (tests/fixtures/awattar), with the cache in real SQLite and the clock injected: the request it
 * makes, hourly and quarter-hourly prices, a gap, the daily refresh, retries with backoff, and every
 * way a feed fails (unreachable, no answer, HTTP 500, not JSON, not the format, too large), each a
 * coded error that keeps what the cache had.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { planOnSnapshot } from '../../../helpdesk/schedule/basis.js';
import { priceAt, type Tariff } from '../../../helpdesk/schedule/tariff.js';
import { parseAwattar } from '../../../helpdesk/tariffs/awattar.js';
import { openPriceCache } from '../../../helpdesk/tariffs/cache.js';
import { createHttpProvider, type HttpProviderOptions, type HttpTariffProvider } from '../../../helpdesk/tariffs/http.js';
import { fixedModel } from '../../../helpdesk/tariffs/time-of-use.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { awattarBody, closedPort, startPriceServer, type PriceServer } from '../../helpers/price-server.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';
import { until } from '../../helpers/until.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/awattar/${name}`, import.meta.url), 'utf8');
const H = 3_600_000;
/** 30 November 2026 00:00 in Berlin (CET) */
const DAY = Date.parse('2026-11-29T23:00:00Z');
const at = (local: string): number => Date.parse(`${local}+01:00`);

const dir = tempDirPerTest('evernet-tariff-http-');
let server: PriceServer | null = null;
const providers: HttpTariffProvider[] = [];

afterEach(async () => {
  for (const p of providers.splice(0)) await p.stop();
  await server?.close();
  server = null;
});

function provider(url: string, clock: VirtualClock, more: Partial<HttpProviderOptions> = {}) {
  const { log, lines } = memoryLog('info');
  const db = more.openCache ? null : dir.join('helpdesk.db');
  const p = createHttpProvider({ url, clock, log, openCache: () => openPriceCache({ path: db ?? ':memory:' }), timeoutMs: 2000, ...more });
  providers.push(p);
  return { p, lines };
}

describe('the HTTP price provider', () => {
  it('asks for today and tomorrow in local days and plans on the hourly answer', async () => {
    server = await startPriceServer({ body: fixture('hourly-2026-11-30.json') });
    const clock = new VirtualClock(at('2026-11-30T15:20:00'));
    const { p } = provider(server.url, clock);
    await p.start();
    expect(server.requests).toHaveLength(1);
    const q = server.requests[0]!;
    expect(q.pathname).toBe('/v1/marketdata');
    expect(Number(q.searchParams.get('start'))).toBe(DAY);
    expect(Number(q.searchParams.get('end'))).toBe(DAY + 48 * H);

    const s = p.status();
    expect(s).toMatchObject({ provider: 'http', lastError: null, lastRefreshAt: clock.now(), pricedFrom: DAY, pricedUntil: DAY + 48 * H, slotMinutes: 60 });
    expect(s.label).toBe(`day-ahead prices (${new URL(server.url).host})`);
    // tomorrow's prices are in: the next refresh is tomorrow at 14:00
    expect(s.nextRefreshAt).toBe(at('2026-12-01T14:00:00'));

    const snap = p.current();
    expect(priceAt(snap.primary.slice(DAY, DAY + 48 * H), at('2026-11-30T18:30:00'))).toBe(171.9);
    const o = planOnSnapshot({ slots: [{ durationS: 7200, powerW: 2000 }], earliestStart: at('2026-11-30T20:30:00'), latestEnd: at('2026-12-01T07:00:00'), snapshot: snap });
    expect(o.basis).toBe('prices');
    // the cheapest two hours of that night: 03:00-05:00 (66.8, 64.3)
    expect(o.plan!.start).toBe(at('2026-12-01T03:00:00'));
    expect(o.plan!.costEur).toBeCloseTo((66.8 + 64.3) * 2 / 1000, 12);
  });

  it('reads quarter-hour slots, and adds the fees to every one', async () => {
    server = await startPriceServer({ body: fixture('quarter-hourly-2026-11-30.json') });
    const clock = new VirtualClock(at('2026-11-30T15:00:00'));
    const fees = { gridFeeEurPerKwh: 0.09, leviesEurPerKwh: 0.03, vatPercent: 19 };
    const { p } = provider(server.url, clock, { fees });
    await p.start();
    expect(p.status()).toMatchObject({ slotMinutes: 15, pricedUntil: DAY + 48 * H });
    expect(p.status().label).toMatch(/\+ grid fee 0\.0900 €\/kWh, levies 0\.0300 €\/kWh, VAT 19 %$/);
    const t = p.current().primary.slice(DAY, DAY + H);
    expect(t.slotMs).toBe(900_000);
    // 82.1 + 4.1 in the first quarter-hour, then fees: (86.2 + 120) × 1.19
    expect(t.eurPerMwh[0]).toBeCloseTo((86.2 + 120) * 1.19, 9);
    expect(t.eurPerMwh[3]).toBeCloseTo((77.9 + 120) * 1.19, 9);
  });

  it('keeps a gap in the feed as a gap, and the plan says it used the fallback there', async () => {
    server = await startPriceServer({ body: fixture('gap-2026-12-01.json') });
    const clock = new VirtualClock(at('2026-11-30T15:00:00'));
    const { p } = provider(server.url, clock, { fallback: fixedModel(0.05) });
    await p.start();
    const t = p.current().primary.slice(DAY + 24 * H, DAY + 48 * H);
    expect([2, 3, 4, 5].map((h) => Number.isNaN(t.eurPerMwh[h]!))).toEqual([true, true, true, true]);
    // a 5-hour run between 01:00 and 07:00 fits no known run: known prices, then the fallback for the gap
    const o = planOnSnapshot({ slots: [{ durationS: 5 * 3600, powerW: 1000 }], earliestStart: at('2026-12-01T01:00:00'), latestEnd: at('2026-12-01T07:00:00'), snapshot: p.current() });
    expect(o.basis).toBe('partial-fallback');
    expect(o.note).toContain('fixed tariff 0.0500 €/kWh (fallback) for the rest of the window');
  });

  it('keeps the cache in the database: a restart with the feed down still plans on it, and says the feed failed', async () => {
    server = await startPriceServer({ body: fixture('hourly-2026-11-30.json') });
    const clock = new VirtualClock(at('2026-11-30T15:00:00'));
    const first = provider(server.url, clock);
    await first.p.start();
    await first.p.stop();
    providers.splice(0);

    server.reply({ status: 500, body: 'upstream down' });
    clock.set(at('2026-11-30T20:00:00'));
    const { p, lines } = provider(server.url, clock);
    await p.start();
    const s = p.status();
    expect(s.lastError).toEqual({ code: 'EVN_ERR_TARIFF_FEED_HTTP', message: 'HTTP 500 Internal Server Error', at: clock.now() });
    expect(s.lastRefreshAt).toBe(at('2026-11-30T15:00:00'));
    expect(s.pricedUntil).toBe(DAY + 48 * H);
    expect(lines.some((l) => l.code === 'EVN_ERR_TARIFF_FEED_HTTP' && l.level === 40)).toBe(true);
    const o = planOnSnapshot({ slots: [{ durationS: 3600, powerW: 1000 }], earliestStart: clock.now(), latestEnd: at('2026-12-01T07:00:00'), snapshot: p.current() });
    expect(o.basis).toBe('prices');
    expect(p.current().problem?.code).toBe('EVN_ERR_TARIFF_FEED_HTTP');
  });

  it('retries a failing feed with backoff on the injected clock, then refreshes daily', async () => {
    server = await startPriceServer({ status: 503, body: '' });
    const clock = new VirtualClock(at('2026-11-30T15:00:00'));
    const { p } = provider(server.url, clock, { retry: { firstMs: 60_000, maxMs: 240_000 } });
    await p.start();
    const t0 = clock.now();
    expect(p.status().nextRefreshAt).toBe(t0 + 60_000);
    clock.set(t0 + 59_000);
    await p.refreshIfDue();
    expect(server.requests).toHaveLength(1);
    clock.set(t0 + 60_000);
    await p.refreshIfDue();
    expect(server.requests).toHaveLength(2);
    expect(p.status().nextRefreshAt).toBe(t0 + 60_000 + 120_000);
    clock.set(t0 + 180_000);
    await p.refreshIfDue();
    expect(p.status().nextRefreshAt).toBe(t0 + 180_000 + 240_000);
    clock.set(t0 + 420_000);
    await p.refreshIfDue();
    expect(p.status().nextRefreshAt).toBe(t0 + 420_000 + 240_000); // capped

    server.reply({ body: fixture('hourly-2026-11-30.json') });
    clock.set(t0 + 660_000);
    await p.refreshIfDue();
    expect(server.requests).toHaveLength(5);
    expect(p.status()).toMatchObject({ lastError: null, nextRefreshAt: at('2026-12-01T14:00:00') });
    // the next day at 14:00: tomorrow's request
    clock.set(at('2026-12-01T14:00:00'));
    await p.refreshIfDue();
    expect(server.requests).toHaveLength(6);
    expect(Number(server.requests[5]!.searchParams.get('start'))).toBe(DAY + 24 * H);
  });

  it("retries before the daily refresh while tomorrow's prices are not published yet", async () => {
    server = await startPriceServer({ body: fixture('today-only-2026-11-30.json') });
    // before 14:00 today's prices are all there is to expect
    const clock = new VirtualClock(at('2026-11-30T09:00:00'));
    const { p, lines } = provider(server.url, clock, { retry: { firstMs: 600_000 } });
    await p.start();
    expect(p.status().nextRefreshAt).toBe(at('2026-11-30T14:00:00'));
    // at 14:00 still only today: retried 10 minutes later, not tomorrow
    clock.set(at('2026-11-30T14:00:00'));
    await p.refreshIfDue();
    expect(p.status()).toMatchObject({ lastError: null, nextRefreshAt: at('2026-11-30T14:10:00'), pricedUntil: DAY + 24 * H });
    expect(lines.at(-1)?.msg).toMatch(/prices known until 2026-12-01 00:00 \(Europe\/Berlin\), retried before the daily refresh/);
    server.reply({ body: fixture('hourly-2026-11-30.json') });
    clock.set(at('2026-11-30T14:10:00'));
    await p.refreshIfDue();
    expect(p.status()).toMatchObject({ pricedUntil: DAY + 48 * H, nextRefreshAt: at('2026-12-01T14:00:00') });
  });

  it('refreshes by itself when due (its timer checks the clock)', async () => {
    server = await startPriceServer({ status: 500, body: '' });
    const clock = new VirtualClock(at('2026-11-30T15:00:00'));
    const { p } = provider(server.url, clock, { tickMs: 10, retry: { firstMs: 1000 } });
    await p.start();
    server.reply({ body: fixture('hourly-2026-11-30.json') });
    clock.set(clock.now() + 1000);
    await until(() => p.status().lastError === null, 3000, 'the timer to refresh');
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
  });
});

describe('a cache that fails', () => {
  it('keeps the prices it held, says why, and tries again later', async () => {
    server = await startPriceServer({ body: fixture('today-only-2026-11-30.json') });
    const clock = new VirtualClock(at('2026-11-30T09:00:00'));
    const real = openPriceCache({ path: dir.join('helpdesk.db') });
    let full = false;
    // the database refuses writes as a full disk does (SQLITE_FULL), when the test says so
    const cache = { ...real, store: (...a: Parameters<typeof real.store>) => (full ? failWrite() : real.store(...a)) };
    const failWrite = (): never => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const { p, lines } = provider(server.url, clock, { openCache: () => cache, retry: { firstMs: 60_000 } });
    await p.start();
    expect(p.status().pricedUntil).toBe(DAY + 24 * H);
    full = true;
    server.reply({ body: fixture('hourly-2026-11-30.json') });
    clock.set(at('2026-11-30T14:00:00'));
    await p.refreshIfDue();
    expect(p.status()).toMatchObject({ pricedUntil: DAY + 24 * H, lastError: { code: 'EVN_ERR_DB', at: clock.now() }, nextRefreshAt: clock.now() + 60_000 });
    expect(lines.find((l) => l.code === 'EVN_ERR_DB')).toMatchObject({ level: 50 });
    full = false;
    clock.set(clock.now() + 60_000);
    await p.refreshIfDue();
    expect(p.status()).toMatchObject({ pricedUntil: DAY + 48 * H, lastError: null });
  });
});

describe('a feed that fails', () => {
  const cases: Array<{ name: string; reply: () => Promise<{ url: string; options?: Partial<HttpProviderOptions> }>; code: string; message: RegExp }> = [
    {
      name: 'a refused connection',
      reply: async () => ({ url: `http://127.0.0.1:${await closedPort()}/v1/marketdata` }),
      code: 'EVN_ERR_TARIFF_FEED_UNREACHABLE',
      message: /ECONNREFUSED/,
    },
    {
      name: 'no answer within the timeout',
      reply: async () => {
        server = await startPriceServer({ hang: true });
        return { url: server.url, options: { timeoutMs: 150 } };
      },
      code: 'EVN_ERR_TARIFF_FEED_UNREACHABLE',
      message: /^no answer within 150 ms$/,
    },
    {
      name: 'HTTP 500',
      reply: async () => {
        server = await startPriceServer({ status: 500, body: '{"error":"boom"}' });
        return { url: server.url };
      },
      code: 'EVN_ERR_TARIFF_FEED_HTTP',
      message: /^HTTP 500/,
    },
    {
      name: 'a body that is not JSON',
      reply: async () => {
        server = await startPriceServer({ body: '<html>maintenance</html>', contentType: 'text/html' });
        return { url: server.url };
      },
      code: 'EVN_ERR_TARIFF_FEED_MALFORMED',
      message: /^not JSON/,
    },
    {
      name: 'JSON that is not marketdata',
      reply: async () => {
        server = await startPriceServer({ body: JSON.stringify({ object: 'list', data: [{ start_timestamp: DAY, marketprice: 12 }] }) });
        return { url: server.url };
      },
      code: 'EVN_ERR_TARIFF_FEED_MALFORMED',
      message: /^not aWATTar marketdata: data\.0\.end_timestamp/,
    },
    {
      name: 'slots that overlap',
      reply: async () => {
        const body = JSON.parse(awattarBody(DAY, H, [1, 2, 3])) as { data: Array<Record<string, number | string>> };
        body.data.push({ ...body.data[1]!, marketprice: 99 });
        server = await startPriceServer({ body: JSON.stringify(body) });
        return { url: server.url };
      },
      code: 'EVN_ERR_TARIFF_FEED_MALFORMED',
      message: /overlaps/,
    },
    {
      name: 'an answer larger than allowed',
      reply: async () => {
        server = await startPriceServer({ body: fixture('quarter-hourly-2026-11-30.json') });
        return { url: server.url, options: { maxBytes: 4096 } };
      },
      code: 'EVN_ERR_TARIFF_FEED_MALFORMED',
      message: /more than 4096/,
    },
  ];

  for (const c of cases) {
    it(`is a coded error for ${c.name}, keeps the cache, and the plan falls back saying why`, async () => {
      // yesterday's good answer is in the cache; today the feed fails
      const { url, options } = await c.reply();
      const cache = openPriceCache({ path: dir.join('helpdesk.db') });
      const good = parseAwattar(JSON.parse(fixture('hourly-2026-11-30.json')), url) as Tariff;
      cache.store(url, good, DAY, DAY + 48 * H, at('2026-11-30T15:00:00'), 0);
      const clock = new VirtualClock(at('2026-12-01T14:00:00'));
      const { p, lines } = provider(url, clock, { ...options, fallback: fixedModel(0.3), openCache: () => cache });
      await p.start();
      const s = p.status();
      expect(s.lastError?.code).toBe(c.code);
      expect(s.lastError?.message).toMatch(c.message);
      expect(s.pricedUntil).toBe(DAY + 48 * H);
      expect(lines.filter((l) => l.code === c.code)).toHaveLength(1);
      // known prices until midnight; a run after it falls back, and the note carries the feed's code
      const o = planOnSnapshot({ slots: [{ durationS: 3600, powerW: 1000 }], earliestStart: at('2026-12-02T01:00:00'), latestEnd: at('2026-12-02T06:00:00'), snapshot: p.current() });
      expect(o.basis).toBe('fallback');
      expect(o.note).toContain(`price feed: ${c.code} at 2026-12-01 14:00`);
    });
  }
});
