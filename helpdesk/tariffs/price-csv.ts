/**
 * A price file in CSV, as a user exports it from a feed or a spreadsheet. The header names the columns
 * (any order, case ignored; the bundled data/de-day-ahead-2020.csv is one such file):
 *
 *   start      utc_start | start | start_timestamp   ISO 8601 with Z or an offset, or epoch ms
 *   end        utc_end | end | end_timestamp          optional: without it a slot lasts until the next
 *                                                     row's start (the shortest step between rows)
 *   price      eur_per_mwh | marketprice | eur_per_kwh | ct_per_kwh   exactly one
 *   grid load  grid_load_mw                           optional
 *   local_start                                       optional; if given, the same instant as start
 *
 * Commas or semicolons separate fields; with semicolons a decimal comma is read too (spreadsheets in
 * German). Blank lines and lines starting with # are skipped. Rows in time order; a gap between rows
 * is a gap in the prices (NaN), never filled in. Errors name the line. Pure.
 */
import type { Tariff } from '../schedule/tariff.js';
import { tariffOfSlots, type PriceSlot } from './slots.js';

const START = ['utc_start', 'start', 'start_timestamp'];
const END = ['utc_end', 'end', 'end_timestamp'];
const PRICES: Record<string, number> = { eur_per_mwh: 1, marketprice: 1, eur_per_kwh: 1000, ct_per_kwh: 10 };
const NUM_RE = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export interface CsvError {
  line: number;
  reason: string;
}

function instant(text: string): number {
  if (/^\d{10,16}$/.test(text)) return Number(text);
  if (!ISO_RE.test(text)) return Number.NaN;
  return Date.parse(text.replace(' ', 'T'));
}

/** Prices of a CSV price file (wholesale, as written), or the first line that is wrong and why. */
export function parsePriceCsv(text: string, source: string): Tariff | CsvError {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows = lines.map((l, i) => ({ no: i + 1, text: l.trim() })).filter((r) => r.text !== '' && !r.text.startsWith('#'));
  if (rows.length === 0) return { line: 1, reason: 'empty file' };
  const head = rows[0]!;
  const sep = head.text.includes(';') ? ';' : ',';
  const cols = head.text.split(sep).map((c) => c.trim().toLowerCase().replace(/^"|"$/g, ''));
  const find = (names: string[]): number => cols.findIndex((c) => names.includes(c));
  const iStart = find(START);
  const iEnd = find(END);
  const priceCols = cols.flatMap((c, i) => (c in PRICES ? [i] : []));
  const iLoad = cols.indexOf('grid_load_mw');
  const iLocal = cols.indexOf('local_start');
  if (iStart < 0) return { line: head.no, reason: `no start column (one of ${START.join(', ')}) in the header` };
  if (priceCols.length !== 1) return { line: head.no, reason: `the header needs exactly one price column (one of ${Object.keys(PRICES).join(', ')})` };
  const iPrice = priceCols[0]!;
  const factor = PRICES[cols[iPrice]!]!;
  const number = (s: string): number => {
    const t = sep === ';' ? s.replace(',', '.') : s;
    return NUM_RE.test(t) ? Number(t) : Number.NaN;
  };

  const parsed: Array<{ no: number; start: number; end: number | null; price: number; load?: number }> = [];
  for (const r of rows.slice(1)) {
    const f = r.text.split(sep).map((x) => x.trim().replace(/^"|"$/g, ''));
    if (f.length !== cols.length) return { line: r.no, reason: `expected ${cols.length} fields, got ${f.length}` };
    const start = instant(f[iStart]!);
    if (!Number.isFinite(start)) return { line: r.no, reason: `${cols[iStart]} "${f[iStart]}" is not a time (ISO 8601 with Z or an offset, or epoch ms)` };
    const end = iEnd < 0 ? null : instant(f[iEnd]!);
    if (end !== null && !(end > start)) return { line: r.no, reason: `${cols[iEnd]} "${f[iEnd]}" is not a time after the start` };
    if (iLocal >= 0 && instant(f[iLocal]!) !== start) return { line: r.no, reason: `local_start "${f[iLocal]}" is not the same instant as ${f[iStart]}` };
    const price = number(f[iPrice]!);
    if (!Number.isFinite(price)) return { line: r.no, reason: `${cols[iPrice]} "${f[iPrice]}" is not a number` };
    let load: number | undefined;
    if (iLoad >= 0 && f[iLoad] !== '') {
      load = number(f[iLoad]!);
      if (!(load >= 0)) return { line: r.no, reason: `grid_load_mw "${f[iLoad]}" is not a non-negative number` };
    }
    const prev = parsed[parsed.length - 1];
    if (prev && start <= prev.start) return { line: r.no, reason: `${cols[iStart]} "${f[iStart]}" is not after the previous row's (duplicate or disorder)` };
    parsed.push({ no: r.no, start, end, price: price * factor, load });
  }
  if (parsed.length === 0) return { line: head.no + 1, reason: 'no data rows' };

  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < parsed.length; i++) step = Math.min(step, parsed[i]!.start - parsed[i - 1]!.start);
  if (iEnd < 0 && !Number.isFinite(step)) return { line: parsed[0]!.no, reason: 'one row and no end column: the slot length is unknown' };
  const slots: PriceSlot[] = parsed.map((p) => ({ start: p.start, end: p.end ?? p.start + step, eurPerMwh: p.price, gridLoadMw: p.load, at: `line ${p.no}` }));
  const t = tariffOfSlots(source, slots);
  if ('reason' in t) return { line: Number(t.at.replace('line ', '')), reason: t.reason };
  return t;
}
