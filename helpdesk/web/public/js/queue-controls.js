// The queue's controls around its table: the title with the counts, the filter form, the column
// headers that sort, "Show more", the empty and failed states, the key hint, and the keys themselves
// (j/k or ↓/↑ move, Enter or o opens).
import { clear, h, label } from './dom.js';
import { SEVERITIES, STATES } from './queue-filters.js';
import { COLUMNS } from './queue-order.js';

/** A labelled <select> for one filter. */
function select(name, text, options, value) {
  const id = `filter-${name}`;
  return h('div', {}, h('label', { for: id }, text),
    h('select', { id, name }, options.map(([v, t]) => h('option', { value: v, selected: v === value }, t))));
}

function emptyState(el, kind, failure) {
  clear(el);
  if (kind === 'failed') {
    el.append(h('h2', {}, 'The queue could not be loaded'), h('p', {}, failure));
  } else if (kind === 'none') {
    el.append(h('h2', {}, 'No tickets yet'),
      h('p', {}, 'Tickets open here by themselves, live, when the helpdesk detects a problem in device telemetry.'),
      h('p', {}, 'To see it work, replay a day: ', h('code', {}, 'evernet replay scenarios/day-in-2020.yaml --dashboard --speed 60')),
      h('p', {}, 'Devices connected to the broker show up under ', h('a', { href: '#/devices' }, 'Devices'), '.'));
  } else if (kind === 'filtered') {
    el.append(h('h2', {}, 'No tickets match these filters'), h('p', {}, h('a', { href: '#/queue?state=all&severity=all' }, 'Show all tickets')));
  }
}

/**
 * The queue panel around the table body `tbody`, its form set to the filters `f`. What the user asks
 * for comes back through `on.filters({ state, severity, proactive })`, `on.sort(key)` and `on.more()`;
 * `show(f, summary)` (a summary from queue-state.js) brings the counts, the sort marks, "Show more" and
 * the empty state up to date.
 */
export function queuePanel(f, tbody, on) {
  const count = h('span', { class: 'muted', id: 'queue-count' });
  const empty = h('div', { class: 'empty', hidden: true });
  const moreButton = h('button', { class: 'btn', type: 'button', id: 'queue-more', hidden: true, onclick: () => on.more() }, 'Show more');
  const head = h('tr', {}, COLUMNS.map(([key, title, cls]) => h('th', { class: cls, scope: 'col', dataset: { key } }, h('button', { type: 'button', onclick: () => on.sort(key) }, title))));
  const readFilters = () => {
    const fd = new FormData(filters);
    on.filters({ state: fd.get('state'), severity: fd.get('severity'), proactive: fd.get('proactive') === 'on' });
  };
  const filters = h('form', { class: 'bar', onsubmit: (e) => e.preventDefault(), onchange: readFilters },
    h('div', { class: 'grow' }, h('h1', {}, 'Ticket queue'), count),
    select('state', 'State', [['all', 'All'], ['open', 'Open (not resolved)'], ...STATES.map((s) => [s, label(s)])], f.state),
    select('severity', 'Severity', [['all', 'All'], ...SEVERITIES.map((s) => [s, label(s)])], f.severity),
    h('div', {}, h('label', { for: 'filter-proactive' }, 'Proactive only'), h('input', { type: 'checkbox', id: 'filter-proactive', name: 'proactive', checked: f.proactive })));
  const section = h('section', { class: 'panel', 'aria-labelledby': 'queue-title' }, filters,
    h('div', { class: 'table-wrap' }, h('table', { id: 'queue' }, h('thead', {}, head), tbody)), empty,
    h('p', { class: 'more' }, moreButton),
    h('p', { class: 'hint' }, h('kbd', {}, 'j'), ' / ', h('kbd', {}, 'k'), ' or ', h('kbd', {}, '↓'), ' / ', h('kbd', {}, '↑'), ' move · ', h('kbd', {}, 'Enter'), ' opens · ', h('kbd', {}, 'Esc'), ' comes back here'));

  let emptyKind = null;
  function show(f, s) {
    for (const th of head.children) th.setAttribute('aria-sort', th.dataset.key === f.sort ? (f.order === 'asc' ? 'ascending' : 'descending') : 'none');
    count.textContent = s.count;
    moreButton.hidden = s.moreHidden;
    moreButton.textContent = s.moreText;
    empty.hidden = s.empty === null;
    if (s.empty === emptyKind && s.empty !== 'failed') return;
    emptyKind = s.empty;
    emptyState(empty, s.empty, s.failure);
  }

  return { section, moreButton, show };
}

/** The queue's keys, for document's keydown: `move(1)` / `move(-1)`, `open()`; not while typing in a field. */
export function queueKeys({ move, open }) {
  return (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target.closest?.('input, select, textarea')) return;
    if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); move(1); }
    else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if ((e.key === 'Enter' || e.key === 'o') && !e.target.closest?.('a, button')) open();
  };
}
