/**
 * Prices from a file, read once at start: the bundled data/de-day-ahead-2020.csv (replays, the
 * default), or any price file a user gives: CSV (price-csv.ts) or JSON in aWATTar's format
 * (awattar.ts), told apart by the extension (.json) or a first character of '{'. A file that cannot
 * be read or parsed is EVN_ERR_TARIFF with the file and line, at start, before the helpdesk takes a
 * message. Fees are added to the file's wholesale prices.
 */
import type { Clock } from '../../contracts/clock.js';
import { describeFees, withFees, type Fees } from '../schedule/fees.js';
import { marketModel, sourceName, type TariffModel } from '../schedule/source.js';
import { makeTariff, type Tariff } from '../schedule/tariff.js';
import { loadTariff, readTariffText, TariffLoadError } from '../schedule/tariff-file.js';
import { parseAwattar } from './awattar.js';
import { parsePriceCsv } from './price-csv.js';
import { staticProvider, type TariffProvider, type TariffStatus } from './provider.js';

/** Reads and parses a price file (CSV or aWATTar JSON); throws TariffLoadError (EVN_ERR_TARIFF). */
export function loadPriceFile(path: string): Tariff {
  const text = readTariffText(path);
  if (/\.json$/i.test(path) || /^\uFEFF?\s*[{[]/.test(text)) {
    let json: unknown;
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new TariffLoadError(`EVN_ERR_TARIFF: ${path}: not JSON (${(e as Error).message})`, null);
    }
    const t = parseAwattar(json, path);
    if ('reason' in t) throw new TariffLoadError(`EVN_ERR_TARIFF: ${path}: ${t.reason}`, null);
    if (t.eurPerMwh.length === 0) throw new TariffLoadError(`EVN_ERR_TARIFF: ${path}: no prices`, null);
    return t;
  }
  const t = parsePriceCsv(text, path);
  if ('reason' in t) throw new TariffLoadError(`EVN_ERR_TARIFF: ${path}:${t.line}: ${t.reason}`, t.line);
  return t;
}

export interface FileProviderOptions {
  /** 'bundled': the strict parser of the bundled format (the replays' own); 'file': any price file */
  provider: 'bundled' | 'file';
  path: string;
  clock: Clock;
  fees?: Fees;
  fallback?: TariffModel | null;
  timeZone?: string;
}

export function createFileProvider(o: FileProviderOptions): TariffProvider {
  const fees = describeFees(o.fees);
  const label = `day-ahead prices (${sourceName(o.path)})${fees ? ` + ${fees}` : ''}`;
  const of = (prices: Tariff, readAt: number | null): TariffProvider =>
    staticProvider({ provider: o.provider, primary: marketModel(prices, label), prices, fallback: o.fallback ?? null, timeZone: o.timeZone ?? 'Europe/Berlin', readAt });
  // before start: no prices (the fallback, if any, serves)
  let inner = of(makeTariff(o.path, 0, []), null);
  return {
    async start() {
      const wholesale = o.provider === 'bundled' ? loadTariff(o.path) : loadPriceFile(o.path);
      inner = of(o.fees ? withFees(wholesale, o.fees) : wholesale, o.clock.now());
    },
    stop: async () => undefined,
    current: () => inner.current(),
    status: (): TariffStatus => inner.status(),
  };
}
