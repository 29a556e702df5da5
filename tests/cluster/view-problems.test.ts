/**
 * The cluster's problems in the dashboard's view (cluster/view-problems.ts), without a network: the
 * partitions' shares grouped as one, told once when a problem opens, each ticket populated with the
 * census as it was when the ticket opened (devices added later leave an opened problem as it is, as on
 * one helpdesk), and with the census read at the view's start for the tickets opened before.
 */
import { describe, expect, it } from 'vitest';
import { createViewProblems } from '../../cluster/view-problems.js';
import type { HelpdeskEvent } from '../../helpdesk/events.js';
import { causesOf, DEFAULT_GROUP_OPTIONS } from '../../helpdesk/problems/group.js';
import { until } from '../helpers/until.js';

const T0 = Date.parse('2020-11-02T16:00:00Z');
const KEY = 'car-battery|model|VARTA-60';
const fact = (i: number) => ({ ticketId: `T-${i}`, kind: 'battery-discharge', deviceKind: 'car-battery' as const, openedAt: T0 + i * 60_000, causes: causesOf({ kind: 'car-battery', model: 'VARTA-60' }, undefined) });
const options = { ...DEFAULT_GROUP_OPTIONS };

describe("the view's problems", () => {
  it('groups two partitions as one, tells a problem once, and keeps it when devices are added later', async () => {
    const told: Array<Extract<HelpdeskEvent, { type: 'problem' }>> = [];
    const v = createViewProblems({ stateOf: () => 'contacted', emit: (e) => void told.push(e), touched: () => undefined, settleMs: 1 });
    try {
      // 3 tickets of 100 cars (2 % of them is 2, the threshold 3): a problem, from two partitions' facts
      v.put(0, { facts: [fact(1), fact(2)], census: { [KEY]: 60 }, options }, T0 + 2 * 60_000);
      v.put(1, { facts: [fact(3)], census: { [KEY]: 40 }, options }, T0 + 3 * 60_000);
      expect(v.list().map((p) => p.links.map((l) => l.ticketId))).toEqual([['T-1', 'T-2', 'T-3']]);
      await until(() => told.length === 1, 1000, 'the problem told');
      expect(told[0]!.note).toBe('opened');
      // the same census read again: nothing to tell
      v.census(0, { census: { [KEY]: 60 }, options }, T0 + 10 * 60_000);
      // 1,000 more cars of that model in partition 0 after the tickets: their populations were those at their opening
      v.census(0, { census: { [KEY]: 1060 }, options }, T0 + 10 * 60_000);
      expect(v.list().map((p) => p.links.map((l) => l.ticketId))).toEqual([['T-1', 'T-2', 'T-3']]);
      await new Promise((r) => setTimeout(r, 20));
      expect(told).toHaveLength(1);
    } finally {
      v.stop();
    }
  });

  it('populates the tickets opened before its start with the census it read then', () => {
    const v = createViewProblems({ stateOf: () => 'contacted', emit: () => undefined, touched: () => undefined, settleMs: 1 });
    try {
      // the view starts after 1,000 more cars came: the three tickets are read with 1,100 cars, no problem
      v.replace(0, { facts: [fact(1), fact(2)], census: { [KEY]: 1060 }, options }, new Set(), T0 + 30 * 60_000);
      v.replace(1, { facts: [fact(3)], census: { [KEY]: 40 }, options }, new Set(), T0 + 30 * 60_000);
      expect(v.list()).toEqual([]);
    } finally {
      v.stop();
    }
  });
});
