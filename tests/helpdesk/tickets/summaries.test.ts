/**
 * The store's summary query (TicketStore.summaries): filters, orders, keyset and offset pages and the
 * count, in SQL, without timelines; checked by hand on a few tickets, and against the in-memory
 * reference (summarizeTickets over list()) on many.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Severity, TicketState } from '../../../contracts/index.js';
import * as life from '../../../helpdesk/tickets/lifecycle.js';
import { SCHEMA_VERSION, migrate, openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import {
  TICKET_SORT_KEYS,
  summarizeTickets,
  summaryOf,
  type TicketStore,
  type TicketSummaryQuery,
} from '../../../helpdesk/tickets/store.js';
import { prng } from '../../../devices/kinds/rng.js';
import { memoryTicketStores, ok } from '../../helpers/ticket-store.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const T0 = Date.UTC(2020, 10, 2, 17);
const MIN = 60_000;
const SLA = { critical: 5, high: 15, medium: 60, low: 240 };
const by = 'helpdesk';

function opened(key: string, o: { at?: number; severity?: Severity; proactive?: boolean; kind?: string; customerId?: string; deviceId?: string } = {}): life.Ticket {
  return ok(
    life.open({
      incidentKey: key,
      customerId: o.customerId ?? 'maria',
      deviceId: o.deviceId ?? 'car',
      kind: o.kind ?? 'battery-discharge',
      severity: o.severity ?? 'high',
      at: o.at ?? T0,
      proactive: o.proactive ?? true,
      evidence: { observed: 'x'.repeat(100) },
    }),
  );
}

/** n tickets of every severity, state, kind and device, some opened at the same time, some assigned and acknowledged */
function seed(store: TicketStore, n: number, rnd = prng(7)): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let i = 0; i < n; i++) {
    const at = T0 + Math.floor(rnd() * 40) * MIN; // many ties on openedAt: the id decides
    let t = store.openIdempotent(
      opened(`inc-${i}`, {
        at,
        severity: pick(['low', 'medium', 'high', 'critical'] as const),
        proactive: rnd() < 0.7,
        kind: pick(['battery-discharge', 'fridge-warm', 'washer-drain']),
        customerId: pick(['anna', 'maria', 'zoe']),
        deviceId: pick(['car', 'fridge']),
      }),
    ).ticket;
    let now = at;
    const step = () => (now += Math.floor(1 + rnd() * 20) * MIN);
    const r = rnd();
    if (rnd() < 0.3) t = ok(life.addNote(t, { at: step(), by: pick(['alice', 'bob']), text: 'mine', detail: { kind: 'assigned', to: pick(['alice', 'bob']) } }));
    if (rnd() < 0.3) t = ok(life.addNote(t, { at: step(), by: pick(['alice', 'bob']), text: 'seen', detail: { kind: 'acknowledged' } }));
    if (r < 0.2) {
      // stays opened
    } else if (r < 0.4) {
      t = ok(life.contact(t, { at: step(), channel: 'sms', text: 'Hello, we noticed a problem.', by }));
    } else if (r < 0.55) {
      t = ok(life.sendAction(ok(life.contact(t, { at: step(), channel: 'email', text: 'Hello, we noticed a problem.', by })), { at: step(), action: 'battery-saver', commandId: `c-${i}`, by }));
    } else if (r < 0.7) {
      t = ok(life.escalate(t, { at: step(), reason: 'no remote fix', offer: {}, by }));
    } else {
      t = ok(life.resolve(t, { at: step(), resolution: 'gone', by }));
      if (rnd() < 0.2) t = ok(life.reopen(t, { at: step(), by: 'alice', note: 'back' }));
    }
    if (rnd() < 0.1) t = ok(life.addNote(t, { at: step(), by: 'bob', text: 'odd', detail: { kind: 'assigned', to: 7 } })); // not a name: ignored
    store.save(t);
  }
}

describe('summaries (sqlite, :memory:)', () => {
  const mem = memoryTicketStores();

  it('returns summaries: no timeline or evidence; version, assignee and acknowledgedBy from the timeline', () => {
    let t = mem.store.openIdempotent(opened('a')).ticket;
    t = ok(life.addNote(t, { at: T0 + 1, by: 'alice', text: 'mine', detail: { kind: 'assigned', to: 'alice' } }));
    t = ok(life.addNote(t, { at: T0 + 2, by: 'bob', text: 'seen', detail: { kind: 'acknowledged' } }));
    t = ok(life.addNote(t, { at: T0 + 3, by: 'alice', text: 'yours', detail: { kind: 'assigned', to: 'bob' } }));
    t = ok(life.contact(t, { at: T0 + 4, channel: 'sms', text: 'Hello, we noticed a problem.', by }));
    mem.store.save(t);
    const page = mem.store.summaries();
    expect(page).toEqual({ total: 1, tickets: [summaryOf(t)], next: null });
    expect(page.tickets[0]).toMatchObject({ id: t.id, version: 5, assignee: 'bob', acknowledgedBy: 'bob', state: 'contacted', contactedAt: T0 + 4, channel: 'sms' });
    expect(page.tickets[0]).not.toHaveProperty('timeline');
    expect(page.tickets[0]).not.toHaveProperty('evidence');
  });

  it('filters by states, severities, proactive, customer and device, and counts what matches', () => {
    const a = mem.store.openIdempotent(opened('a', { at: T0, severity: 'critical' })).ticket;
    const b = mem.store.openIdempotent(opened('b', { at: T0 + MIN, severity: 'low', proactive: false, deviceId: 'fridge' })).ticket;
    const c = mem.store.openIdempotent(opened('c', { at: T0 + 2 * MIN, severity: 'high', customerId: 'zoe' })).ticket;
    mem.store.save(ok(life.resolve(b, { at: T0 + 3 * MIN, resolution: 'ok', by })));
    mem.store.save(ok(life.contact(c, { at: T0 + 3 * MIN, channel: 'sms', text: 'Hello, we noticed a problem.', by })));
    const ids = (q: TicketSummaryQuery) => {
      const p = mem.store.summaries(q);
      return [p.total, p.tickets.map((t) => t.id)];
    };
    expect(ids({})).toEqual([3, [c.id, b.id, a.id]]);
    expect(ids({ states: ['resolved'] })).toEqual([1, [b.id]]);
    expect(ids({ states: ['opened', 'contacted', 'action-sent', 'escalated'] })).toEqual([2, [c.id, a.id]]);
    expect(ids({ states: [] })).toEqual([0, []]);
    expect(ids({ severities: ['critical', 'low'] })).toEqual([2, [b.id, a.id]]);
    expect(ids({ proactive: false })).toEqual([1, [b.id]]);
    expect(ids({ proactive: true, severities: ['high'] })).toEqual([1, [c.id]]);
    expect(ids({ customerId: 'zoe' })).toEqual([1, [c.id]]);
    expect(ids({ customerId: 'maria', deviceId: 'car' })).toEqual([1, [a.id]]);
    expect(ids({ states: ['escalated'] })).toEqual([0, []]);
  });

  it('orders by every key, either way; ties fall to openedAt, then id', () => {
    const t1 = mem.store.openIdempotent(opened('t1', { at: T0, severity: 'low', kind: 'washer-drain' })).ticket; // due T0+240
    const t2 = mem.store.openIdempotent(opened('t2', { at: T0 + MIN, severity: 'critical', kind: 'battery-discharge', customerId: 'anna' })).ticket; // overdue at T0+30
    const t3 = mem.store.openIdempotent(opened('t3', { at: T0 + 2 * MIN, severity: 'high', kind: 'fridge-warm', customerId: 'zoe' })).ticket;
    mem.store.save(ok(life.contact(t3, { at: T0 + 3 * MIN, channel: 'sms', text: 'Hello, we noticed a problem.', by }))); // contacted after 1 min
    mem.store.save(ok(life.escalate(t1, { at: T0 + 4 * MIN, reason: 'r', offer: {}, by })));
    const order = (sort: (typeof TICKET_SORT_KEYS)[number], o: 'asc' | 'desc') =>
      mem.store.summaries({ sort, order: o, sla: { now: T0 + 30 * MIN, minutes: SLA } }).tickets.map((t) => t.id);
    expect(order('opened', 'desc')).toEqual([t3.id, t2.id, t1.id]);
    expect(order('opened', 'asc')).toEqual([t1.id, t2.id, t3.id]);
    expect(order('severity', 'asc')).toEqual([t2.id, t3.id, t1.id]);
    expect(order('state', 'asc')).toEqual([t2.id, t1.id, t3.id]); // opened, escalated, contacted
    expect(order('contact', 'asc')).toEqual([t3.id, t1.id, t2.id]); // the waiting ones last, oldest first
    expect(order('sla', 'asc')).toEqual([t2.id, t1.id, t3.id]); // overdue, due, met
    expect(order('sla', 'desc')).toEqual([t3.id, t1.id, t2.id]);
    expect(order('kind', 'asc')).toEqual([t2.id, t3.id, t1.id]);
    expect(order('device', 'asc')).toEqual([t2.id, t1.id, t3.id]); // anna, maria, zoe
    expect(() => mem.store.summaries({ sort: 'sla' })).toThrowError(/sla/);
  });

  it('pages with limit and keyset (next), and with offset, without repeating or skipping a row', () => {
    seed(mem.store, 60);
    const all = mem.store.summaries({ sort: 'severity', order: 'asc' }).tickets.map((t) => t.id);
    expect(new Set(all).size).toBe(60);
    const seen: string[] = [];
    let page = mem.store.summaries({ sort: 'severity', order: 'asc', limit: 25 });
    expect(page.total).toBe(60);
    for (;;) {
      seen.push(...page.tickets.map((t) => t.id));
      if (!page.next) break;
      expect(page.tickets).toHaveLength(25);
      page = mem.store.summaries({ sort: 'severity', order: 'asc', limit: 25, after: page.next });
      expect(page.total).toBe(60);
    }
    expect(seen).toEqual(all);
    expect(mem.store.summaries({ sort: 'severity', order: 'asc', limit: 10, offset: 50 }).tickets.map((t) => t.id)).toEqual(all.slice(50));
    expect(mem.store.summaries({ sort: 'severity', order: 'asc', limit: 10, offset: 50 }).next).toBeNull();
    expect(mem.store.summaries({ sort: 'severity', order: 'asc', limit: 10, offset: 40 }).next).not.toBeNull();
    expect(mem.store.summaries({ limit: 0 })).toEqual({ total: 60, tickets: [], next: null });
    expect(mem.store.summaries({ limit: 60 }).next).toBeNull();
    expect(() => mem.store.summaries({ sort: 'severity', after: ['x'] })).toThrowError(/after/);
  });

  it('a ticket opened between two pages comes on the first page, not again on the next (keyset)', () => {
    seed(mem.store, 30);
    const first = mem.store.summaries({ limit: 10 });
    mem.store.openIdempotent(opened('newest', { at: T0 + 1000 * MIN }));
    const second = mem.store.summaries({ limit: 10, after: first.next! });
    expect(second.total).toBe(31);
    const ids = [...first.tickets, ...second.tickets].map((t) => t.id);
    expect(new Set(ids).size).toBe(20);
    expect(second.tickets.map((t) => t.id)).toEqual(mem.store.summaries({ limit: 21 }).tickets.slice(11).map((t) => t.id));
  });

  it('answers like summarizeTickets over list(), for every filter, order and page', () => {
    seed(mem.store, 300, prng(2020));
    const tickets = mem.store.list();
    const states: TicketState[][] = [['opened'], ['opened', 'contacted', 'action-sent', 'escalated'], ['resolved', 'escalated']];
    const rnd = prng(99);
    for (const sort of TICKET_SORT_KEYS) {
      for (const order of ['asc', 'desc'] as const) {
        for (let k = 0; k < 4; k++) {
          const q: TicketSummaryQuery = {
            sort,
            order,
            sla: { now: T0 + Math.floor(rnd() * 300) * MIN, minutes: SLA },
            limit: 1 + Math.floor(rnd() * 70),
            ...(rnd() < 0.5 ? { states: states[Math.floor(rnd() * states.length)]! } : {}),
            ...(rnd() < 0.3 ? { severities: rnd() < 0.5 ? ['high'] : ['low', 'critical'] } : {}),
            ...(rnd() < 0.3 ? { proactive: rnd() < 0.5 } : {}),
            ...(rnd() < 0.2 ? { customerId: 'maria' } : {}),
            ...(rnd() < 0.2 ? { deviceId: 'fridge' } : {}),
          };
          let sql = mem.store.summaries(q);
          let ref = summarizeTickets(tickets, q);
          for (let pages = 0; ; pages++) {
            expect(sql, `${sort} ${order} page ${pages}`).toEqual(ref);
            if (!sql.next) break;
            sql = mem.store.summaries({ ...q, after: sql.next });
            ref = summarizeTickets(tickets, { ...q, after: ref.next! });
          }
          const offset = Math.floor(rnd() * 100);
          expect(mem.store.summaries({ ...q, offset })).toEqual(summarizeTickets(tickets, { ...q, offset }));
        }
      }
    }
  });
});

describe('summaries (sqlite file)', () => {
  const tmp = tempDirPerTest('evernet-summaries-');

  it('migrates a version 1 database (adds the state index), keeping its tickets', () => {
    const file = tmp.join('v1.db');
    const store = openSqliteStore({ path: file });
    seed(store, 20);
    const before = store.list();
    store.close();
    const raw = new Database(file);
    raw.exec('DROP INDEX tickets_state_opened');
    raw.pragma('user_version = 1');
    expect(migrate(raw)).toBe(SCHEMA_VERSION);
    expect(raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'tickets_state_opened'`).get()).toBeTruthy();
    const plan = raw.prepare(`EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE state IN ('opened') ORDER BY opened_at DESC, id DESC LIMIT 5`).all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/tickets_state_opened/);
    raw.close();
    const again = openSqliteStore({ path: file });
    expect(again.list()).toEqual(before);
    expect(again.summaries({ limit: 5 }).total).toBe(20);
    again.close();
  });
});
