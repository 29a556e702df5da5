/** The expectation evaluator: each kind of expectation, met and not met, with the words it prints. */
import { describe, expect, it } from 'vitest';
import { checkExpectations, renderExpectations, type ReportView } from '../../scenarios/expect/check.js';
import { Expect } from '../../scenarios/expect/schema.js';

const T = (hhmm: string, day = '02'): string => `2020-11-${day}T${hhmm}:00+01:00`;

function ticket(over: Partial<ReportView['tickets'][number]> = {}): ReportView['tickets'][number] {
  return {
    id: 'T-1',
    customerId: 'maria',
    deviceId: 'car',
    kind: 'battery-discharge',
    state: 'resolved',
    openedAt: T('18:41'),
    channel: 'car-display',
    resolvedAt: T('18:43'),
    proactive: true,
    ...over,
  };
}

const washer: ReportView['loads'][number] = {
  deviceId: 'washer',
  programme: 'cotton-40',
  deadline: T('07:00', '03'),
  plannedStart: T('02:52', '03'),
  actualStart: T('02:52', '03'),
  finishedAt: T('04:54', '03'),
  costEur: 0.011755,
  optimalCostEur: 0.011755,
};

function report(over: Partial<ReportView> = {}): ReportView {
  return {
    simulated: { start: T('08:00') },
    tickets: [ticket()],
    loads: [washer],
    shopping: [{ customerId: 'maria', recipe: 'Putengeschnetzeltes', store: { id: 'edeka-ehrenfeld' } }],
    ...over,
  };
}

const check = (r: ReportView, block: unknown) => checkExpectations(r, Expect.parse(block));
const battery = { customer: 'maria', device: 'car', kind: 'battery-discharge' };

describe('ticket expectations', () => {
  it('are met by a ticket of that customer, device and kind opened within the window, and say when it was opened', () => {
    const [r] = check(report(), { tickets: [{ ...battery, opened: { from: T('18:35'), to: T('18:50') }, channel: 'car-display', state: 'resolved', resolvedWithinMin: 5, proactive: true }] });
    expect(r).toEqual({
      path: 'tickets.0',
      ok: true,
      text: 'expected a battery-discharge ticket for maria/car opened 18:35–18:50, via car-display, resolved within 5 min, proactive, got T-1 opened 18:41 via car-display, resolved 18:43',
    });
  });

  it('fail when no ticket of that kind was opened for the device, naming what was opened instead', () => {
    expect(check(report({ tickets: [] }), { tickets: [battery] })[0]).toMatchObject({ ok: false, text: 'expected a battery-discharge ticket for maria/car, got no ticket for that device' });
    const weak = report({ tickets: [ticket({ kind: 'battery-weak' })] });
    expect(check(weak, { tickets: [battery] })[0]).toMatchObject({ ok: false, text: 'expected a battery-discharge ticket for maria/car, got only battery-weak (18:41)' });
  });

  it("fail on another customer's device of the same name", () => {
    const r = report({ tickets: [ticket({ customerId: 'jonas' })] });
    expect(check(r, { tickets: [battery] })[0]!.ok).toBe(false);
  });

  it('fail when opened outside the window', () => {
    const [r] = check(report(), { tickets: [{ ...battery, opened: { from: T('18:45'), to: T('18:50') } }] });
    expect(r).toMatchObject({ ok: false, text: 'expected a battery-discharge ticket for maria/car opened 18:45–18:50, got T-1: opened 18:41' });
  });

  it('fail on another channel, another state, a late or missing resolution, and proactivity', () => {
    const r = report({ tickets: [ticket({ channel: 'sms', state: 'escalated', resolvedAt: null, proactive: false })] });
    const [x] = check(r, { tickets: [{ ...battery, channel: 'car-display', state: 'resolved', resolvedWithinMin: 5, proactive: true }] });
    expect(x!.ok).toBe(false);
    expect(x!.text).toMatch(/got T-1: contacted via sms, state escalated, not resolved, not proactive$/);
    const late = check(report({ tickets: [ticket({ resolvedAt: T('19:11') })] }), { tickets: [{ ...battery, resolvedWithinMin: 10 }] })[0]!;
    expect(late).toMatchObject({ ok: false, text: 'expected a battery-discharge ticket for maria/car resolved within 10 min, got T-1: resolved after 30 min' });
    const escalated = check(report(), { tickets: [{ ...battery, state: 'escalated' }] })[0]!;
    expect(escalated).toMatchObject({ ok: false, text: 'expected a battery-discharge ticket for maria/car ending escalated, got T-1: state resolved' });
  });

  it('each claim one ticket: two expectations need two tickets', () => {
    const one = check(report(), { tickets: [battery, battery] });
    expect(one.map((r) => r.ok)).toEqual([true, false]);
    const two = check(report({ tickets: [ticket(), ticket({ id: 'T-2', openedAt: T('20:00') })] }), { tickets: [battery, battery] });
    expect(two.map((r) => r.ok)).toEqual([true, true]);
  });
});

describe('noOtherTickets', () => {
  it('passes when every ticket was expected, and lists the unexpected ones when not', () => {
    expect(check(report(), { tickets: [battery], noOtherTickets: true })[1]).toEqual({ path: 'noOtherTickets', ok: true, text: 'expected no other tickets, got none' });
    const extra = report({ tickets: [ticket(), ticket({ id: 'T-2', deviceId: 'fridge', kind: 'fridge-door-open', openedAt: T('02:10', '03') })] });
    expect(check(extra, { tickets: [battery], noOtherTickets: true })[1]).toEqual({
      path: 'noOtherTickets',
      ok: false,
      text: 'expected no other tickets, got 1: fridge-door-open for maria/fridge opened 2020-11-03 02:10',
    });
  });

  it('with no ticket expected, means no ticket at all (the control day)', () => {
    expect(check(report({ tickets: [] }), { noOtherTickets: true })).toEqual([{ path: 'noOtherTickets', ok: true, text: 'expected no other tickets, got none' }]);
    expect(check(report(), { noOtherTickets: true })[0]!.ok).toBe(false);
  });

  it('is not checked unless asked for', () => {
    expect(check(report(), {})).toEqual([]);
  });
});

describe('load expectations', () => {
  const optimum = { customer: 'maria', device: 'washer', atOptimum: true, started: { from: T('01:00', '03'), to: T('05:00', '03') }, finishedByDeadline: true };

  it('are met by a load started as planned at the optimal cost, within the window, done by its deadline', () => {
    expect(check(report(), { loads: [optimum] })[0]).toEqual({
      path: 'loads.0',
      ok: true,
      text: 'expected a load of maria/washer at the optimum, started 2020-11-03 01:00–05:00, finished by its deadline, got cotton-40 started 2020-11-03 02:52, €0.011755 (the optimum)',
    });
  });

  it('fail when it costs more than the optimum, started off plan, late, or never', () => {
    const dear = report({ loads: [{ ...washer, actualStart: T('20:30'), costEur: 0.0196, finishedAt: T('08:00', '03') }] });
    const [r] = check(dear, { loads: [optimum] });
    expect(r!.ok).toBe(false);
    expect(r!.text).toMatch(/got cotton-40: started 20:30, planned 2020-11-03 02:52, cost €0.0196 against an optimum of €0.011755, started 20:30, finished 2020-11-03 08:00, after its deadline 2020-11-03 07:00$/);
    const never = report({ loads: [{ ...washer, plannedStart: null, actualStart: null, finishedAt: null, costEur: null }] });
    expect(check(never, { loads: [{ customer: 'maria', device: 'washer', atOptimum: true }] })[0]!.text).toMatch(/got cotton-40: never planned or started, no cost to compare$/);
    expect(check(report({ loads: [] }), { loads: [optimum] })[0]).toMatchObject({ ok: false, text: expect.stringMatching(/got no load for that device$/) });
  });

  it("match the customer when the report keys loads by customer", () => {
    const other = report({ loads: [{ ...washer, customerId: 'jonas' }] });
    expect(check(other, { loads: [optimum] })[0]!.ok).toBe(false);
    expect(check(report({ loads: [{ ...washer, customerId: 'maria' }] }), { loads: [optimum] })[0]!.ok).toBe(true);
  });
});

describe('shopping expectations', () => {
  it("are met when the answer names the store, and fail naming the store it named", () => {
    expect(check(report(), { shopping: [{ customer: 'maria', store: 'edeka-ehrenfeld' }] })[0]).toEqual({
      path: 'shopping.0',
      ok: true,
      text: "expected maria's shopping answer to name store edeka-ehrenfeld, got edeka-ehrenfeld",
    });
    expect(check(report(), { shopping: [{ customer: 'maria', store: 'aldi-nippes' }] })[0]).toMatchObject({
      ok: false,
      text: "expected maria's shopping answer to name store aldi-nippes, got edeka-ehrenfeld",
    });
  });

  it('expect no store with null, and fail when there was no answer', () => {
    const none = report({ shopping: [{ customerId: 'maria', recipe: 'Putengeschnetzeltes', store: null }] });
    expect(check(none, { shopping: [{ customer: 'maria', store: null }] })[0]!.ok).toBe(true);
    expect(check(report(), { shopping: [{ customer: 'maria', store: null }] })[0]!.ok).toBe(false);
    expect(check(report({ shopping: [] }), { shopping: [{ customer: 'maria', recipe: 'Soup', store: 'x' }] })[0]).toMatchObject({
      ok: false,
      text: "expected maria's shopping answer for Soup to name store x, got no answer",
    });
  });
});

describe('the printed list', () => {
  it('marks each result and counts the failures', () => {
    const results = check(report(), { tickets: [battery], shopping: [{ customer: 'maria', store: 'aldi-nippes' }] });
    expect(renderExpectations(results)).toBe(
      [
        'Expectations: 1 of 2 failed',
        '  ✓ tickets.0: expected a battery-discharge ticket for maria/car, got T-1 opened 18:41 via car-display, resolved 18:43',
        "  ✗ shopping.0: expected maria's shopping answer to name store aldi-nippes, got edeka-ehrenfeld",
      ].join('\n'),
    );
    expect(renderExpectations(results.slice(0, 1)).split('\n')[0]).toBe('Expectations: all 1 met');
  });
});
