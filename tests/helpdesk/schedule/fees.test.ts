import { describe, expect, it } from 'vitest';
import { describeFees, NO_FEES, retailEurPerMwh, withFees } from '../../../helpdesk/schedule/fees.js';
import { makeTariff } from '../../../helpdesk/schedule/tariff.js';

const fees = { gridFeeEurPerKwh: 0.09, leviesEurPerKwh: 0.03, vatPercent: 19 };

describe('fees on top of the wholesale price', () => {
  it('adds grid fee and levies per kWh, then VAT on the sum', () => {
    // 100 EUR/MWh = 0.10 EUR/kWh; + 0.12 = 0.22; × 1.19 = 0.2618 EUR/kWh
    expect(retailEurPerMwh(100, fees)).toBeCloseTo(261.8, 9);
    // a negative wholesale price lowers the bill but the fees stay
    expect(retailEurPerMwh(-50, fees)).toBeCloseTo((-50 + 120) * 1.19, 9);
    expect(retailEurPerMwh(Number.NaN, fees)).toBeNaN();
  });

  it('makes a retail tariff, and leaves a tariff without fees the same object', () => {
    const t = makeTariff('t', Date.UTC(2026, 0, 1), [100, Number.NaN, 0], null);
    const r = withFees(t, fees);
    expect([...r.eurPerMwh].map((p) => (Number.isNaN(p) ? 'gap' : Number(p.toFixed(6))))).toEqual([261.8, 'gap', 142.8]);
    expect(r.fees).toEqual(fees);
    expect(t.eurPerMwh[0]).toBe(100);
    expect(withFees(t, NO_FEES)).toBe(t);
    expect(() => withFees(r, fees)).toThrow(/EVN_ERR_TARIFF/);
  });

  it('describes fees for labels', () => {
    expect(describeFees(fees)).toBe('grid fee 0.0900 €/kWh, levies 0.0300 €/kWh, VAT 19 %');
    expect(describeFees(NO_FEES)).toBe('');
  });
});
