import { describe, expect, it } from 'vitest';
import { causesOf, createGrouping, explain, groupTickets, spanText, type TicketFact } from '../../../helpdesk/problems/group.js';

const H = 3600_000;
const T0 = Date.parse('2020-11-02T17:00:00Z');
const KOELN = { lat: 50.94, lon: 6.96 };
const BONN = { lat: 50.73, lon: 7.1 };

function car(n: number, at: number, model = 'VARTA-60', home = KOELN, kind = 'battery-discharge'): TicketFact {
  return { ticketId: `T-${String(n).padStart(3, '0')}`, kind, deviceKind: 'car-battery', openedAt: at, causes: causesOf({ kind: 'car-battery', model }, home) };
}

/** every permutation of xs (small n) */
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

function arrive(facts: TicketFact[], options = {}) {
  const g = createGrouping(options);
  const out = new Map<string, ReturnType<typeof g.add>['changed'][number]>();
  for (const f of facts) for (const p of g.add(f).changed) out.set(p.id, p);
  return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('grouping tickets into problems', () => {
  it('opens a problem at the threshold and links the earlier tickets of the window retroactively', () => {
    const g = createGrouping({ threshold: 3, windowMs: 6 * H });
    expect(g.add(car(1, T0)).problemId).toBeNull();
    expect(g.add(car(2, T0 + H)).problemId).toBeNull();
    const third = g.add(car(3, T0 + 2 * H));
    expect(third.opened).toBe(true);
    const p = third.changed[0]!;
    expect(p.links.map((l) => l.ticketId)).toEqual(['T-001', 'T-002', 'T-003']);
    expect(p.cause).toMatchObject({ attr: 'model', value: 'VARTA-60' });
    expect(p.openedAt).toBe(T0 + 2 * H);
    expect(p.explanation).toBe("3 battery-discharge tickets on cars with batteries 'VARTA-60' within 2 h");
    // a fourth joins the open problem
    const fourth = g.add(car(4, T0 + 5 * H));
    expect(fourth).toMatchObject({ problemId: p.id, opened: false });
    expect(fourth.changed[0]!.links).toHaveLength(4);
  });

  it('below the threshold no problem opens', () => {
    expect(groupTickets([car(1, T0), car(2, T0 + H)], { threshold: 3 })).toEqual([]);
    expect(groupTickets([car(1, T0), car(2, T0 + H)], { threshold: 2 })).toHaveLength(1);
  });

  it('tickets further apart than the window do not open a problem', () => {
    const spread = [car(1, T0), car(2, T0 + 7 * H), car(3, T0 + 14 * H)];
    expect(groupTickets(spread, { windowMs: 6 * H })).toEqual([]);
    // two within one window and the third 7 h later: still no three within one window
    expect(groupTickets([car(1, T0), car(2, T0 + H), car(3, T0 + 8 * H)], { windowMs: 6 * H })).toEqual([]);
    // a wider window groups them
    expect(groupTickets(spread, { windowMs: 14 * H })).toHaveLength(1);
  });

  it('a ticket after the window of the last one starts over: a second problem of the same cause', () => {
    const first = [car(1, T0), car(2, T0 + H), car(3, T0 + 2 * H)];
    const later = [car(4, T0 + 20 * H), car(5, T0 + 21 * H), car(6, T0 + 22 * H)];
    const ps = groupTickets([...first, ...later], { windowMs: 6 * H });
    expect(ps.map((p) => p.links.map((l) => l.ticketId))).toEqual([['T-001', 'T-002', 'T-003'], ['T-004', 'T-005', 'T-006']]);
    expect(ps[0]!.id.endsWith('-1')).toBe(true);
    expect(ps[1]!.id.endsWith('-2')).toBe(true);
    expect(ps[0]!.id.slice(0, -2)).toBe(ps[1]!.id.slice(0, -2));
  });

  it('different causes stay apart: another model, another area, another ticket kind', () => {
    const ps = groupTickets([
      car(1, T0, 'VARTA-60', KOELN), car(2, T0 + H, 'BOSCH-S4', BONN), car(3, T0 + 2 * H, 'VARTA-60', BONN),
      car(4, T0 + 3 * H, 'VARTA-60', KOELN, 'battery-weak'),
    ]);
    expect(ps).toEqual([]);
  });

  it('the model comes before the area; without a model the area groups', () => {
    const fridges: TicketFact[] = [1, 2, 3].map((n) => ({
      ticketId: `T-F${n}`, kind: 'fridge-warm', deviceKind: 'fridge', openedAt: T0 + n * 600_000, causes: causesOf({ kind: 'fridge', model: `M-${n}` }, KOELN),
    }));
    const [p] = groupTickets(fridges);
    expect(p!.cause.attr).toBe('area');
    expect(p!.explanation).toBe('3 fridge-warm tickets on fridges in the area around 50.88°N 6.88°E within 20 min');
    const cars = groupTickets([car(1, T0), car(2, T0 + H), car(3, T0 + 2 * H)]);
    expect(cars.map((x) => x.cause.attr)).toEqual(['model']);
  });

  it('a cause shared by many devices needs tickets on a share of them too (minShare), not only the threshold', () => {
    const many = (n: number, at: number, population: number): TicketFact => {
      const f = car(n, at);
      return { ...f, causes: f.causes.filter((c) => c.attr === 'model').map((c) => ({ ...c, population })) };
    };
    const three = [many(1, T0, 1000), many(2, T0 + H, 1000), many(3, T0 + 2 * H, 1000)];
    // 3 of 1,000 cars in 6 h is the fleet's ordinary day at a 2 % share: no problem
    expect(groupTickets(three, { minShare: 0.02 })).toEqual([]);
    const twenty = Array.from({ length: 20 }, (_, i) => many(i, T0 + i * 60_000, 1000));
    expect(groupTickets(twenty, { minShare: 0.02 })).toHaveLength(1);
    expect(groupTickets(twenty, { minShare: 0.02 })[0]!.openedAt).toBe(T0 + 19 * 60_000);
    // a small population: the threshold rules
    expect(groupTickets(three.map((f) => ({ ...f, causes: f.causes.map((c) => ({ ...c, population: 10 })) })))).toHaveLength(1);
  });

  it('any arrival order of tickets within one window gives the same problem', () => {
    const facts = [car(1, T0), car(2, T0 + 20 * 60_000), car(3, T0 + H), car(4, T0 + 90 * 60_000), car(5, T0 + 2 * H)];
    const reference = groupTickets(facts);
    expect(reference).toHaveLength(1);
    expect(reference[0]!.openedAt).toBe(T0 + H);
    for (const order of permutations(facts)) expect(arrive(order)).toEqual(reference);
  });

  it('is deterministic: the same tickets give the same ids', () => {
    const facts = [car(1, T0), car(2, T0 + H), car(3, T0 + 2 * H)];
    expect(groupTickets(facts)[0]!.id).toBe(groupTickets(facts)[0]!.id);
    expect(groupTickets(facts)[0]!.id).toMatch(/^P-[0-9a-f]{10}-1$/);
  });

  it('forgets waiting tickets two windows behind the newest, so memory stays bounded', () => {
    const g = createGrouping({ windowMs: H, threshold: 3 });
    for (let i = 0; i < 1000; i++) g.add(car(i, T0 + i * 3 * H, `M-${i}`));
    expect(g.held().waiting).toBeLessThanOrEqual(1);
  });

  it('a ticket added twice counts once', () => {
    const g = createGrouping({ threshold: 2 });
    g.add(car(1, T0));
    expect(g.add(car(1, T0)).changed).toEqual([]);
  });

  it('spans read as upper bounds', () => {
    expect(spanText(0)).toBe('1 min');
    expect(spanText(45 * 60_000)).toBe('45 min');
    expect(spanText(2 * H)).toBe('2 h');
    expect(spanText(2 * H + 60_000)).toBe('2.1 h');
    expect(explain({ kind: 'x', deviceKind: 'washer', cause: { attr: 'model', value: 'W1', label: "model 'W1'" }, firstAt: 0, lastAt: 0, links: [{ ticketId: 'a', openedAt: 0 }] })).toBe("1 x ticket on washers with model 'W1' within 1 min");
  });
});
