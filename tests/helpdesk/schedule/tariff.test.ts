import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTariff } from '../../../helpdesk/schedule/tariff-file.js';
import {
  covers,
  gridLoadAt,
  isTariffError,
  knownRuns,
  makeTariff,
  parseTariffCsv,
  priceAt,
  slotIndex,
  TARIFF_HEADER,
  tariffEndMs,
  type Tariff,
} from '../../../helpdesk/schedule/tariff.js';

const CSV_PATH = fileURLToPath(new URL('../../../data/de-day-ahead-2020.csv', import.meta.url));
const H = 3_600_000;

const rows = (...lines: string[]): string => [TARIFF_HEADER, ...lines].join('\n') + '\n';
const GOOD = [
  '2019-12-31T23:00:00Z,2020-01-01T00:00:00+01:00,41.88,43494.00',
  '2020-01-01T00:00:00Z,2020-01-01T01:00:00+01:00,-38.60,42612.50',
  '2020-01-01T01:00:00Z,2020-01-01T02:00:00+01:00,36.55,41488.00',
];

function errorOf(text: string): { line: number; reason: string } {
  const r = parseTariffCsv(text, 'test');
  if (!isTariffError(r)) throw new Error('expected an error');
  expect(r.error.code).toBe('EVN_ERR_TARIFF');
  return r.error;
}

describe('parseTariffCsv', () => {
  it('parses a small file, including negative prices and CRLF', () => {
    const r = parseTariffCsv(rows(...GOOD).replace(/\n/g, '\r\n'), 'small') as Tariff;
    expect(isTariffError(r)).toBe(false);
    expect(r.source).toBe('small');
    expect(r.startMs).toBe(Date.UTC(2019, 11, 31, 23));
    expect(r.slotMs).toBe(H);
    expect([...r.eurPerMwh]).toEqual([41.88, -38.6, 36.55]);
    expect([...r.gridLoadMw!]).toEqual([43494, 42612.5, 41488]);
    expect(tariffEndMs(r)).toBe(r.startMs + 3 * H);
  });

  it('names the line of a bad row instead of throwing', () => {
    expect(errorOf('foo,bar\n').line).toBe(1);
    expect(errorOf('').line).toBe(1);
    expect(errorOf(rows()).line).toBe(2);
    expect(errorOf(rows(GOOD[0]!, GOOD[2]!))).toMatchObject({ line: 3, reason: expect.stringMatching(/gap/) });
    expect(errorOf(rows(GOOD[0]!, GOOD[0]!)).line).toBe(3);
    expect(errorOf(rows(GOOD[0]!, GOOD[1]!.replace('-38.60', 'n/a'))).reason).toMatch(/eur_per_mwh/);
    expect(errorOf(rows(GOOD[0]!, GOOD[1]!.replace('42612.50', '-1'))).reason).toMatch(/grid_load_mw/);
    expect(errorOf(rows(GOOD[0]!, GOOD[1]!.replace('01:00:00+01:00', '01:00:00+02:00'))).reason).toMatch(/same instant/);
    expect(errorOf(rows(GOOD[0]!, GOOD[1]! + ',x')).reason).toMatch(/4 fields/);
    expect(errorOf(rows('2020-01-01T00:30:00Z,2020-01-01T01:30:00+01:00,1,1')).line).toBe(2);
    expect(errorOf(rows('2020-02-30T00:00:00Z,2020-02-30T01:00:00+01:00,1,1')).reason).toMatch(/valid date/);
    expect(errorOf(rows(GOOD[0]!, '', GOOD[1]!)).line).toBe(3);
  });
});

describe('the bundled 2020 tariff', () => {
  const t = loadTariff(CSV_PATH);

  it('has 8784 hourly rows of local 2020 and the documented figures', () => {
    expect(t.eurPerMwh.length).toBe(8784);
    expect(t.startMs).toBe(Date.parse('2019-12-31T23:00:00Z'));
    expect(tariffEndMs(t)).toBe(Date.parse('2020-12-31T23:00:00Z'));
    const mean = t.eurPerMwh.reduce((a, b) => a + b, 0) / t.eurPerMwh.length;
    expect(mean.toFixed(2)).toBe('30.47');
    expect(Math.min(...t.eurPerMwh)).toBe(-83.94);
    expect(Math.max(...t.eurPerMwh)).toBe(200.04);
    expect(t.eurPerMwh.filter((p) => p < 0).length).toBe(298);
  });

  it('looks up the hour containing an instant, NaN outside', () => {
    const at = Date.parse('2020-11-03T02:00:00Z');
    expect(priceAt(t, at)).toBe(19.59);
    expect(priceAt(t, at + H - 1)).toBe(19.59);
    expect(priceAt(t, at + H)).toBe(23.92);
    expect(gridLoadAt(t, at + 1234)).toBe(47281.5);
    expect(priceAt(t, t.startMs - 1)).toBeNaN();
    expect(gridLoadAt(t, tariffEndMs(t))).toBeNaN();
    expect(priceAt(t, Number.NaN)).toBeNaN();
  });

  it('covers exactly its year', () => {
    expect(covers(t, t.startMs, tariffEndMs(t))).toBe(true);
    expect(covers(t, t.startMs - 1, t.startMs + H)).toBe(false);
    expect(covers(t, t.startMs, tariffEndMs(t) + 1)).toBe(false);
    expect(covers(t, t.startMs + 2 * H, t.startMs + H)).toBe(false);
  });

  it('loadTariff throws a coded error for a missing file', () => {
    expect(() => loadTariff(CSV_PATH + '.missing')).toThrow(/^EVN_ERR_TARIFF: cannot read/);
  });
});

describe('tariffs of quarter-hour slots, with gaps', () => {
  const Q = 900_000;
  const T0 = Date.UTC(2025, 9, 1, 22);
  const t = makeTariff('q', T0, [10, 11, Number.NaN, 13, 14, Number.NaN, Number.NaN, 17], null, Q);

  it('looks up the quarter-hour containing an instant; NaN in a gap and without grid load', () => {
    expect(t.slotMs).toBe(Q);
    expect(priceAt(t, T0 + Q - 1)).toBe(10);
    expect(priceAt(t, T0 + Q)).toBe(11);
    expect(priceAt(t, T0 + 2 * Q + 5)).toBeNaN();
    expect(gridLoadAt(t, T0)).toBeNaN();
    expect(slotIndex(t, T0 + 7 * Q)).toBe(7);
    expect(slotIndex(t, T0 + 8 * Q)).toBe(-1);
  });

  it('covers only where every slot has a price', () => {
    expect(covers(t, T0, T0 + 2 * Q)).toBe(true);
    expect(covers(t, T0, T0 + 2 * Q + 1)).toBe(false);
    expect(covers(t, T0 + 3 * Q, T0 + 5 * Q)).toBe(true);
    expect(covers(t, T0 + 3 * Q, T0 + 8 * Q)).toBe(false);
  });

  it('lists the runs with prices inside a window, clipped to it', () => {
    expect(knownRuns(t, T0 + 60_000, T0 + 8 * Q)).toEqual([
      { from: T0 + 60_000, to: T0 + 2 * Q },
      { from: T0 + 3 * Q, to: T0 + 5 * Q },
      { from: T0 + 7 * Q, to: T0 + 8 * Q },
    ]);
    expect(knownRuns(t, T0 - 10 * Q, T0 + Q)).toEqual([{ from: T0, to: T0 + Q }]);
    expect(knownRuns(t, T0 + 5 * Q, T0 + 7 * Q)).toEqual([]);
    expect(knownRuns(t, T0 + Q, T0 + Q)).toEqual([]);
  });

  it('refuses a slot length that does not divide an hour, and a start off the slot grid', () => {
    expect(() => makeTariff('x', T0, [1], null, 7 * 60_000)).toThrow(/EVN_ERR_TARIFF/);
    expect(() => makeTariff('x', T0 + 60_000, [1], null, Q)).toThrow(/whole slot/);
    expect(() => makeTariff('x', T0, [1, 2], [1], Q)).toThrow(/lengths differ/);
  });
});
