/**
 * The HTML report shows mass incidents (issue 13, item 4): a section with each problem's cause, when
 * it opened, its state and tickets, in the nav; a report without problems has neither (its bytes stay).
 */
import { describe, expect, it } from 'vitest';
import type { ReportSeries } from '../../scenarios/report-html/collect.js';
import { renderReportHtml } from '../../scenarios/report-html/render.js';
import { twoCustomersReport } from './report-fixture.js';

const series: ReportSeries = { devices: [], incidents: [], loads: [] };

describe('the HTML report and problems', () => {
  it('has no problems section or link without problems', () => {
    const r = twoCustomersReport();
    expect(r.problems).toEqual([]);
    const html = renderReportHtml(r, series);
    expect(html).not.toContain('id="problems"');
    expect(html).not.toContain('href="#problems"');
  });

  it('lists each problem with its cause, opened time, state and tickets, escaped', () => {
    const r = twoCustomersReport();
    const problem = {
      id: 'P-6c8d72ece7-1', kind: 'battery-discharge', cause: { attr: 'model', value: "VARTA<60>" },
      explanation: "3 battery-discharge tickets on cars with batteries 'VARTA<60>' within 27 min",
      openedAt: '2020-11-02T17:20:01+01:00', firstAt: '2020-11-02T17:12:01+01:00', lastAt: '2020-11-02T17:39:01+01:00',
      state: 'resolved', ticketIds: ['T-1', 'T-2', 'T-3'],
    };
    const html = renderReportHtml({ ...r, problems: [problem] } as typeof r, series);
    const section = html.slice(html.indexOf('<section id="problems">'), html.indexOf('</section>', html.indexOf('<section id="problems">')));
    expect(html).toContain('<a href="#problems">Problems</a>');
    expect(section).toContain('<h2>Problems (1)</h2>');
    expect(section).toContain('3 battery-discharge tickets on cars with batteries &#39;VARTA&lt;60&gt;&#39; within 27 min');
    expect(section).toContain('11-02 17:20');
    expect(section).toContain('<code>T-1</code> <code>T-2</code> <code>T-3</code>');
    expect(section).toContain('<span class="state resolved">resolved</span>');
  });
});
