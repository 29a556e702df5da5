import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TicketState } from '../../../contracts/index.js';
import { causesOf, groupTickets, type Problem, type TicketFact } from '../../../helpdesk/problems/group.js';
import { openSqliteProblemStore } from '../../../helpdesk/problems/sqlite-store.js';
import { createMemoryProblemStore, type ProblemStore } from '../../../helpdesk/problems/store.js';

const H = 3600_000;
const T0 = Date.parse('2020-11-02T17:00:00Z');
const fact = (n: number, at: number, model = 'VARTA-60'): TicketFact => ({
  ticketId: `T-${n}`, kind: 'battery-discharge', deviceKind: 'car-battery', openedAt: at, causes: causesOf({ kind: 'car-battery', model }, undefined),
});
const opened = (): TicketState => 'contacted';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmpDb(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'evn-problems-'));
  dirs.push(d);
  return path.join(d, 'helpdesk.db');
}

const stores: Array<[string, () => ProblemStore]> = [
  ['in memory', createMemoryProblemStore],
  ['on SQLite', () => openSqliteProblemStore({ path: ':memory:' })],
];

describe.each(stores)('the problem store %s', (_name, open) => {
  const [p3] = groupTickets([fact(1, T0), fact(2, T0 + H), fact(3, T0 + 2 * H)]) as [Problem];

  it('keeps a problem with its links, each with its ticket state, and says which problem a ticket is in', () => {
    const s = open();
    const r = s.save(p3, opened);
    expect(r).toMatchObject({ id: p3.id, state: 'open', openTickets: 3, explanation: p3.explanation, cause: p3.cause });
    expect(r.links.map((l) => [l.ticketId, l.state])).toEqual([['T-1', 'contacted'], ['T-2', 'contacted'], ['T-3', 'contacted']]);
    expect(s.get(p3.id)).toEqual(r);
    expect(s.problemOf('T-2')).toBe(p3.id);
    expect(s.problemOf('T-9')).toBeNull();
    expect(s.get('P-nope')).toBeNull();
    s.close();
  });

  it('is resolved when every linked ticket is, open again when one reopens', () => {
    const s = open();
    s.save(p3, opened);
    expect(s.setTicketState('T-1', 'resolved')!.openTickets).toBe(2);
    s.setTicketState('T-2', 'resolved');
    expect(s.setTicketState('T-3', 'resolved')).toMatchObject({ state: 'resolved', openTickets: 0 });
    expect(s.list({ state: 'resolved' }).map((p) => p.id)).toEqual([p3.id]);
    expect(s.list({ state: 'open' })).toEqual([]);
    expect(s.setTicketState('T-2', 'opened')!.state).toBe('open');
    expect(s.setTicketState('T-unlinked', 'resolved')).toBeNull();
    // a state it is in already changes nothing
    expect(s.setTicketState('T-2', 'opened')).toBeNull();
    s.close();
  });

  it('adds links when a problem grows and keeps the states it knew', () => {
    const s = open();
    s.save(p3, opened);
    s.setTicketState('T-1', 'resolved');
    const grown: Problem = { ...p3, links: [...p3.links, { ticketId: 'T-4', openedAt: T0 + 3 * H }], lastAt: T0 + 3 * H };
    const r = s.save(grown, () => 'opened');
    expect(r.links.map((l) => l.state)).toEqual(['resolved', 'contacted', 'contacted', 'opened']);
    expect(r.lastAt).toBe(T0 + 3 * H);
    s.close();
  });

  it('lists newest first, limits, finds recent ones and counts per key', () => {
    const s = open();
    const [a, b] = groupTickets([fact(1, T0), fact(2, T0 + H), fact(3, T0 + 2 * H), fact(4, T0 + 20 * H), fact(5, T0 + 21 * H), fact(6, T0 + 22 * H)]);
    s.save(a!, opened);
    s.save(b!, opened);
    expect(s.list().map((p) => p.id)).toEqual([b!.id, a!.id]);
    expect(s.list({ limit: 1 }).map((p) => p.id)).toEqual([b!.id]);
    expect(s.recent(T0 + 10 * H).map((p) => p.id)).toEqual([b!.id]);
    expect(s.counts()).toEqual({ [a!.key]: 2 });
    s.close();
  });
});

describe('the SQLite problem store', () => {
  it('keeps problems across a reopen of the file, next to the other stores', () => {
    const file = tmpDb();
    const [p] = groupTickets([fact(1, T0), fact(2, T0 + H), fact(3, T0 + 2 * H)]);
    const s = openSqliteProblemStore({ path: file });
    s.save(p!, opened);
    s.close();
    const again = openSqliteProblemStore({ path: file });
    expect(again.get(p!.id)).toMatchObject({ id: p!.id, openTickets: 3 });
    again.close();
  });
});
