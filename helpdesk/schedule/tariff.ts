/**
 * Hourly tariff: day-ahead price (EUR/MWh) and grid load (MW) per UTC hour, parsed from the bundled
 * data/de-day-ahead-2020.csv (columns utc_start,local_start,eur_per_mwh,grid_load_mw; see data/SOURCES.md).
 * Pure: no I/O here (see tariff-file.ts), no exceptions from the parser (bad input gives a coded error).
 */

export const HOUR_MS = 3_600_000 as const;

export interface Tariff {
  /** where the data came from (a path or a label) */
  source: string;
  /** epoch ms of the start of the first hour (a whole UTC hour) */
  startMs: number;
  hourMs: typeof HOUR_MS;
  /** price of hour i = [startMs + i·hourMs, startMs + (i+1)·hourMs) */
  eurPerMwh: Float64Array;
  /** mean total grid load of hour i */
  gridLoadMw: Float64Array;
}

export interface TariffError {
  error: { code: 'EVN_ERR_TARIFF'; line: number; reason: string };
}

export const TARIFF_HEADER = 'utc_start,local_start,eur_per_mwh,grid_load_mw';

const UTC_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):00:00Z$/;
const LOCAL_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
const NUM_RE = /^-?\d+(\.\d+)?$/;

const fail = (line: number, reason: string): TariffError => ({ error: { code: 'EVN_ERR_TARIFF', line, reason } });

export function isTariffError(x: Tariff | TariffError): x is TariffError {
  return 'error' in x;
}

/**
 * Parses the tariff CSV. Rows must be consecutive UTC hours with no gaps or duplicates, and `local_start` must
 * name the same instant as `utc_start`. Line numbers in errors are 1-based file lines (the header is line 1).
 */
export function parseTariffCsv(text: string, source: string): Tariff | TariffError {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) return fail(1, 'empty file');
  if (lines[0]!.trim() !== TARIFF_HEADER) return fail(1, `header must be "${TARIFF_HEADER}"`);
  const n = lines.length - 1;
  if (n === 0) return fail(2, 'no data rows');

  const eurPerMwh = new Float64Array(n);
  const gridLoadMw = new Float64Array(n);
  let startMs = 0;
  for (let i = 0; i < n; i++) {
    const lineNo = i + 2;
    const fields = lines[i + 1]!.trim().split(',');
    if (fields.length !== 4) return fail(lineNo, `expected 4 fields, got ${fields.length}`);
    const [utc, local, price, load] = fields as [string, string, string, string];

    const m = UTC_RE.exec(utc);
    if (!m) return fail(lineNo, `utc_start "${utc}" is not a whole UTC hour like 2020-01-01T00:00:00Z`);
    const t = Date.parse(utc);
    if (!Number.isFinite(t) || new Date(t).toISOString().slice(0, 13) !== utc.slice(0, 13)) {
      return fail(lineNo, `utc_start "${utc}" is not a valid date`);
    }
    if (i === 0) startMs = t;
    else if (t !== startMs + i * HOUR_MS) {
      return fail(lineNo, `utc_start "${utc}" is not one hour after the previous row (gap, duplicate or disorder)`);
    }

    if (!LOCAL_RE.test(local)) return fail(lineNo, `local_start "${local}" is not ISO 8601 with an offset`);
    if (Date.parse(local) !== t) return fail(lineNo, `local_start "${local}" is not the same instant as ${utc}`);

    if (!NUM_RE.test(price)) return fail(lineNo, `eur_per_mwh "${price}" is not a number`);
    if (!NUM_RE.test(load) || load.startsWith('-')) return fail(lineNo, `grid_load_mw "${load}" is not a non-negative number`);
    eurPerMwh[i] = Number(price);
    gridLoadMw[i] = Number(load);
  }
  return { source, startMs, hourMs: HOUR_MS, eurPerMwh, gridLoadMw };
}

/** Epoch ms just after the last covered hour. */
export function tariffEndMs(tariff: Tariff): number {
  return tariff.startMs + tariff.eurPerMwh.length * tariff.hourMs;
}

/** True when every instant of [fromMs, toMs) lies in a covered hour (an empty interval must still lie inside). */
export function covers(tariff: Tariff, fromMs: number, toMs: number): boolean {
  return Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs <= toMs && fromMs >= tariff.startMs && toMs <= tariffEndMs(tariff);
}

/** Index of the hour containing tMs, or -1 outside coverage. */
export function hourIndex(tariff: Tariff, tMs: number): number {
  if (!Number.isFinite(tMs)) return -1;
  const i = Math.floor((tMs - tariff.startMs) / tariff.hourMs);
  return i >= 0 && i < tariff.eurPerMwh.length ? i : -1;
}

/** EUR/MWh of the hour containing tMs; NaN outside coverage (check with `covers`). */
export function priceAt(tariff: Tariff, tMs: number): number {
  const i = hourIndex(tariff, tMs);
  return i < 0 ? Number.NaN : tariff.eurPerMwh[i]!;
}

/** Grid load (MW) of the hour containing tMs; NaN outside coverage. */
export function gridLoadAt(tariff: Tariff, tMs: number): number {
  const i = hourIndex(tariff, tMs);
  return i < 0 ? Number.NaN : tariff.gridLoadMw[i]!;
}

/** Builds a tariff from arrays (synthetic tariffs in tests and simulations). startMs must be a whole hour. */
export function makeTariff(source: string, startMs: number, eurPerMwh: ArrayLike<number>, gridLoadMw: ArrayLike<number>): Tariff {
  if (startMs % HOUR_MS !== 0) throw new RangeError('EVN_ERR_TARIFF: startMs must be a whole UTC hour');
  if (eurPerMwh.length !== gridLoadMw.length) throw new RangeError('EVN_ERR_TARIFF: price and load lengths differ');
  return { source, startMs, hourMs: HOUR_MS, eurPerMwh: Float64Array.from(eurPerMwh), gridLoadMw: Float64Array.from(gridLoadMw) };
}
