// The queue's filter vocabulary and its form controls.
import { h } from './dom.js';

export const STATES = ['opened', 'contacted', 'action-sent', 'escalated', 'resolved'];
export const SEVERITIES = ['critical', 'high', 'medium', 'low'];

/** One key per combination of filters and order: the remembered queue is reused only for the same one. */
export const filterKey = (f) => [f.state, f.severity, f.proactive, f.sort, f.order].join('|');

/** A labelled <select> for one filter. */
export function select(name, text, options, value) {
  const id = `filter-${name}`;
  return h('div', {}, h('label', { for: id }, text),
    h('select', { id, name }, options.map(([v, t]) => h('option', { value: v, selected: v === value }, t))));
}
