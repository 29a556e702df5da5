/**
 * The report's customer side: `offers` (what, why, channel, outcome) and `contacts` (every message that
 * reached a customer, with its text, about a ticket or an offer), always arrays, in time order; the HTML
 * report shows them (escaped), the summary lists them only when an offer was made.
 */
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../cli/summary.js';
import type { OfferRecord } from '../../helpdesk/offers/offers.js';
import { contact } from '../../helpdesk/tickets/lifecycle.js';
import type { ReportSeries } from '../../scenarios/report-html/collect.js';
import { renderReportHtml } from '../../scenarios/report-html/render.js';
import { buildReport } from '../../scenarios/report.js';
import { at, twoCustomers } from './report-fixture.js';

const series: ReportSeries = { devices: [], incidents: [], loads: [] };
const offer = (o: Partial<OfferRecord>): OfferRecord => ({
  id: 'o-000000000001', customerId: 'anna', rule: 'mobility-flatrate-upgrade', offer: 'Mobility <flatrate> upgrade', purpose: 'offers', partner: null,
  at: at('2020-11-02T08:30:00'), channel: 'app-push', deviceId: 'car', text: 'Good morning Anna & co', reason: 'Rule mobility-flatrate-upgrade: 286 km >= 150 km',
  because: [], channelReason: 'App-push is the first', state: 'accepted', code: null, expiresAt: at('2020-11-02T20:30:00'), closedAt: at('2020-11-02T09:00:00'), ...o,
});

describe("the report's offers and contacts", () => {
  it('are empty arrays without offers and contacts, and the contacts of tickets with their text', () => {
    const empty = buildReport(twoCustomers());
    expect(empty.offers).toEqual([]);
    expect(empty.contacts).toEqual([]);
    const input = twoCustomers();
    const t = input.tickets[0]!;
    const told = contact(t, { at: t.openedAt + 60_000, by: 'helpdesk', channel: 'email', text: 'Hello, your car drains its battery while parked.' });
    if (!told.ok) throw new Error(told.error.reason);
    const r = buildReport({ ...input, tickets: [told.ticket, ...input.tickets.slice(1)] });
    expect(r.offers).toEqual([]);
    expect(r.contacts).toEqual([{ at: expect.any(String), customerId: t.customerId, ticketId: t.id, offerId: null, channel: 'email', text: 'Hello, your car drains its battery while parked.' }]);
    expect(renderSummary(r)).not.toContain('Offers (');
    expect(renderReportHtml(r, series)).not.toContain('id="offers"');
  });

  it('list each offer with its rule, reason and outcome, a held one without a channel and not among the contacts, all in time order', () => {
    const held = offer({ id: 'o-000000000002', customerId: 'ben', at: at('2020-11-02T08:30:00'), channel: null, state: 'held', code: 'EVN_ERR_OFFER_QUIET_HOURS', closedAt: null, expiresAt: null });
    const r = buildReport({ ...twoCustomers(), offers: [offer({}), held] });
    expect(r.offers).toEqual([
      { at: '2020-11-02T08:30:00+01:00', customerId: 'anna', offerId: 'o-000000000001', offer: 'Mobility <flatrate> upgrade', rule: 'mobility-flatrate-upgrade', partner: null, channel: 'app-push', reason: 'Rule mobility-flatrate-upgrade: 286 km >= 150 km', outcome: 'accepted', outcomeAt: '2020-11-02T09:00:00+01:00', code: null },
      { at: '2020-11-02T08:30:00+01:00', customerId: 'ben', offerId: 'o-000000000002', offer: 'Mobility <flatrate> upgrade', rule: 'mobility-flatrate-upgrade', partner: null, channel: null, reason: 'Rule mobility-flatrate-upgrade: 286 km >= 150 km', outcome: 'held', outcomeAt: null, code: 'EVN_ERR_OFFER_QUIET_HOURS' },
    ]);
    const offers = r.contacts.filter((c) => c.offerId !== null);
    expect(offers).toEqual([{ at: '2020-11-02T08:30:00+01:00', customerId: 'anna', ticketId: null, offerId: 'o-000000000001', channel: 'app-push', text: 'Good morning Anna & co' }]);
    const times = r.contacts.map((c) => Date.parse(c.at ?? ""));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const html = renderReportHtml(r, series);
    expect(html).toContain('<a href="#offers">Offers</a>');
    expect(html).toContain('Mobility &lt;flatrate&gt; upgrade');
    expect(html).toContain('held back (EVN_ERR_OFFER_QUIET_HOURS)');
    expect(html).toContain('Good morning Anna &amp; co');
    const text = renderSummary(r);
    expect(text).toContain('Offers (2)\n  11-02 08:30 anna: Mobility <flatrate> upgrade via app-push, accepted 11-02 09:00\n    Rule mobility-flatrate-upgrade: 286 km >= 150 km');
    expect(text).toContain('ben: Mobility <flatrate> upgrade held back (EVN_ERR_OFFER_QUIET_HOURS), held');
    expect(text).toContain('anna o-000000000001 via app-push: Good morning Anna & co');
  });
});
