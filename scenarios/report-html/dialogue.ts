/**
 * The HTML report's bookings and satisfaction (docs/customers.md#dialogue-and-bookings): one row per booking (the
 * workshop, the slot taken or how many were offered, the replacement car, its state) and per question
 * asked after a resolved ticket (the score, or not answered). Nothing without any, so such a report
 * keeps its bytes.
 */
import type { Report } from '../report.js';
import { esc, isoClock } from './format.js';

export function bookingsSection(r: Pick<Report, 'bookings'>): string {
  if (!r.bookings.length) return '';
  const rows = r.bookings
    .map((b) => {
      const slot = b.slot ? `${isoClock(b.slot.from)}–${isoClock(b.slot.to)}` : `${b.slotsOffered.length} free slots offered`;
      return `<tr data-booking="${esc(b.ticketId)}"><td>${esc(b.customerId)}</td><td><code>${esc(b.ticketId)}</code></td><td>${esc(b.workshopId)}</td><td>${esc(isoClock(b.offeredAt))}</td>` +
        `<td>${esc(slot)}</td><td>${esc(b.replacementCar ?? '—')}</td><td><span class="state">${esc(b.state)}</span></td></tr>`;
    })
    .join('');
  return `<section id="bookings"><h2>Bookings (${r.bookings.length})</h2><p class="note">Workshop and service visits the tickets offered; the customer picks a slot in the app.</p>` +
    `<table class="list"><tr><th>customer</th><th>ticket</th><th>workshop</th><th>offered</th><th>slot</th><th>replacement car</th><th>state</th></tr>${rows}</table></section>`;
}

export function satisfactionSection(r: Pick<Report, 'satisfaction'>): string {
  if (!r.satisfaction.length) return '';
  const rows = r.satisfaction
    .map((x) => `<tr data-satisfaction="${esc(x.ticketId)}"><td>${esc(x.customerId)}</td><td><code>${esc(x.ticketId)}</code></td><td>${esc(isoClock(x.askedAt))}</td>` +
      `<td>${x.score === null ? 'not answered' : `${x.score} of 5`}</td><td>${esc(x.answeredAt ? isoClock(x.answeredAt) : '—')}</td></tr>`)
    .join('');
  return `<section id="satisfaction"><h2>Satisfaction (${r.satisfaction.length})</h2><p class="note">One question after each resolved ticket the customer was told about: 1 (poor) to 5 (very good).</p>` +
    `<table class="list"><tr><th>customer</th><th>ticket</th><th>asked</th><th>score</th><th>answered</th></tr>${rows}</table></section>`;
}
