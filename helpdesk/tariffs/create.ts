/**
 * A tariff provider from a configuration (config.ts). Nothing is read or fetched here: the provider
 * does that in start() (a price file is read, the HTTP cache opened and the feed asked once).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../contracts/clock.js';
import type { Fees } from '../schedule/fees.js';
import type { TariffModel } from '../schedule/source.js';
import { openPriceCache } from './cache.js';
import type { TariffConfig } from './config.js';
import { createFileProvider } from './file.js';
import { createHttpProvider, type HttpProviderOptions } from './http.js';
import { staticProvider, type TariffProvider } from './provider.js';
import { fixedModel, timeOfUseModel } from './time-of-use.js';

export interface TariffProviderDeps {
  clock: Clock;
  log: Logger;
  /** the helpdesk's database (the HTTP provider's cache); ':memory:' for none kept */
  db: string;
  /** check the database file at open (false when another store just has) */
  checkDb?: boolean;
  /** the bundled price file (stack/paths.ts) */
  bundledPath: string;
  /** the HTTP provider's timing (tests, drills); the configuration's refreshAt and timeoutMs win */
  http?: Pick<HttpProviderOptions, 'retry' | 'tickMs' | 'keepDays' | 'maxBytes' | 'timeoutMs'>;
}

function modelOf(p: { fixed: number } | { timeOfUse: Array<{ from: string; eurPerKwh: number; days?: 'all' | 'weekdays' | 'weekends' }> }, timeZone: string): TariffModel {
  return 'fixed' in p ? fixedModel(p.fixed) : timeOfUseModel(p.timeOfUse, timeZone);
}

export function createTariffProvider(config: TariffConfig, deps: TariffProviderDeps): TariffProvider {
  const { timeZone } = config;
  const fallback = config.fallback ? modelOf(config.fallback, timeZone) : null;
  const fees: Fees | undefined = config.fees;
  const p = config.prices;
  if ('bundled' in p) return createFileProvider({ provider: 'bundled', path: deps.bundledPath, clock: deps.clock, fees, fallback, timeZone });
  if ('file' in p) return createFileProvider({ provider: 'file', path: p.file, clock: deps.clock, fees, fallback, timeZone });
  if ('http' in p) {
    return createHttpProvider({
      ...deps.http,
      url: p.http,
      clock: deps.clock,
      log: deps.log,
      openCache: () => openPriceCache({ path: deps.db, check: deps.checkDb ?? true }),
      fees,
      fallback,
      timeZone,
      ...(p.refreshAt ? { refreshAt: p.refreshAt } : {}),
      ...(p.timeoutMs ? { timeoutMs: p.timeoutMs } : {}),
    });
  }
  return staticProvider({ provider: 'fixed' in p ? 'fixed' : 'time-of-use', primary: modelOf(p, timeZone), fallback, timeZone, readAt: null });
}
