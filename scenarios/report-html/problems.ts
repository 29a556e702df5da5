/**
 * The HTML report's mass incidents: one row per problem (its cause in a sentence, when it opened,
 * its state, its tickets). Nothing without problems, so a report without any keeps its bytes.
 */
import type { Report } from '../report.js';
import { esc, isoClock } from './format.js';

export function problemsSection(r: Report): string {
  if (!r.problems.length) return '';
  const rows = r.problems
    .map((p) => `<tr data-problem="${esc(p.id)}"><td><code>${esc(p.id)}</code></td><td>${esc(p.explanation)}</td><td>${esc(isoClock(p.openedAt))}</td>` +
      `<td><span class="state ${p.state === 'resolved' ? 'resolved' : ''}">${esc(p.state)}</span></td><td>${p.ticketIds.map((id) => `<code>${esc(id)}</code>`).join(' ')}</td></tr>`)
    .join('');
  return `<section id="problems"><h2>Problems (${r.problems.length})</h2><p class="note">Many tickets of one kind with one likely cause in a short window, grouped; each customer was contacted on their own.</p>` +
    `<table class="list"><tr><th>problem</th><th>cause</th><th>opened</th><th>state</th><th>tickets</th></tr>${rows}</table></section>`;
}
