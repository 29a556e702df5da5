/**
 * The HTML report is one self-contained file (no script, no external asset: it works offline) with the
 * timeline, a chart per device reading with the fault, detection, contact and resolution marked, the
 * tickets with their evidence, each load's plan over the tariff and the message counts; and the same
 * seed gives the same bytes, checked on two real replays of the day in 2020 sliced to 18:30-19:00.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import type { ReportSeries } from '../../scenarios/report-html/collect.js';
import { renderReportHtml } from '../../scenarios/report-html/render.js';
import { replay } from '../../scenarios/runner.js';
import { slicedDay } from '../helpdesk/web/fixture.js';
import { at, twoCustomersReport } from './report-fixture.js';

const series: ReportSeries = {
  devices: ['anna', 'ben'].map((c) => ({
    customerId: c, deviceId: 'car', kind: 'car-battery' as const, name: `${c}'s car`, resolutionMs: 180_000,
    readings: { voltageV: [[at('2020-11-02T22:00:00'), 12.6, 12.5, 12.7], [at('2020-11-03T02:00:00'), 12.1, 12, 12.2]], currentA: [] },
  })),
  incidents: [],
  loads: [
    { customerId: 'anna', deviceId: 'washer', offerId: 'anna-1', slotMs: 3600_000, prices: [[at('2020-11-02T20:00:00'), 42.1], [at('2020-11-03T03:00:00'), 18.4]], slots: [{ durationS: 7320, powerW: 500 }] },
    { customerId: 'ben', deviceId: 'washer', offerId: 'ben-1', slotMs: 3600_000, prices: [[at('2020-11-03T03:00:00'), -12.5]], slots: [{ durationS: 7320, powerW: 500 }] },
  ],
};

describe('the HTML report', () => {
  const html = renderReportHtml(twoCustomersReport(), series);

  it('is one self-contained page: no script, no link, no external URL', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|https?:\/\//i);
  });

  it('has the timeline, the devices with marked charts, the tickets with evidence, the loads and the messages', () => {
    for (const id of ['timeline', 'devices', 'tickets', 'loads', 'messages']) expect(html).toContain(`<section id="${id}">`);
    const anna = html.slice(html.indexOf('data-device="anna/car"'), html.indexOf('data-device="ben/car"'));
    expect(anna).toContain('data-mark="fault"');
    expect(anna).toContain('data-mark="detected"');
    expect(anna).toContain('data-mark="noticeable"');
    expect(html).toContain('<dt>observed</dt><dd>a drain of 0.4 A while parked</dd>');
    expect(html).toContain('saved €0.0078 (39.8 %)');
    expect(html).toContain('saved €0.0414<');
    expect(html).toMatch(/<b>998<\/b><span>delivered<\/span>/);
    expect(html).toContain('<code>EVN_ERR_SCHEMA</code></td><td>2</td>');
  });

  it('escapes what it did not write itself', () => {
    const r = twoCustomersReport();
    r.tickets[0]!.evidence = { observed: '<script>alert(1)</script>' };
    expect(renderReportHtml(r, series)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('gives the same bytes for the same seed, from two real replays', async () => {
    const log = silentLogger();
    const scenario = slicedDay('18:30', '19:00');
    const a = await replay({ scenario, log, collectSeries: true });
    const b = await replay({ scenario, log, collectSeries: true });
    const first = renderReportHtml(a.report, a.series!);
    expect(renderReportHtml(b.report, b.series!)).toBe(first);
    expect(a.series!.devices.map((d) => d.deviceId)).toEqual(['car', 'fridge', 'washer']);
    expect(a.series!.devices[0]!.readings.voltageV!.length).toBeGreaterThan(20);
    expect(a.series!.incidents.map((i) => i.deviceId)).toContain('car');
    expect(first).toContain('data-kind="battery-discharge"');
  }, 120_000);
});
