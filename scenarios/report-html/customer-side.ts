/**
 * The HTML report's customer side: the next-best offers (what, why, on which channel, what came of it)
 * and every contact that reached a customer with its text. Each section only when it has entries.
 */
import type { Report } from '../report.js';
import { esc, isoClock } from './format.js';

export function offersSection(r: Report): string {
  if (!r.offers.length) return '';
  const rows = r.offers
    .map((o) => `<tr data-offer="${esc(o.offerId)}"><td>${esc(isoClock(o.at))}</td><td>${esc(o.customerId)}</td><td>${esc(o.offer)}<br><small>${esc(o.rule)}${o.partner ? ` · ${esc(o.partner)}` : ''}</small></td><td>${esc(o.channel ?? `held back (${o.code ?? ''})`)}</td><td>${esc(o.outcome)}${o.outcomeAt ? ` ${esc(isoClock(o.outcomeAt))}` : ''}</td><td>${esc(o.reason)}</td></tr>`)
    .join('');
  return `<section id="offers"><h2>Offers (${r.offers.length})</h2><table class="list"><tr><th>at</th><th>customer</th><th>offer</th><th>channel</th><th>outcome</th><th>why</th></tr>${rows}</table></section>`;
}

export function contactsSection(r: Report): string {
  if (!r.contacts.length) return '';
  const rows = r.contacts
    .map((c) => `<tr><td>${esc(isoClock(c.at))}</td><td>${esc(c.customerId)}</td><td>${esc(c.ticketId ?? c.offerId ?? '')}</td><td>${esc(c.channel)}</td><td>${esc(c.text)}</td></tr>`)
    .join('');
  return `<section id="contacts"><h2>Contacts (${r.contacts.length})</h2><table class="list"><tr><th>at</th><th>customer</th><th>about</th><th>channel</th><th>text</th></tr>${rows}</table></section>`;
}
