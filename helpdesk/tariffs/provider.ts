/**
 * A tariff provider: where the helpdesk's prices come from, started and stopped with the helpdesk. It
 * hands the planner a snapshot synchronously (current(): the prices known now, the fallback, the
 * zone, the feed's last problem) and says how it is doing (status()). The providers:
 *
 *   bundled, file   a price file read once at start (file.ts)
 *   http            day-ahead prices from a feed in aWATTar's format, cached in the helpdesk's
 *                   database and refreshed daily (http.ts, cache.ts)
 *   fixed, time-of-use   prices from configuration (time-of-use.ts)
 *
 * create.ts builds one from a TariffConfig (config.ts).
 */
import { codeTable } from '../../contracts/errors.js';
import { DEFAULT_TIME_ZONE, marketModel, pricedUntil } from '../schedule/source.js';
import type { FeedProblem, TariffModel, TariffSnapshot, TariffSource } from '../schedule/source.js';
import type { Tariff } from '../schedule/tariff.js';

export const TARIFF_ERR = codeTable({
  /** a price file that cannot be read or parsed */
  FILE: 'EVN_ERR_TARIFF',
  /** a tariff configuration that does not validate */
  CONFIG: 'EVN_ERR_TARIFF_CONFIG',
  /** the feed cannot be reached: refused, unknown host, no answer within the timeout */
  UNREACHABLE: 'EVN_ERR_TARIFF_FEED_UNREACHABLE',
  /** the feed answered with an HTTP error status */
  HTTP: 'EVN_ERR_TARIFF_FEED_HTTP',
  /** the feed's answer is not prices in the expected format */
  MALFORMED: 'EVN_ERR_TARIFF_FEED_MALFORMED',
});

export type ProviderKind = 'bundled' | 'file' | 'http' | 'fixed' | 'time-of-use';

export interface TariffStatus {
  provider: ProviderKind;
  /** what the prices are: 'day-ahead prices (api.awattar.de), grid fee 0.0900 €/kWh, VAT 19 %' */
  label: string;
  /** the fallback's label, or null */
  fallback: string | null;
  timeZone: string;
  /** event time of the last refresh that brought prices (null: never; a file: when it was read) */
  lastRefreshAt: number | null;
  lastAttemptAt: number | null;
  nextRefreshAt: number | null;
  /** the last refresh's failure, cleared by the next success */
  lastError: FeedProblem | null;
  /** the first and just after the last slot with a price (null for configured tariffs, which have no end) */
  pricedFrom: number | null;
  pricedUntil: number | null;
  /** the length of the price slots in minutes (15 or 60; null without prices) */
  slotMinutes: number | null;
}

export interface TariffProvider extends TariffSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): TariffStatus;
}

/** first slot with a price, or null */
export function pricedFrom(t: Tariff): number | null {
  for (let i = 0; i < t.eurPerMwh.length; i++) if (!Number.isNaN(t.eurPerMwh[i]!)) return t.startMs + i * t.slotMs;
  return null;
}

/** A provider whose prices never change: a file read at start, or a configured tariff. */
export function staticProvider(o: {
  provider: ProviderKind;
  primary: TariffModel;
  /** the prices behind a market model (for status) */
  prices?: Tariff;
  fallback: TariffModel | null;
  timeZone: string;
  readAt: number | null;
}): TariffProvider {
  const snapshot: TariffSnapshot = Object.freeze({ primary: o.primary, fallback: o.fallback, timeZone: o.timeZone, problem: null });
  return {
    start: async () => undefined,
    stop: async () => undefined,
    current: () => snapshot,
    status: () => ({
      provider: o.provider,
      label: o.primary.label,
      fallback: o.fallback?.label ?? null,
      timeZone: o.timeZone,
      lastRefreshAt: o.readAt,
      lastAttemptAt: o.readAt,
      nextRefreshAt: null,
      lastError: null,
      pricedFrom: o.prices ? pricedFrom(o.prices) : null,
      pricedUntil: o.prices ? pricedUntil(o.prices) : null,
      slotMinutes: o.prices ? o.prices.slotMs / 60_000 : null,
    }),
  };
}

/** A tariff given as it is (a replay's scenario tariff, a test's) as a provider. */
export function tariffProvider(t: Tariff): TariffProvider {
  return staticProvider({ provider: 'file', primary: marketModel(t), prices: t, fallback: null, timeZone: DEFAULT_TIME_ZONE, readAt: null });
}
