/**
 * Day-ahead prices from an HTTP feed in aWATTar's `marketdata` format (awattar.ts), e.g.
 * https://api.awattar.de/v1/marketdata. The provider asks for today and tomorrow (local days in its
 * zone: `?start=MS&end=MS`), keeps every answer in the helpdesk's database (cache.ts) and plans on
 * the cache, so a restart or an outage loses nothing it had (the cache opens at start, closes at stop). It refreshes at start, then daily at
 * `refreshAt` local time (the market publishes tomorrow's prices around 13:00 CET); a refresh that
 * fails, or that does not yet bring tomorrow's prices after `refreshAt`, is retried with exponential
 * backoff (`retry.firstMs` doubling up to `retry.maxMs`). Due times are event time on the injected
 * clock, checked every `tickMs` of wall time.
 *
 * A failure never throws: it is the status's lastError and the snapshot's problem (so a load planned
 * without prices says why), logged once per attempt with its code: EVN_ERR_TARIFF_FEED_UNREACHABLE
 * (refused, unknown host, no answer within `timeoutMs`), EVN_ERR_TARIFF_FEED_HTTP (a status other
 * than 2xx), EVN_ERR_TARIFF_FEED_MALFORMED (not JSON, not the format, more than `maxBytes`). A
 * malformed answer is dropped whole; the cache stays as it was.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../contracts/clock.js';
import { describeFees, withFees, type Fees } from '../schedule/fees.js';
import { marketModel, pricedUntil, sourceName, type FeedProblem, type TariffModel, type TariffSnapshot } from '../schedule/source.js';
import { makeTariff, tariffEndMs, type Tariff } from '../schedule/tariff.js';
import { formatLocal, instantOf, localParts, startOfLocalDay } from '../../contracts/local-time.js';
import { parseAwattar } from './awattar.js';
import type { PriceCache } from './cache.js';
import { pricedFrom, TARIFF_ERR, type TariffProvider, type TariffStatus } from './provider.js';

export interface HttpProviderOptions {
  /** the feed's URL; `start` and `end` (epoch ms) are added to its query */
  url: string;
  clock: Clock;
  log: Logger;
  /** opens the price cache (at start; closed at stop) */
  openCache: () => PriceCache;
  /** added to the wholesale prices (fees.ts); default none */
  fees?: Fees;
  fallback?: TariffModel | null;
  /** default 'Europe/Berlin' */
  timeZone?: string;
  /** 'HH:MM' local: the daily refresh; default '14:00' */
  refreshAt?: string;
  /** ms of wall time a request may take; default 10,000 */
  timeoutMs?: number;
  /** event-time backoff after a failed or incomplete refresh; default 60 s doubling up to 1 h */
  retry?: { firstMs?: number; maxMs?: number };
  /** cached prices kept this many days back; default 35 */
  keepDays?: number;
  /** largest answer read, bytes; default 2 MB */
  maxBytes?: number;
  /** ms of wall time between checks whether a refresh is due; default 1000 */
  tickMs?: number;
}

export interface HttpTariffProvider extends TariffProvider {
  /** refreshes now (or joins the refresh under way); never rejects */
  refresh(): Promise<void>;
  /** refreshes if one is due on the clock; what the timer calls */
  refreshIfDue(): Promise<void>;
}

class FeedError extends Error {
  constructor(
    readonly code: FeedProblem['code'],
    message: string,
  ) {
    super(message);
  }
}

const DAY_MS = 86_400_000;

/** The body of a GET, at most maxBytes, within timeoutMs; a FeedError otherwise. */
async function get(url: URL, timeoutMs: number, maxBytes: number): Promise<string> {
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' }, redirect: 'follow' });
  } catch (e) {
    throw new FeedError(TARIFF_ERR.UNREACHABLE, reasonOf(e, timeoutMs));
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new FeedError(TARIFF_ERR.HTTP, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new FeedError(TARIFF_ERR.MALFORMED, `an answer of ${declared} bytes, more than ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new FeedError(TARIFF_ERR.MALFORMED, `an answer of more than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof FeedError) throw e;
    throw new FeedError(TARIFF_ERR.UNREACHABLE, reasonOf(e, timeoutMs));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reasonOf(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return err.cause?.message ?? err.cause?.code ?? err.message;
}

export function createHttpProvider(o: HttpProviderOptions): HttpTariffProvider {
  const zone = o.timeZone ?? 'Europe/Berlin';
  const [rh, rm] = (o.refreshAt ?? '14:00').split(':').map(Number) as [number, number];
  const timeoutMs = o.timeoutMs ?? 10_000;
  const firstMs = o.retry?.firstMs ?? 60_000;
  const maxMs = o.retry?.maxMs ?? 3_600_000;
  const keepMs = (o.keepDays ?? 35) * DAY_MS;
  const maxBytes = o.maxBytes ?? 2_000_000;
  const source = o.url;
  const fees = describeFees(o.fees);
  const label = `day-ahead prices (${sourceName(o.url)})${fees ? ` + ${fees}` : ''}`;
  const { clock, log } = o;

  let cache: PriceCache | null = null;
  let prices: Tariff = makeTariff(source, 0, []);
  let snapshot: TariffSnapshot | null = null;
  let lastError: FeedProblem | null = null;
  let lastRefreshAt: number | null = null;
  let lastAttemptAt: number | null = null;
  let nextAt = Number.NEGATIVE_INFINITY;
  let failures = 0;
  let inflight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  /** the refresh time of the local day `days` after now's */
  const refreshOn = (now: number, days: number): number => instantOf({ ...localParts(startOfLocalDay(now, zone, days), zone), hour: rh, minute: rm }, zone);
  const nextDaily = (now: number): number => (refreshOn(now, 0) > now ? refreshOn(now, 0) : refreshOn(now, 1));
  const backoff = (): number => Math.min(maxMs, firstMs * 2 ** Math.min(30, failures++));

  function fail(now: number, code: FeedProblem['code'], message: string): void {
    lastError = { code, message, at: now };
    snapshot = null;
    nextAt = now + backoff();
    log.warn({ code, url: source, retryAt: new Date(nextAt).toISOString() }, `price feed: ${message}; the cache and the fallback serve until it answers`);
  }

  async function attempt(): Promise<void> {
    const now = clock.now();
    lastAttemptAt = now;
    const from = startOfLocalDay(now, zone);
    const to = startOfLocalDay(now, zone, 2);
    const url = new URL(source);
    url.searchParams.set('start', String(from));
    url.searchParams.set('end', String(to));
    let body: string;
    try {
      body = await get(url, timeoutMs, maxBytes);
    } catch (e) {
      const err = e instanceof FeedError ? e : new FeedError(TARIFF_ERR.UNREACHABLE, (e as Error).message);
      return fail(now, err.code, err.message);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (e) {
      return fail(now, TARIFF_ERR.MALFORMED, `not JSON (${(e as Error).message})`);
    }
    const fresh = parseAwattar(json, source);
    if ('reason' in fresh) return fail(now, TARIFF_ERR.MALFORMED, fresh.reason);
    if (!cache) return;
    if (fresh.eurPerMwh.length > 0) cache.store(source, fresh, fresh.startMs, tariffEndMs(fresh), now, now - keepMs);
    prices = cache.load(source);
    snapshot = null;
    lastError = null;
    lastRefreshAt = now;
    const expected = now >= refreshOn(now, 0) ? to : startOfLocalDay(now, zone, 1);
    const until = pricedUntil(prices);
    if (until !== null && until >= expected) {
      failures = 0;
      nextAt = nextDaily(now);
    } else {
      nextAt = Math.min(now + backoff(), nextDaily(now));
    }
    log.info(
      { url: source, slots: fresh.eurPerMwh.length, slotMinutes: fresh.slotMs / 60_000, pricedUntil: until === null ? null : new Date(until).toISOString(), next: new Date(nextAt).toISOString() },
      until !== null && until >= expected ? 'price feed refreshed' : `price feed refreshed; prices known until ${until === null ? 'nothing' : formatLocal(until, zone)} (${zone}), retried before the daily refresh`,
    );
  }

  function refresh(): Promise<void> {
    if (stopped || !cache) return Promise.resolve();
    inflight ??= attempt()
      .catch((e: unknown) => {
        // the cache's database failed: the prices in memory serve on, the next attempt tries again
        const own = (e as { code?: unknown }).code;
        const code = typeof own === 'string' && own.startsWith('EVN_ERR_') ? own : 'EVN_ERR_DB';
        const now = clock.now();
        lastError = { code, message: `the answer could not be cached: ${(e as Error).message}`, at: now };
        snapshot = null;
        nextAt = now + backoff();
        log.error({ code, url: source, err: e }, 'price feed: the answer could not be cached; the prices held before serve on');
      })
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }

  const refreshIfDue = (): Promise<void> => (clock.now() >= nextAt ? refresh() : (inflight ?? Promise.resolve()));

  return {
    refresh,
    refreshIfDue,
    async start() {
      cache = o.openCache();
      prices = cache.load(source);
      lastRefreshAt = cache.lastFetchedAt(source);
      await refresh();
      timer = setInterval(() => void refreshIfDue(), o.tickMs ?? 1000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await inflight;
      cache?.close();
      cache = null;
    },
    current() {
      snapshot ??= { primary: marketModel(o.fees ? withFees(prices, o.fees) : prices, label), fallback: o.fallback ?? null, timeZone: zone, problem: lastError };
      return snapshot;
    },
    status: (): TariffStatus => ({
      provider: 'http',
      label,
      fallback: o.fallback?.label ?? null,
      timeZone: zone,
      lastRefreshAt,
      lastAttemptAt,
      nextRefreshAt: Number.isFinite(nextAt) ? nextAt : null,
      lastError,
      pricedFrom: pricedFrom(prices),
      pricedUntil: pricedUntil(prices),
      slotMinutes: prices.eurPerMwh.length ? prices.slotMs / 60_000 : null,
    }),
  };
}
