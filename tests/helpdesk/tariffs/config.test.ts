/**
 * Tariffs from configuration: fixed and time-of-use prices in local time (daylight saving, weekends),
 * the configuration file and flags with their coded errors, and the provider each one makes.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { configFromFlags, loadTariffConfig, parseTariffConfig } from '../../../helpdesk/tariffs/config.js';
import { createTariffProvider } from '../../../helpdesk/tariffs/create.js';
import { fixedModel, timeOfUseModel } from '../../../helpdesk/tariffs/time-of-use.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { awattarBody } from '../../helpers/price-server.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const H = 3_600_000;
const Q = 900_000;
const at = (local: string, offset = '+01:00'): number => Date.parse(`${local}${offset}`);
const BUNDLED = new URL('../../../data/de-day-ahead-2020.csv', import.meta.url).pathname;

describe('fixed and time-of-use tariffs', () => {
  it('prices any window at the fixed price, in hourly slots', () => {
    const t = fixedModel(0.32).slice(at('2026-11-30T20:10:00'), at('2026-12-08T20:10:00'));
    expect(t.slotMs).toBe(H);
    expect(t.eurPerMwh.length).toBe(8 * 24 + 1);
    expect(new Set(t.eurPerMwh)).toEqual(new Set([320]));
    expect(fixedModel(0.32).label).toBe('fixed tariff 0.3200 €/kWh');
  });

  it('follows the bands in local time, round midnight, across the change to summer time', () => {
    const m = timeOfUseModel([{ from: '22:00', eurPerKwh: 0.25 }, { from: '06:00', eurPerKwh: 0.35 }, { from: '12:00', eurPerKwh: 0.3 }], 'Europe/Berlin');
    // Saturday 28 March 2026 21:00 CET to Sunday 29 March 08:00 CEST (one hour shorter)
    const from = at('2026-03-28T21:00:00');
    const t = m.slice(from, at('2026-03-29T08:00:00', '+02:00'));
    expect(t.slotMs).toBe(Q);
    expect(t.eurPerMwh.length).toBe(10 * 4);
    const price = (iso: string): number => t.eurPerMwh[(Date.parse(iso) - from) / Q]!;
    expect(price('2026-03-28T21:45:00+01:00')).toBe(300);
    expect(price('2026-03-28T22:00:00+01:00')).toBe(250);
    expect(price('2026-03-29T03:00:00+02:00')).toBe(250);
    expect(price('2026-03-29T05:45:00+02:00')).toBe(250);
    expect(price('2026-03-29T06:00:00+02:00')).toBe(350);
    expect(m.label).toBe('time-of-use tariff 0.2500 €/kWh from 22:00, 0.3500 €/kWh from 06:00, 0.3000 €/kWh from 12:00 (Europe/Berlin)');
  });

  it('prices weekends apart from weekdays', () => {
    const m = timeOfUseModel([{ from: '00:00', eurPerKwh: 0.3 }, { from: '00:00', eurPerKwh: 0.2, days: 'weekends' }, { from: '08:00', eurPerKwh: 0.4, days: 'weekdays' }], 'Europe/Berlin');
    const price = (local: string): number => m.slice(at(local), at(local) + Q).eurPerMwh[0]!;
    expect(price('2026-11-27T09:00:00')).toBe(400); // Friday
    expect(price('2026-11-27T07:00:00')).toBe(300);
    expect(price('2026-11-28T09:00:00')).toBe(200); // Saturday
  });

  it('refuses bands it cannot use', () => {
    expect(() => timeOfUseModel([{ from: '22:10', eurPerKwh: 0.25 }], 'UTC')).toThrow(/EVN_ERR_TARIFF_CONFIG: .*'22:10' is not a quarter-hour/);
    expect(() => timeOfUseModel([{ from: '22:00', eurPerKwh: 0.25, days: 'weekdays' }], 'UTC')).toThrow(/no band covers weekends/);
    expect(() => timeOfUseModel([{ from: '22:00', eurPerKwh: 0.25 }, { from: '22:00', eurPerKwh: 0.2 }], 'UTC')).toThrow(/two bands start at 22:00 on every day/);
  });
});

describe('the tariff configuration', () => {
  const dir = tempDirPerTest('evernet-tariff-config-');

  it('reads a YAML file: feed, fees, a time-of-use fallback, the zone; a price file relative to it', () => {
    const path = dir.join('tariff.yaml');
    writeFileSync(
      path,
      [
        'prices:',
        '  http: https://api.awattar.de/v1/marketdata',
        '  refreshAt: "14:30"',
        'fees: { gridFeeEurPerKwh: 0.09, leviesEurPerKwh: 0.03, vatPercent: 19 }',
        'fallback:',
        '  timeOfUse:',
        '    - { from: "22:00", eurPerKwh: 0.25 }',
        '    - { from: "06:00", eurPerKwh: 0.35 }',
        'timeZone: Europe/Vienna',
      ].join('\n'),
    );
    expect(loadTariffConfig(path)).toEqual({
      prices: { http: 'https://api.awattar.de/v1/marketdata', refreshAt: '14:30' },
      fees: { gridFeeEurPerKwh: 0.09, leviesEurPerKwh: 0.03, vatPercent: 19 },
      fallback: { timeOfUse: [{ from: '22:00', eurPerKwh: 0.25 }, { from: '06:00', eurPerKwh: 0.35 }] },
      timeZone: 'Europe/Vienna',
    });
    writeFileSync(path, 'prices: { file: prices/day.csv }\n');
    expect(loadTariffConfig(path).prices).toEqual({ file: dir.join('prices', 'day.csv') });
  });

  it('names the field of a bad configuration with EVN_ERR_TARIFF_CONFIG', () => {
    const bad = (input: unknown): string => {
      try {
        parseTariffConfig(input, 'tariff.yaml');
      } catch (e) {
        expect((e as { code: string }).code).toBe('EVN_ERR_TARIFF_CONFIG');
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(bad({})).toMatch(/^EVN_ERR_TARIFF_CONFIG: tariff\.yaml: .*prices/);
    expect(bad({ prices: { http: 'ftp://x' } })).toMatch(/prices/);
    expect(bad({ prices: { fixed: 0.3 }, fees: { vatPercent: 19 } })).toMatch(/fees apply to market prices/);
    expect(bad({ prices: { bundled: true }, timeZone: 'Mars/Olympus' })).toMatch(/timeZone.*IANA/);
    expect(bad({ prices: { bundled: true }, fallback: { timeOfUse: [{ from: '7:00', eurPerKwh: 0.3 }] } })).toMatch(/fallback/);
    expect(bad({ prices: { bundled: true }, extra: 1 })).toMatch(/extra/);
    expect(() => loadTariffConfig(dir.join('missing.yaml'))).toThrow(/^EVN_ERR_TARIFF_CONFIG: cannot read/);
  });

  it('builds the same from flags, and refuses flags that make no sense', () => {
    expect(configFromFlags({})).toEqual({ prices: { bundled: true }, timeZone: 'Europe/Berlin' });
    expect(configFromFlags({ tariff: 'http://127.0.0.1:8999/v1/marketdata', fallback: 'fixed:0.35', gridFee: '0.09', vat: '19', refreshAt: '13:30' })).toEqual({
      prices: { http: 'http://127.0.0.1:8999/v1/marketdata', refreshAt: '13:30' },
      fees: { gridFeeEurPerKwh: 0.09, leviesEurPerKwh: 0, vatPercent: 19 },
      fallback: { fixed: 0.35 },
      timeZone: 'Europe/Berlin',
    });
    expect(configFromFlags({ tariff: 'fixed:0.3' }).prices).toEqual({ fixed: 0.3 });
    expect(configFromFlags({ tariff: 'prices.csv' }).prices).toEqual({ file: `${process.cwd()}/prices.csv` });
    expect(() => configFromFlags({ vat: 'lots' })).toThrow(/^EVN_ERR_TARIFF_CONFIG: --vat must be a number, got 'lots'$/);
    expect(() => configFromFlags({ fallback: 'cheap' })).toThrow(/--tariff-fallback must be fixed:EUR_PER_KWH/);
    expect(() => configFromFlags({ refreshAt: '14:00' })).toThrow(/--tariff-refresh needs an http/);
    expect(() => configFromFlags({ tariff: 'fixed:0.3', gridFee: '0.1' })).toThrow(/fees apply to market prices/);
  });

  it('makes the provider the configuration asks for', async () => {
    const deps = { clock: new VirtualClock(at('2026-11-30T12:00:00')), log: memoryLog().log, db: ':memory:', bundledPath: BUNDLED };
    const bundled = createTariffProvider(configFromFlags({ fallback: 'fixed:0.3' }), deps);
    await bundled.start();
    expect(bundled.status()).toMatchObject({ provider: 'bundled', label: 'day-ahead prices (de-day-ahead-2020.csv)', fallback: 'fixed tariff 0.3000 €/kWh', slotMinutes: 60 });
    const fixed = createTariffProvider(configFromFlags({ tariff: 'fixed:0.3' }), deps);
    expect(fixed.status()).toMatchObject({ provider: 'fixed', label: 'fixed tariff 0.3000 €/kWh', pricedUntil: null });
    const path = dir.join('p.json');
    writeFileSync(path, awattarBody(at('2026-11-30T00:00:00'), Q, [1, 2, 3, 4]));
    const file = createTariffProvider(configFromFlags({ tariff: path }), deps);
    await file.start();
    expect(file.status()).toMatchObject({ provider: 'file', slotMinutes: 15 });
  });
});
