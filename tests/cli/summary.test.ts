/**
 * The printed summary names the customer of every ticket, fault and load, dates its times when the
 * replay spans more than one day, and says what a plan saved in € and in % only where it means
 * something (negative prices once printed '-471 % saved').
 */
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../cli/summary.js';
import { buildReport } from '../../scenarios/report.js';
import { at, twoCustomers, twoCustomersReport } from '../scenarios/report-fixture.js';

describe('the replay summary', () => {
  const text = renderSummary(twoCustomersReport());

  it('tells two customers with the same device apart', () => {
    expect(text).toMatch(/^ {2}fault parasitic-drain on anna\/car /m);
    expect(text).toMatch(/^ {2}fault parasitic-drain on ben\/car /m);
    expect(text).toMatch(/^ {2}T-\w+ +anna +car +battery-parasitic /m);
    expect(text).toMatch(/^ {2}T-\w+ +ben +car +battery-parasitic /m);
    expect(text).toMatch(/^ {2}anna\/washer cotton-40:/m);
    expect(text).toMatch(/^ {2}ben\/washer cotton-40:/m);
  });

  it('dates every time in a replay of more than one day', () => {
    expect(text).toMatch(/injected 11-02 22:00, customer would notice 11-03 07:30/);
    expect(text).toMatch(/requested 11-02 20:30, done by 11-03 07:00; planned 11-03 02:52/);
    expect(text).not.toMatch(/ (?<!\d{2}-\d{2} )\d{2}:\d{2},/);
  });

  it('keeps HH:MM alone within one day', () => {
    const oneDay = renderSummary(buildReport({ ...twoCustomers(), endMs: at('2020-11-03T00:00:00'), loads: [], faults: [twoCustomers().faults[0]!] }));
    expect(oneDay).toMatch(/injected 22:00, customer would notice 11-03 07:30/);
  });

  it('gives the saving in € and %, and only in € where prices are negative', () => {
    expect(text).toMatch(/start now €0\.0196: saved €0\.0078 \(39\.8 %\)/);
    expect(text).toMatch(/start now -€0\.0088: saved €0\.0414\)/);
    expect(text).not.toMatch(/-?\d+ % saved/);
  });

  it('names the workshop offer with its replacement car', () => {
    expect(text).toMatch(/escalated \(no remote fix\); offered Autohaus Becker \(1\.9 km\) with a replacement car/);
  });
});
