/**
 * The report lists customers on demand (issue 13, item 1): all of them leaves the report as it was,
 * none drops the tickets, faults, loads and shopping lists for a `customers` note in their place, N
 * keeps the first N in the scenario's order with the note before the lists; the default lists all of
 * up to 100 customers and none of more. The summary and the HTML report show the figures per kind
 * first and the per-customer parts only for the listed customers.
 */
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../cli/summary.js';
import type { ReportDevice } from '../../scenarios/report-by-kind.js';
import { defaultListing, keepListed, listed, listedJson, parseListing } from '../../scenarios/report-customers.js';
import type { ReportSeries } from '../../scenarios/report-html/collect.js';
import { renderReportHtml } from '../../scenarios/report-html/render.js';
import { buildReport, withExpectations } from '../../scenarios/report.js';
import { at, twoCustomers } from './report-fixture.js';

const devices: ReportDevice[] = ['anna', 'ben'].flatMap((c) => [
  { customerId: c, id: 'car', kind: 'car-battery' },
  { customerId: c, id: 'washer', kind: 'washer' },
]);
const report = buildReport({ ...twoCustomers(), devices });
const checked = withExpectations(report, [{ path: 'noOtherTickets', ok: true, text: 'expected no other tickets, got none' }]);
const customers = ['anna', 'ben'];

const series: ReportSeries = {
  devices: customers.map((c) => ({ customerId: c, deviceId: 'car', kind: 'car-battery' as const, name: `${c}'s car`, resolutionMs: 180_000, readings: { voltageV: [[at('2020-11-02T22:00:00'), 12.6, 12.5, 12.7]] } })),
  incidents: [],
  loads: customers.map((c) => ({ customerId: c, deviceId: 'washer', offerId: `${c}-1`, slotMs: 3600_000, prices: [[at('2020-11-03T03:00:00'), 18.4]], slots: [{ durationS: 7320, powerW: 500 }] })),
};

describe('the customers a report lists', () => {
  it('reads all, none or a count, and refuses anything else', () => {
    expect(['all', 'none', '0', '3', '100'].map(parseListing)).toEqual(['all', 'none', 'none', 3, 100]);
    for (const bad of ['', 'some', '-1', '2.5', '1e3', ' 3']) expect(parseListing(bad), bad).toBeNull();
  });

  it('lists all of up to 100 customers by default, none of more', () => {
    expect(defaultListing(1)).toBe('all');
    expect(defaultListing(100)).toBe('all');
    expect(defaultListing(101)).toBe('none');
  });

  it('leaves the report as it is when every customer is listed, also when N is at least their number', () => {
    expect(listedJson(checked, listed(customers, 'all'))).toBe(checked);
    expect(listedJson(checked, listed(customers, 2))).toBe(checked);
    expect(listedJson(checked, listed(customers, 5))).toBe(checked);
  });

  it('says in customers what it omits, in place of the lists, keeping byKind and the expectations', () => {
    const json = listedJson(checked, listed(customers, 'none'));
    expect(Object.keys(json)).toEqual(['scenario', 'seed', 'simulated', 'messages', 'byKind', 'customers', 'problems', 'expectations']);
    expect(json.customers).toBe('omitted (2): --report-customers all lists them');
    expect(json.byKind).toBe(report.byKind);
  });

  it('keeps the first N customers in the scenario order, with the note before the lists', () => {
    const json = listedJson(checked, listed(['ben', 'anna'], 1)) as unknown as typeof checked & { customers: string };
    expect(Object.keys(json)).toEqual(['scenario', 'seed', 'simulated', 'messages', 'byKind', 'customers', 'tickets', 'faults', 'loads', 'shopping', 'problems', 'offers', 'contacts', 'bookings', 'satisfaction', 'expectations']);
    expect(json.customers).toBe("listed 1 of 2 (the first in the scenario's order): --report-customers all lists them all");
    expect(json.tickets.map((t) => t.customerId)).toEqual(['ben']);
    expect(json.faults.map((f) => f.customerId)).toEqual(['ben']);
    expect(json.loads.map((l) => l.customerId)).toEqual(['ben']);
    // the figures stay the whole replay's
    expect(json.byKind!['car-battery']!.faults.injected).toBe(2);
  });
});

describe('the summary and the HTML report of a fleet', () => {
  it('prints the figures per kind first, and the per-customer lists only of the listed customers', () => {
    const none = listed(customers, 'none');
    const text = renderSummary(keepListed(report, none), undefined, { byKind: true, customers: none.note, anyListed: false });
    expect(text).toMatch(/^By kind \(2\)\n {2}kind +devices +faults +caught +late +missed +recall +lead min\/median\/p90\/max +tickets +false +false\/10k device-days$/m);
    expect(text).toMatch(/^ {2}car-battery +2 +2 +2 +0 +0 +1 +500\/500\/500\/500 min +2 +0 +0$/m);
    expect(text).toMatch(/^ {2}car-battery tickets: battery-parasitic 2$/m);
    expect(text).toMatch(/^ {2}washer +2 +2 +€0\.0492 +39\.8 %$/m);
    expect(text).toMatch(/^Customers: omitted \(2\): --report-customers all lists them$/m);
    expect(text).not.toMatch(/^Tickets|^Loads|^Shopping|fault parasitic-drain on/m);
    expect(text).toMatch(/^Messages: 1000 published/m);

    const one = listed(customers, 1);
    const some = renderSummary(keepListed(report, one), undefined, { byKind: true, customers: one.note, anyListed: true });
    expect(some).toMatch(/^Tickets \(1 of the listed customers\)$/m);
    expect(some).toMatch(/fault parasitic-drain on anna\/car/);
    expect(some).not.toMatch(/ben/);
  });

  it('prints no per-kind table unless asked (a household replay)', () => {
    expect(renderSummary(report)).not.toMatch(/^By kind/m);
  });

  it('shows the per-kind table first in the HTML report, and the customer sections only when listed', () => {
    const all = renderReportHtml(report, series);
    expect(all.indexOf('<section id="by-kind">')).toBeGreaterThan(0);
    expect(all.indexOf('<section id="by-kind">')).toBeLessThan(all.indexOf('<section id="timeline">'));
    expect(all).toMatch(/<tr data-device-kind="car-battery"><td>car-battery<\/td><td>2<\/td><td>2<\/td><td>2<\/td><td>0<\/td><td>0<\/td><td>1<\/td><td>500 \/ 500 \/ 500 \/ 500<\/td><td>2<\/td><td>0<\/td><td>0<\/td><td>battery-parasitic 2<\/td><\/tr>/);
    expect(all).toContain('<a href="#by-kind">By kind</a>');
    expect(all).not.toContain('id="customers"');

    const none = renderReportHtml(report, series, listed(customers, 'none'));
    expect(none).toContain('<section id="by-kind">');
    expect(none).toContain('omitted (2): --report-customers all lists them');
    for (const id of ['timeline', 'devices', 'tickets', 'loads']) expect(none).not.toContain(`<section id="${id}">`);
    expect(none).toContain('<section id="messages">');

    const one = renderReportHtml(report, series, listed(customers, 1));
    expect(one).toContain('data-device="anna/car"');
    expect(one).not.toContain('data-device="ben/car"');
    expect(one).toMatch(/<h2>Loads \(1\)<\/h2>/);
    expect(one).toContain('data-load="0"');
    expect(one).not.toContain('data-load="1"');
    // the header counts the whole replay
    expect(one).toMatch(/<b>2<\/b><span>tickets, /);
  });

  it('escapes the kinds it shows', () => {
    const odd = { ...report, byKind: { '<b>': { ...report.byKind!['car-battery']!, tickets: { ...report.byKind!['car-battery']!.tickets, byKind: { '<script>': 1 } } } } };
    const html = renderReportHtml(odd, series);
    expect(html).toContain('<tr data-device-kind="&lt;b&gt;"><td>&lt;b&gt;</td>');
    expect(html).toContain('<td>&lt;script&gt; 1</td>');
    expect(html).not.toContain('<script>');
  });
});
