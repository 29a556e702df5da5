/**
 * A tariff: the price the customer pays (EUR/MWh) per slot of 15 or 60 minutes (any whole number of
 * minutes that divides an hour), and where the source has it, the mean grid load (MW) per slot. A
 * slot without a price is NaN: a gap in a feed, or the hours after the last published day. The
 * bundled data/de-day-ahead-2020.csv (columns utc_start,local_start,eur_per_mwh,grid_load_mw; see
 * data/SOURCES.md) is parsed here; other price files and feeds in helpdesk/tariffs/.
 * Pure: no I/O here (see tariff-file.ts), no exceptions from the parser (bad input gives a coded error).
 */
import type { Fees } from './fees.js';

export const HOUR_MS = 3_600_000 as const;
export const QUARTER_HOUR_MS = 900_000 as const;

export interface Tariff {
  /** where the data came from (a path, a URL or a label) */
  source: string;
  /** epoch ms of the start of the first slot (a whole multiple of slotMs since the epoch) */
  startMs: number;
  /** length of every slot: 900_000 (15 min) or 3_600_000 (60 min), or another whole-minute divisor of an hour */
  slotMs: number;
  /** price of slot i = [startMs + i·slotMs, startMs + (i+1)·slotMs); NaN: no price known */
  eurPerMwh: Float64Array;
  /** mean total grid load of slot i (NaN: unknown); null when the source has no grid load at all */
  gridLoadMw: Float64Array | null;
  /** the fees and taxes already added to eurPerMwh (see fees.ts); absent: prices as the source gave them */
  fees?: Fees;
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

/** A slot length evernet accepts: a whole number of minutes that divides an hour. */
export const isSlotMs = (ms: number): boolean => Number.isInteger(ms) && ms >= 60_000 && ms % 60_000 === 0 && HOUR_MS % ms === 0;

/**
 * Parses the bundled tariff CSV. Rows must be consecutive UTC hours with no gaps or duplicates, and `local_start` must
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
  return { source, startMs, slotMs: HOUR_MS, eurPerMwh, gridLoadMw };
}

/** Epoch ms just after the last slot. */
export function tariffEndMs(tariff: Tariff): number {
  return tariff.startMs + tariff.eurPerMwh.length * tariff.slotMs;
}

/** Index of the slot containing tMs, or -1 outside the tariff's range. */
export function slotIndex(tariff: Tariff, tMs: number): number {
  if (!Number.isFinite(tMs)) return -1;
  const i = Math.floor((tMs - tariff.startMs) / tariff.slotMs);
  return i >= 0 && i < tariff.eurPerMwh.length ? i : -1;
}

/**
 * True when every instant of [fromMs, toMs) lies in a slot with a price (an empty interval must still lie
 * inside the tariff's range).
 */
export function covers(tariff: Tariff, fromMs: number, toMs: number): boolean {
  if (!(Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs <= toMs && fromMs >= tariff.startMs && toMs <= tariffEndMs(tariff))) return false;
  const i0 = Math.floor((fromMs - tariff.startMs) / tariff.slotMs);
  const i1 = Math.ceil((toMs - tariff.startMs) / tariff.slotMs);
  for (let i = i0; i < i1; i++) if (Number.isNaN(tariff.eurPerMwh[i]!)) return false;
  return true;
}

/** EUR/MWh of the slot containing tMs; NaN outside the range or where no price is known. */
export function priceAt(tariff: Tariff, tMs: number): number {
  const i = slotIndex(tariff, tMs);
  return i < 0 ? Number.NaN : tariff.eurPerMwh[i]!;
}

/** Grid load (MW) of the slot containing tMs; NaN outside the range, where unknown, or for a tariff without grid load. */
export function gridLoadAt(tariff: Tariff, tMs: number): number {
  const i = slotIndex(tariff, tMs);
  return i < 0 || !tariff.gridLoadMw ? Number.NaN : tariff.gridLoadMw[i]!;
}

/** The maximal runs [from, to) of slots with a price that overlap [fromMs, toMs), clipped to it, in time order. */
export function knownRuns(tariff: Tariff, fromMs: number, toMs: number): Array<{ from: number; to: number }> {
  const runs: Array<{ from: number; to: number }> = [];
  if (!(fromMs < toMs)) return runs;
  const i0 = Math.max(0, Math.floor((fromMs - tariff.startMs) / tariff.slotMs));
  const i1 = Math.min(tariff.eurPerMwh.length, Math.ceil((toMs - tariff.startMs) / tariff.slotMs));
  let open: number | null = null;
  for (let i = i0; i <= i1; i++) {
    const known = i < i1 && !Number.isNaN(tariff.eurPerMwh[i]!);
    const t = tariff.startMs + i * tariff.slotMs;
    if (known && open === null) open = Math.max(fromMs, t);
    else if (!known && open !== null) {
      runs.push({ from: open, to: Math.min(toMs, t) });
      open = null;
    }
  }
  return runs;
}

/**
 * Builds a tariff from arrays (synthetic tariffs in tests, fixed prices, feeds). startMs must be a whole slot since
 * the epoch; gridLoadMw null (or omitted) for a source without grid load.
 */
export function makeTariff(
  source: string,
  startMs: number,
  eurPerMwh: ArrayLike<number>,
  gridLoadMw: ArrayLike<number> | null = null,
  slotMs: number = HOUR_MS,
): Tariff {
  if (!isSlotMs(slotMs)) throw new RangeError(`EVN_ERR_TARIFF: a slot of ${slotMs} ms is not a whole number of minutes dividing an hour`);
  if (startMs % slotMs !== 0) throw new RangeError('EVN_ERR_TARIFF: startMs must be a whole slot since the epoch');
  if (gridLoadMw && eurPerMwh.length !== gridLoadMw.length) throw new RangeError('EVN_ERR_TARIFF: price and load lengths differ');
  return { source, startMs, slotMs, eurPerMwh: Float64Array.from(eurPerMwh), gridLoadMw: gridLoadMw ? Float64Array.from(gridLoadMw) : null };
}
