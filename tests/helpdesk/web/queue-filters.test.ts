/**
 * The queue's filters and order in the browser (helpdesk/web/public/js/queue-filters.js and
 * queue-order.js): read from the address and written back, the server query, and the same sort
 * order as the server's.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_MINUTES } from '../../../helpdesk/web/sla.js';
import { TICKET_SORT_KEYS, compareSortValues, sortKeyOf } from '../../../helpdesk/tickets/store.js';
import { filterKey, filtersFrom, matches, queueHash, sortedBy, ticketsQuery } from '../../../helpdesk/web/public/js/queue-filters.js';
import { SORTS, compare, sortKey } from '../../../helpdesk/web/public/js/queue-order.js';
import { MIN, T0, contacted, filters, noted, opened, resolved, summary } from './queue-tickets.js';

describe('the filters in the address', () => {
  it('default to all tickets, newest first', () => {
    expect(filters()).toEqual({ state: 'all', severity: 'all', proactive: false, sort: 'opened', order: 'desc' });
  });

  it('take what the address says, the rest from the filters used last, and a default for anything unknown', () => {
    const last = filters('state=open&severity=high&proactive=true&sort=sla&order=asc');
    expect(filtersFrom(new URLSearchParams('severity=low'), last)).toEqual({ ...last, severity: 'low' });
    expect(filtersFrom(new URLSearchParams('proactive=false'), last).proactive).toBe(false);
    expect(filters('state=closed&severity=urgent&sort=price&order=up')).toEqual(filters());
  });

  it('go back into the address and read the same, sort toggles on a second click', () => {
    for (const f of [filters(), filters('state=resolved&severity=critical&proactive=true&sort=device&order=asc')]) {
      expect(filtersFrom(new URLSearchParams(queueHash(f).split('?')[1]))).toEqual(f);
    }
    expect(queueHash(filters())).toBe('#/queue?state=all&severity=all&sort=opened&order=desc');
    const bySla = sortedBy(filters(), 'sla');
    expect(bySla).toMatchObject({ sort: 'sla', order: 'desc' });
    expect(sortedBy(bySla, 'sla').order).toBe('asc');
    expect(sortedBy(sortedBy(bySla, 'sla'), 'sla').order).toBe('desc');
    expect(filterKey(bySla)).not.toBe(filterKey(sortedBy(bySla, 'sla')));
  });

  it('ask the server for a page, the next page, or only the counts', () => {
    expect(ticketsQuery(filters(), 200)).toBe('/tickets?sort=opened&order=desc&limit=200');
    expect(ticketsQuery(filters('state=open&severity=low&proactive=true&sort=sla&order=asc'), 200, 'abc'))
      .toBe('/tickets?state=open&severity=low&proactive=true&sort=sla&order=asc&limit=200&cursor=abc');
    expect(ticketsQuery(filters(), 0)).toBe('/tickets?sort=opened&order=desc&limit=0');
  });
});

describe('which tickets pass the filters', () => {
  const t = opened('a', 0, 'high', true);
  it('filter by state ("open": not resolved), severity and proactive', () => {
    expect(matches(filters(), summary(t))).toBe(true);
    expect(matches(filters('state=open'), summary(t))).toBe(true);
    expect(matches(filters('state=open'), summary(resolved(t)))).toBe(false);
    expect(matches(filters('state=resolved'), summary(resolved(t)))).toBe(true);
    expect(matches(filters('state=contacted'), summary(t))).toBe(false);
    expect(matches(filters('severity=high'), summary(t))).toBe(true);
    expect(matches(filters('severity=low'), summary(t))).toBe(false);
    expect(matches(filters('proactive=true'), summary(opened('b', 0)))).toBe(false);
  });
});

describe('the queue order in the browser', () => {
  it('offers every sort the server knows, and no other', () => {
    expect([...SORTS].sort()).toEqual([...TICKET_SORT_KEYS].sort());
  });

  it('sorts exactly as the server does, for every column', () => {
    const now = T0 + 30 * MIN;
    const tickets = [
      opened('a', 0, 'critical'), contacted(opened('b', 1, 'high')), resolved(opened('c', 2, 'low')), noted(opened('d', 3, 'medium')),
      opened('e', 29, 'critical'), opened('f', -300, 'low'), opened('g', 2, 'critical'),
    ];
    const sla = { now, minutes: DEFAULT_SLA_MINUTES };
    for (const sort of TICKET_SORT_KEYS) {
      const browser = tickets.slice().sort((x, y) => compare(sortKey(summary(x, now), sort, now), sortKey(summary(y, now), sort, now)));
      const server = tickets.slice().sort((x, y) => compareSortValues(sortKeyOf(x, sort, sla), sortKeyOf(y, sort, sla)));
      expect(browser.map((t) => t.id), sort).toEqual(server.map((t) => t.id));
      for (const t of tickets) expect(sortKey(summary(t, now), sort, now), sort).toEqual(sortKeyOf(t, sort, sla));
    }
  });
});
