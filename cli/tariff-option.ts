/**
 * The tariff flags of `evernet helpdesk` (docs/tariffs.md): where prices come from, the fees on top and
 * the fallback, or all of it in a file. A bad flag is a usage error; a bad configuration file is
 * EVN_ERR_TARIFF_CONFIG naming the file and field.
 */
import { configFromFlags, loadTariffConfig, TariffConfigError, type TariffConfig } from '../helpdesk/tariffs/config.js';
import type { TariffStatus } from '../helpdesk/tariffs/provider.js';
import { formatLocal } from '../contracts/local-time.js';
import { UsageError } from './errors.js';

export const TARIFF_OPTIONS = {
  tariff: { type: 'string' },
  'tariff-config': { type: 'string' },
  'tariff-fallback': { type: 'string' },
  'tariff-refresh': { type: 'string' },
  'grid-fee': { type: 'string' },
  levies: { type: 'string' },
  vat: { type: 'string' },
} as const;


type Values = { [K in keyof typeof TARIFF_OPTIONS]?: string };

export function tariffFrom(values: Values): TariffConfig {
  const flags = (['tariff', 'tariff-fallback', 'tariff-refresh', 'grid-fee', 'levies', 'vat'] as const).filter((k) => values[k] !== undefined);
  if (values['tariff-config'] !== undefined) {
    if (flags.length) throw new UsageError(`--tariff-config holds the whole tariff: drop --${flags.join(', --')} or put them in the file`);
    return loadTariffConfig(values['tariff-config']);
  }
  try {
    return configFromFlags({
      tariff: values.tariff, fallback: values['tariff-fallback'], refreshAt: values['tariff-refresh'],
      gridFee: values['grid-fee'], levies: values.levies, vat: values.vat,
    });
  } catch (e) {
    if (e instanceof TariffConfigError) throw new UsageError(e.message.replace(/^EVN_ERR_TARIFF_CONFIG: (the tariff flags: )?/, ''));
    throw e;
  }
}

/** 'day-ahead prices (api.awattar.de), fallback fixed tariff 0.3500 €/kWh; prices 2026-11-30 00:00–2026-12-02 00:00 (Europe/Berlin)' */
export function describeTariff(s: TariffStatus): string {
  const at = (t: number): string => formatLocal(t, s.timeZone);
  const parts = [`${s.label}${s.fallback ? `, fallback ${s.fallback}` : ', no fallback'}`];
  if (s.pricedFrom !== null && s.pricedUntil !== null) parts.push(`prices ${at(s.pricedFrom)}–${at(s.pricedUntil)} (${s.timeZone})`);
  else if (s.provider === 'http' || s.provider === 'file' || s.provider === 'bundled') parts.push('no prices yet');
  if (s.lastError) parts.push(`the feed failed: ${s.lastError.code}: ${s.lastError.message}`);
  if (s.nextRefreshAt !== null) parts.push(`next refresh ${at(s.nextRefreshAt)}`);
  return parts.join('; ');
}
