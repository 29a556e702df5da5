/**
 * The report keys faults and loads by customer and device (two customers' cars are told apart), and
 * says what a plan saved in € always and in % only where a share means something.
 */
import { describe, expect, it } from 'vitest';
import { savings } from '../../scenarios/report.js';
import { twoCustomersReport } from './report-fixture.js';

describe('the replay report', () => {
  it('keys faults and loads by customer and device', () => {
    const r = twoCustomersReport();
    expect(r.faults.map((f) => [f.customerId, f.deviceId])).toEqual([['anna', 'car'], ['ben', 'car']]);
    expect(r.loads.map((l) => [l.customerId, l.deviceId])).toEqual([['anna', 'washer'], ['ben', 'washer']]);
  });

  it('gives the saving in € and % on positive prices', () => {
    const [anna] = twoCustomersReport().loads;
    expect(anna).toMatchObject({ savedEur: 0.0078, savedPct: 39.8 });
  });

  it('gives no % where prices are negative or zero, only €', () => {
    const ben = twoCustomersReport().loads[1]!;
    expect(ben).toMatchObject({ savedEur: 0.0414, savedPct: null });
    // starting at once costs money but the plan earns some: a share over 100 % means nothing either
    expect(savings(-0.01, 0.02)).toEqual({ savedEur: 0.03, savedPct: null });
    expect(savings(0.01, 0)).toEqual({ savedEur: -0.01, savedPct: null });
    expect(savings(0.03, 0.02)).toEqual({ savedEur: -0.01, savedPct: -50 });
    expect(savings(null, 0.02)).toEqual({ savedEur: null, savedPct: null });
  });
});
