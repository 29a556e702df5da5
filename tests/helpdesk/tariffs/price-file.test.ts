/**
 * Price files a user gives: CSV in the columns people export (the bundled format among them, quarter-
 * hours, semicolons with decimal commas, gaps), aWATTar JSON; every bad one a coded error naming the
 * line or the entry, and the file provider on top of them.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { loadTariff } from '../../../helpdesk/schedule/tariff-file.js';
import { priceAt, tariffEndMs, type Tariff } from '../../../helpdesk/schedule/tariff.js';
import { parseAwattar } from '../../../helpdesk/tariffs/awattar.js';
import { createFileProvider, loadPriceFile } from '../../../helpdesk/tariffs/file.js';
import { parsePriceCsv } from '../../../helpdesk/tariffs/price-csv.js';
import { MAX_TARIFF_SLOTS } from '../../../helpdesk/tariffs/slots.js';
import { awattarBody } from '../../helpers/price-server.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const BUNDLED = fileURLToPath(new URL('../../../data/de-day-ahead-2020.csv', import.meta.url));
const H = 3_600_000;
const Q = 900_000;
const T0 = Date.parse('2026-11-29T23:00:00Z');
const nan = (xs: Float64Array): Array<number | null> => [...xs].map((x) => (Number.isNaN(x) ? null : x));

function csv(text: string): Tariff {
  const t = parsePriceCsv(text, 'test.csv');
  if ('reason' in t) throw new Error(`line ${t.line}: ${t.reason}`);
  return t;
}
function csvError(text: string): { line: number; reason: string } {
  const t = parsePriceCsv(text, 'test.csv');
  if (!('reason' in t)) throw new Error('expected an error');
  return t;
}

describe('CSV price files', () => {
  it('reads the bundled file to the same prices and grid load as the replay parser', () => {
    const strict = loadTariff(BUNDLED);
    const flexible = loadPriceFile(BUNDLED);
    expect(flexible.startMs).toBe(strict.startMs);
    expect(flexible.slotMs).toBe(H);
    expect(flexible.eurPerMwh).toEqual(strict.eurPerMwh);
    expect(flexible.gridLoadMw).toEqual(strict.gridLoadMw);
  });

  it('reads quarter-hours with start only, in ct/kWh, and keeps a missing row as a gap', () => {
    const t = csv(['start,ct_per_kwh', '2026-11-30T00:00:00+01:00,8.2', '2026-11-30T00:15:00+01:00,7.9', '2026-11-30T00:45:00+01:00,-0.5', '# a comment', ''].join('\n'));
    expect(t.slotMs).toBe(Q);
    expect(t.startMs).toBe(T0);
    expect(nan(t.eurPerMwh)).toEqual([82, 79, null, -5]);
    expect(t.gridLoadMw).toBeNull();
  });

  it('reads a spreadsheet export: semicolons, decimal commas, an end column, epoch ms and EUR/kWh', () => {
    const t = csv(['Start;End;EUR_per_kWh', `${T0};${T0 + H};0,1234`, `${T0 + H};${T0 + 2 * H};0,0987`].join('\r\n'));
    expect(t.slotMs).toBe(H);
    expect([...t.eurPerMwh].map((p) => Number(p.toFixed(6)))).toEqual([123.4, 98.7]);
    expect(tariffEndMs(t)).toBe(T0 + 2 * H);
  });

  it('names the line of a bad row', () => {
    expect(csvError('')).toMatchObject({ line: 1, reason: 'empty file' });
    expect(csvError('when,price\n')).toMatchObject({ line: 1, reason: expect.stringMatching(/no start column/) });
    expect(csvError('start,eur_per_mwh,ct_per_kwh\n')).toMatchObject({ line: 1, reason: expect.stringMatching(/exactly one price column/) });
    expect(csvError('start,eur_per_mwh\n')).toMatchObject({ line: 2, reason: 'no data rows' });
    expect(csvError('start,eur_per_mwh\n2026-11-30T00:00:00+01:00,12\n')).toMatchObject({ reason: expect.stringMatching(/slot length is unknown/) });
    expect(csvError('start,eur_per_mwh\n2026-11-30T00:00:00+01:00,12\n2026-11-30 01:00,13\n')).toMatchObject({ line: 3, reason: expect.stringMatching(/not a time/) });
    expect(csvError('start,eur_per_mwh\n2026-11-30T00:00:00+01:00,12\n2026-11-30T01:00:00+01:00,n/a\n')).toMatchObject({ line: 3, reason: expect.stringMatching(/not a number/) });
    expect(csvError('start,eur_per_mwh\n2026-11-30T01:00:00+01:00,12\n2026-11-30T00:00:00+01:00,13\n')).toMatchObject({ line: 3, reason: expect.stringMatching(/disorder/) });
    expect(csvError('start,eur_per_mwh\n2026-11-30T00:00:00+01:00,12\n2026-11-30T00:07:00+01:00,13\n2026-11-30T00:14:00+01:00,13\n')).toMatchObject({ line: 2, reason: expect.stringMatching(/7\.00 minutes/) });
    expect(csvError('start,end,eur_per_mwh\n2026-11-30T00:00:00+01:00,2026-11-30T00:00:00+01:00,12\n')).toMatchObject({ line: 2, reason: expect.stringMatching(/after the start/) });
    expect(csvError('start,eur_per_mwh\n2026-11-30T00:00:00+01:00,12,3\n')).toMatchObject({ line: 2, reason: 'expected 2 fields, got 3' });
    expect(csvError('utc_start,local_start,eur_per_mwh\n2026-11-29T23:00:00Z,2026-11-30T00:00:00+02:00,1\n2026-11-30T00:00:00Z,2026-11-30T01:00:00+01:00,1\n').reason).toMatch(/same instant/);
  });
});

describe('aWATTar JSON', () => {
  it('reads hourly, quarter-hourly and mixed slots (the day the market moved to quarter-hours)', () => {
    const mixed = JSON.parse(awattarBody(T0, H, [40, 50])) as { data: unknown[] };
    mixed.data.push(...(JSON.parse(awattarBody(T0 + 2 * H, Q, [1, 2, 3, 4])) as { data: unknown[] }).data);
    const t = parseAwattar(mixed, 'feed') as Tariff;
    expect(t.slotMs).toBe(Q);
    expect([...t.eurPerMwh]).toEqual([40, 40, 40, 40, 50, 50, 50, 50, 1, 2, 3, 4]);
    expect(priceAt(t, T0 + 2 * H + Q)).toBe(2);
  });

  it('converts EUR/kWh, accepts an empty list, and refuses what it cannot read', () => {
    const kwh = { data: [{ start_timestamp: T0, end_timestamp: T0 + H, marketprice: 0.1, unit: 'EUR/kWh' }] };
    expect([...(parseAwattar(kwh, 'f') as Tariff).eurPerMwh]).toEqual([100]);
    expect((parseAwattar({ object: 'list', data: [] }, 'f') as Tariff).eurPerMwh.length).toBe(0);
    const reason = (body: unknown): string => (parseAwattar(body, 'f') as { reason: string }).reason;
    expect(reason([])).toMatch(/^not aWATTar marketdata/);
    expect(reason({ data: [{ ...kwh.data[0], unit: 'ct/kWh' }] })).toMatch(/data\[0\]\.unit: 'ct\/kWh'/);
    expect(reason({ data: [{ ...kwh.data[0], end_timestamp: T0 + 7 * 60_000 }] })).toMatch(/data\[0\]: a slot of 7\.00 minutes/);
    expect(reason({ data: [{ ...kwh.data[0], start_timestamp: T0 + 60_000, end_timestamp: T0 + 60_000 + Q }] })).toMatch(/does not start on its own 15-minute grid/);
    const far = T0 + 1200 * 86_400_000;
    expect(reason({ data: [{ ...kwh.data[0], end_timestamp: T0 + Q }, { ...kwh.data[0], start_timestamp: far, end_timestamp: far + Q }] })).toMatch(
      new RegExp(`at most ${MAX_TARIFF_SLOTS} slots`),
    );
    // a duplicate with the same price is harmless
    expect((parseAwattar({ data: [kwh.data[0], kwh.data[0]] }, 'f') as Tariff).eurPerMwh.length).toBe(1);
  });
});

describe('the file provider', () => {
  const dir = tempDirPerTest('evernet-price-file-');

  it('reads a JSON price file at start, adds the fees, and names the file (not its folders) in its label', async () => {
    const path = dir.join('prices.json');
    writeFileSync(path, awattarBody(T0, H, [100, 50]));
    const p = createFileProvider({ provider: 'file', path, clock: new VirtualClock(T0), fees: { gridFeeEurPerKwh: 0.1, leviesEurPerKwh: 0, vatPercent: 0 } });
    expect(p.current().primary.slice(T0, T0 + H).eurPerMwh[0]).toBeNaN(); // not started: no prices yet
    await p.start();
    expect(nan(p.current().primary.slice(T0, T0 + 2 * H).eurPerMwh)).toEqual([200, 150]);
    expect(p.status()).toMatchObject({ provider: 'file', label: 'day-ahead prices (prices.json) + grid fee 0.1000 €/kWh', pricedFrom: T0, pricedUntil: T0 + 2 * H, lastRefreshAt: T0 });
  });

  it('refuses a bad file at start with EVN_ERR_TARIFF, the file and the line', async () => {
    const path = dir.join('prices.csv');
    writeFileSync(path, 'start,eur_per_mwh\n2026-11-30T00:00:00+01:00,1\n2026-11-30T01:00:00+01:00,x\n');
    await expect(createFileProvider({ provider: 'file', path, clock: new VirtualClock(T0) }).start()).rejects.toThrow(/^EVN_ERR_TARIFF: .*prices\.csv:3: eur_per_mwh "x" is not a number$/);
    await expect(createFileProvider({ provider: 'file', path: dir.join('none.csv'), clock: new VirtualClock(T0) }).start()).rejects.toThrow(/^EVN_ERR_TARIFF: cannot read/);
    writeFileSync(dir.join('bad.json'), '{"data": [');
    await expect(createFileProvider({ provider: 'file', path: dir.join('bad.json'), clock: new VirtualClock(T0) }).start()).rejects.toThrow(/^EVN_ERR_TARIFF: .*bad\.json: not JSON/);
  });
});
