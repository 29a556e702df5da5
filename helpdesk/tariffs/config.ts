/**
 * The tariff configuration: where prices come from, the fees on top, the fallback and the zone. A
 * YAML or JSON file (`evernet helpdesk --tariff-config FILE`) or the same built from flags:
 *
 *   prices:   { bundled: true } | { file: prices.csv } | { http: URL, refreshAt?: '14:00', timeoutMs? }
 *             | { fixed: 0.32 } | { timeOfUse: [{ from: '22:00', eurPerKwh: 0.25 }, ...] }
 *   fees:     { gridFeeEurPerKwh, leviesEurPerKwh, vatPercent }   (market prices only)
 *   fallback: { fixed: 0.35 } | { timeOfUse: [...] }
 *   timeZone: Europe/Berlin
 *
 * Prices in €/kWh are what the customer pays; market prices (bundled, file, http) are wholesale and
 * get the fees. Bad input is EVN_ERR_TARIFF_CONFIG naming the field. A `file` is relative to the
 * configuration file. Only this file's loader does I/O.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isZone } from '../../contracts/local-time.js';
import { checkBands } from './time-of-use.js';

const EurPerKwh = z.number().min(-10).max(10);
const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a local time 'HH:MM'");
const Band = z.strictObject({ from: z.string(), eurPerKwh: EurPerKwh, days: z.enum(['all', 'weekdays', 'weekends']).optional() });
const Bands = z
  .array(Band)
  .min(1)
  .max(200)
  .superRefine((bands, ctx) => {
    const problem = checkBands(bands);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const HttpUrl = z.string().refine((s) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'an http:// or https:// URL');

const Fixed = z.strictObject({ fixed: EurPerKwh });
const TimeOfUse = z.strictObject({ timeOfUse: Bands });
const Prices = z.union([
  z.strictObject({ bundled: z.literal(true) }),
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ http: HttpUrl, refreshAt: Hhmm.optional(), timeoutMs: z.number().int().min(100).max(120_000).optional() }),
  Fixed,
  TimeOfUse,
], { error: 'one of { bundled: true }, { file: PATH }, { http: URL }, { fixed: EUR_PER_KWH }, { timeOfUse: [BANDS] }' });

export const TariffConfig = z
  .strictObject({
    prices: Prices,
    fees: z
      .strictObject({
        gridFeeEurPerKwh: z.number().min(0).max(10).default(0),
        leviesEurPerKwh: z.number().min(-10).max(10).default(0),
        vatPercent: z.number().min(0).max(100).default(0),
      })
      .optional(),
    fallback: z.union([Fixed, TimeOfUse], { error: 'one of { fixed: EUR_PER_KWH }, { timeOfUse: [BANDS] }' }).optional(),
    timeZone: z.string().refine(isZone, 'an IANA time zone such as Europe/Berlin').default('Europe/Berlin'),
  })
  .superRefine((c, ctx) => {
    if (c.fees && ('fixed' in c.prices || 'timeOfUse' in c.prices)) {
      ctx.addIssue({ code: 'custom', path: ['fees'], message: 'fees apply to market prices (bundled, file, http); a fixed or time-of-use price is already what the customer pays' });
    }
  });
export type TariffConfig = z.infer<typeof TariffConfig>;
export type TariffConfigInput = z.input<typeof TariffConfig>;

export const DEFAULT_TARIFF_CONFIG: TariffConfig = { prices: { bundled: true }, timeZone: 'Europe/Berlin' };

export class TariffConfigError extends Error {
  readonly code = 'EVN_ERR_TARIFF_CONFIG' as const;
  constructor(message: string) {
    super(`EVN_ERR_TARIFF_CONFIG: ${message}`);
    this.name = 'TariffConfigError';
  }
}

/** A checked configuration, or a TariffConfigError naming `where` and the fields. */
export function parseTariffConfig(input: unknown, where: string): TariffConfig {
  const r = TariffConfig.safeParse(input);
  if (!r.success) throw new TariffConfigError(`${where}: ${r.error.issues.map((i) => `${i.path.join('.') || 'the configuration'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Reads a YAML or JSON configuration file; a relative `prices.file` is taken from the file's folder. */
export function loadTariffConfig(path: string): TariffConfig {
  let input: unknown;
  try {
    input = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TariffConfigError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const config = parseTariffConfig(input, path);
  if ('file' in config.prices && !isAbsolute(config.prices.file)) return { ...config, prices: { file: resolve(dirname(path), config.prices.file) } };
  return config;
}

export interface TariffFlags {
  /** 'bundled', 'fixed:EUR_PER_KWH', an http(s) URL, or a price file */
  tariff?: string;
  /** 'fixed:EUR_PER_KWH' */
  fallback?: string;
  gridFee?: string;
  levies?: string;
  vat?: string;
  refreshAt?: string;
  timeZone?: string;
}

/** The configuration the flags describe (unset flags: their defaults); TariffConfigError for bad values. */
export function configFromFlags(f: TariffFlags): TariffConfig {
  const num = (flag: string, v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new TariffConfigError(`${flag} must be a number, got '${v}'`);
    return n;
  };
  const fixed = (flag: string, v: string): { fixed: number } | null => (/^fixed:/i.test(v) ? { fixed: num(flag, v.slice(6)) } : null);
  const t = f.tariff ?? 'bundled';
  let prices: unknown;
  if (t === 'bundled') prices = { bundled: true };
  else if (/^https?:\/\//i.test(t)) prices = { http: t, ...(f.refreshAt ? { refreshAt: f.refreshAt } : {}) };
  else prices = fixed('--tariff', t) ?? { file: resolve(t) };
  if (f.refreshAt && !(prices as { http?: string }).http) throw new TariffConfigError('--tariff-refresh needs an http(s) --tariff');
  let fallback: unknown;
  if (f.fallback !== undefined) {
    fallback = fixed('--tariff-fallback', f.fallback);
    if (!fallback) throw new TariffConfigError(`--tariff-fallback must be fixed:EUR_PER_KWH (e.g. fixed:0.35), got '${f.fallback}'; a time-of-use fallback needs --tariff-config`);
  }
  const anyFee = f.gridFee !== undefined || f.levies !== undefined || f.vat !== undefined;
  const fees = anyFee
    ? {
        ...(f.gridFee !== undefined ? { gridFeeEurPerKwh: num('--grid-fee', f.gridFee) } : {}),
        ...(f.levies !== undefined ? { leviesEurPerKwh: num('--levies', f.levies) } : {}),
        ...(f.vat !== undefined ? { vatPercent: num('--vat', f.vat) } : {}),
      }
    : undefined;
  return parseTariffConfig({ prices, ...(fees ? { fees } : {}), ...(fallback ? { fallback } : {}), ...(f.timeZone ? { timeZone: f.timeZone } : {}) }, 'the tariff flags');
}
