/**
 * A replay where the customer answers (scenario `replies:`): Maria's failing alternator is fixed
 * remotely and a workshop check offered with free slots; she picks the first through her app and rates
 * the ticket. The report's bookings and satisfaction say so, and the ticket's timeline holds both
 * answers. Real broker, devices, helpdesk and app on the virtual clock.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../cli/summary.js';
import { silentLogger } from '../../log/logger.js';
import { bookingsSection, satisfactionSection } from '../../scenarios/report-html/dialogue.js';
import { parseScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';

const TARIFF = fileURLToPath(new URL('../../data/de-day-ahead-2020.csv', import.meta.url));
const FILE = fileURLToPath(new URL('./replies.yaml', import.meta.url));

const text = (replies: string) => `name: replies
title: Maria answers
start: "2020-11-02T18:35:00+01:00"
end: "2020-11-02T18:50:00+01:00"
timeZone: Europe/Berlin
seed: 2020
tariff: ${JSON.stringify(TARIFF)}
customers:
  - id: maria
    name: Maria
    home: { lat: 50.9413, lon: 6.9583 }
    preferences: { channels: [app-push, email], email: maria@example.org }
    devices:
      - id: car
        kind: car-battery
        name: Maria's car
        params:
          initialSoc: 0.62
          ambientC: 8
          trips: [{ start: "2020-11-02T18:10:00+01:00", end: "2020-11-02T19:25:00+01:00", speedKmh: 38 }]
          faults: [{ kind: failing-alternator, at: "2020-11-02T18:40:00+01:00" }]
workshops:
  - { id: autohaus-becker, name: Autohaus Becker, location: { lat: 50.952, lon: 6.979 }, services: [car-battery], replacementCar: true, booking: { capacity: 1, replacementCars: 1 } }
${replies}`;

describe('a replay with replies', { timeout: 60_000 }, () => {
  it('books the slot Maria picks and records her score; without replies the booking stays offered', async () => {
    const answered = await replay({
      scenario: parseScenario(text(`replies:
  - { at: "2020-11-02T18:45:00+01:00", customer: maria, ticket: { kind: battery-discharge }, answer: pick-slot, slot: 1 }
  - { at: "2020-11-02T18:46:00+01:00", customer: maria, ticket: { kind: battery-discharge }, answer: satisfaction, score: 5 }
`), FILE),
      log: silentLogger(), hosts: 0, shards: 0,
    });
    const r = answered.report;
    expect(r.tickets).toHaveLength(1);
    const t = r.tickets[0]!;
    expect(t.state).toBe('resolved');
    // the first slot two hours after the 18:42 offer on a working day: Tuesday 08:00
    expect(r.bookings).toEqual([{
      customerId: 'maria', ticketId: t.id, workshopId: 'autohaus-becker', offeredAt: t.resolvedAt,
      slotsOffered: ['autohaus-becker-202011030800', 'autohaus-becker-202011031000', 'autohaus-becker-202011031200', 'autohaus-becker-202011031400', 'autohaus-becker-202011040800', 'autohaus-becker-202011041000'],
      slot: { slotId: 'autohaus-becker-202011030800', from: '2020-11-03T08:00:00+01:00', to: '2020-11-03T10:00:00+01:00' },
      replacementCar: 'autohaus-becker-car-1', state: 'confirmed',
    }]);
    expect(r.satisfaction).toEqual([{ ticketId: t.id, customerId: 'maria', askedAt: t.resolvedAt, score: 5, answeredAt: '2020-11-02T18:46:00+01:00' }]);
    expect(t.timeline.filter((e) => e.by === 'customer').map((e) => e.detail.kind)).toEqual(['reply', 'satisfaction']);
    // the summary and the HTML report show both
    const summary = renderSummary(r);
    expect(summary).toContain(`Bookings (1)\n  18:42 maria ${t.id} at autohaus-becker: confirmed, slot 11-03 08:00–11-03 10:00, replacement car autohaus-becker-car-1`);
    expect(summary).toContain(`Satisfaction (1)\n  maria ${t.id}: asked 18:42, 5 of 5 (18:46)`);
    expect(bookingsSection(r)).toContain('<td>11-03 08:00–11-03 10:00</td><td>autohaus-becker-car-1</td><td><span class="state">confirmed</span>');
    expect(satisfactionSection(r)).toContain('<td>5 of 5</td>');

    const silent = await replay({ scenario: parseScenario(text(''), FILE), log: silentLogger(), hosts: 0, shards: 0 });
    expect(silent.report.bookings.map((b) => [b.state, b.slot])).toEqual([['offered', null]]);
    expect(silent.report.satisfaction.map((x) => x.score)).toEqual([null]);
    // nobody answered: the ticket is as the day without dialogue has it
    expect(silent.report.tickets[0]!.timeline.map((e) => e.step)).toEqual(['opened', 'contacted', 'action-sent', 'action-confirmed', 'resolved']);
  });
});
