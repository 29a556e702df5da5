/**
 * The helpdesk's problems (helpdesk/problems/problems.ts) on a real SQLite file: causes come from the
 * directory (model, home), a cause many devices share needs its share of tickets, a problem opened and
 * each linked ticket's change are told on the event bus, and after a restart grouping goes on with the
 * stored problems (a ticket joins the stored one; the next problem of the key counts on).
 */
import { describe, expect, it } from 'vitest';
import type { TicketState } from '../../../contracts/index.js';
import { indexDirectory, type Directory } from '../../../helpdesk/directory.js';
import { createEvents, type HelpdeskEvent } from '../../../helpdesk/events.js';
import { createProblems } from '../../../helpdesk/problems/problems.js';
import { regroupPlaces } from '../../../helpdesk/problems/regroup.js';
import { openSqliteProblemStore } from '../../../helpdesk/problems/sqlite-store.js';
import { createMemoryProblemStore } from '../../../helpdesk/problems/store.js';
import type { Ticket } from '../../../helpdesk/tickets/lifecycle.js';
import { silentLogger } from '../../../log/logger.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const H = 3600_000;
const T0 = Date.parse('2020-11-02T16:00:00Z');
const log = silentLogger();

/** n homes, each in an area of its own, with a car of the given model */
function world(models: string[]): Directory {
  return {
    customers: models.map((model, i) => ({
      id: `h${i}`, name: `H${i}`, home: { lat: 40 + i, lon: 7 }, preferences: { channels: ['app-push' as const] },
      devices: [{ id: 'car', kind: 'car-battery' as const, customerId: `h${i}`, name: 'car', model }],
    })),
    stores: [],
    workshops: [],
  };
}

function ticket(i: number, at: number, state: TicketState = 'contacted'): Ticket {
  return {
    id: `T-${i}`, incidentKey: `h${i}/${at}`, customerId: `h${i}`, deviceId: 'car', kind: 'battery-discharge', severity: 'high', state, openedAt: at,
    contactedAt: null, channel: null, actionSentAt: null, resolvedAt: null, resolution: null, proactive: true, updatedAt: at, evidence: {}, timeline: [],
  } as Ticket;
}

describe('problems in the helpdesk', () => {
  const tmp = tempDirPerTest('evernet-problems-');

  it('groups by the model the directory knows, tells each change, and goes on after a restart', () => {
    const file = tmp.join('helpdesk.db');
    const dir = indexDirectory(world(['VARTA-60', 'VARTA-60', 'VARTA-60', 'VARTA-60', 'BOSCH-S4', 'VARTA-60', 'VARTA-60', 'VARTA-60']));
    const seen: HelpdeskEvent[] = [];
    const events = createEvents(log);
    events.on((e) => seen.push(e));
    const store = openSqliteProblemStore({ path: file });
    const first = createProblems({ store, directory: dir, events, log, ticketState: () => 'contacted' });
    first.resume(T0);
    first.ticket(ticket(0, T0), T0, 'opened');
    first.ticket(ticket(4, T0 + 10 * 60_000), T0, 'opened');
    first.ticket(ticket(1, T0 + 20 * 60_000), T0, 'opened');
    expect(first.list()).toEqual([]);
    first.ticket(ticket(2, T0 + H), T0 + H, 'opened');
    const [p] = first.list();
    expect(p).toMatchObject({ kind: 'battery-discharge', cause: { attr: 'model', value: 'VARTA-60' }, state: 'open', openTickets: 3 });
    expect(p!.links.map((l) => l.ticketId)).toEqual(['T-0', 'T-1', 'T-2']);
    expect(first.problemOf('T-4')).toBeNull();
    first.ticket(ticket(1, T0 + 20 * 60_000, 'resolved'), T0 + 2 * H, 'resolved');
    expect(seen.map((e) => (e.type === 'problem' ? e.note : e.type))).toEqual(['opened', 'ticket T-1 resolved']);
    expect(first.get(p!.id)!.openTickets).toBe(2);
    store.close();

    // a restart: the stored problem can still grow; the next problem of the key is the second
    const again = openSqliteProblemStore({ path: file });
    const second = createProblems({ store: again, directory: dir, events, log, ticketState: () => 'contacted' });
    second.resume(T0 + 3 * H);
    second.ticket(ticket(3, T0 + 3 * H), T0 + 3 * H, 'opened');
    expect(second.problemOf('T-3')).toBe(p!.id);
    expect(second.get(p!.id)!.links.map((l) => l.state)).toEqual(['contacted', 'resolved', 'contacted', 'contacted']);
    for (const [i, at] of [[5, 30], [6, 31], [7, 32]] as const) second.ticket(ticket(i, T0 + at * H), T0 + at * H, 'opened');
    expect(second.list().map((x) => x.id)).toEqual([p!.id.replace(/-1$/, '-2'), p!.id]);
    again.close();
  });

  it('a model most of the fleet has needs tickets on a share of it, counted from the directory', () => {
    const many = indexDirectory(world(Array.from({ length: 400 }, () => 'VARTA-60')));
    const p = createProblems({ directory: many, events: createEvents(log), log, ticketState: () => 'contacted', grouping: { minShare: 0.02 } });
    for (let i = 0; i < 7; i++) p.ticket(ticket(i, T0 + i * 60_000), T0, 'opened');
    expect(p.list()).toEqual([]);
    p.ticket(ticket(7, T0 + 8 * 60_000), T0, 'opened');
    expect(p.list()).toHaveLength(1);
    expect(p.list()[0]).toMatchObject({ need: 8, openedAt: T0 + 8 * 60_000 });
  });

  it('a failure in grouping is logged and stands in no ticket\'s way; a broken database stops the helpdesk', () => {
    const dir = indexDirectory(world(['VARTA-60', 'VARTA-60', 'VARTA-60']));
    const broken = (err: Error) => ({ ...createMemoryProblemStore(), save: () => { throw err; } });
    const bug = createProblems({ store: broken(new Error('a bug')), directory: dir, events: createEvents(log), log, ticketState: () => 'contacted', grouping: { threshold: 1 } });
    expect(() => bug.ticket(ticket(0, T0), T0, 'opened')).not.toThrow();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const disk = createProblems({ store: broken(full), directory: dir, events: createEvents(log), log, ticketState: () => 'contacted', grouping: { threshold: 1 } });
    expect(() => disk.ticket(ticket(1, T0), T0, 'opened')).toThrow('database or disk is full');
  });

  it("a cluster's partition (group: false) groups nothing itself and gives its share: every ticket's facts and its census", () => {
    const dir = indexDirectory(world(['VARTA-60', 'VARTA-60', 'VARTA-60', 'BOSCH-S4']));
    const seen: HelpdeskEvent[] = [];
    const events = createEvents(log);
    events.on((e) => seen.push(e));
    const part = createProblems({ store: createMemoryProblemStore(), group: false, directory: dir, events, log, ticketState: () => 'contacted' });
    const tickets = [0, 1, 2].map((i) => ticket(i, T0 + i * 60_000));
    for (const t of tickets) part.ticket(t, t.openedAt, 'opened');
    expect(part.list()).toEqual([]);
    expect(seen).toEqual([]);
    const share = part.facts(tickets);
    expect(share.facts.map((f) => [f.ticketId, f.causes.map((c) => c.value)])).toEqual(tickets.map((t, i) => [t.id, ['VARTA-60', `${(40 + i) * 4}:28@0.25`]]));
    expect(share.census).toMatchObject({ 'car-battery|model|VARTA-60': 3, 'car-battery|model|BOSCH-S4': 1 });
    // grouped where every share comes together: the problem this helpdesk would have opened itself
    const together = regroupPlaces([share], () => 'contacted');
    expect(together.map((p) => p.links.map((l) => l.ticketId))).toEqual([['T-0', 'T-1', 'T-2']]);
  });
});
