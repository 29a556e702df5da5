import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TICKET_STATES, type TicketState } from '../../../contracts/index.js';
import {
  ALLOWED_TRANSITIONS,
  TICKET_ERR,
  addNote,
  canTransition,
  confirmAction,
  contact,
  escalate,
  failAction,
  isOpen,
  open,
  reopen,
  resolve,
  sendAction,
  ticketId,
  ticketOf,
  type Ticket,
  type TransitionResult,
} from '../../../helpdesk/tickets/lifecycle.js';

const T0 = Date.UTC(2020, 0, 15, 6, 30);
const by = 'helpdesk';

const ok = ticketOf;
function err(r: TransitionResult): string {
  if (r.ok) throw new Error(`expected an error, got state ${r.ticket.state}`);
  return r.error.code;
}

const opened = (): Ticket =>
  ok(
    open({
      incidentKey: 'car-1:battery-discharge:2020-01-15',
      deviceId: 'car-1',
      customerId: 'cust-1',
      kind: 'battery-discharge',
      severity: 'high',
      at: T0,
      evidence: { voltageV: 11.9 },
      proactive: true,
    }),
  );
const contacted = (): Ticket => ok(contact(opened(), { at: T0 + 1000, channel: 'car-display', text: 'Hello, we noticed a problem.', by }));
const actionSent = (): Ticket =>
  ok(sendAction(contacted(), { at: T0 + 2000, action: 'battery-saver', commandId: 'cmd-1', by }));
const escalated = (): Ticket =>
  ok(escalate(actionSent(), { at: T0 + 3000, reason: 'still draining', offer: { workshop: 'ws-1' }, by }));
const resolved = (): Ticket => ok(resolve(actionSent(), { at: T0 + 3000, resolution: 'saver on', by }));

const IN_STATE: Record<TicketState, () => Ticket> = {
  opened,
  contacted,
  'action-sent': actionSent,
  escalated,
  resolved,
};

/** one representative move into each target state, applied at time `at` */
const MOVE: Record<TicketState, (t: Ticket, at: number) => TransitionResult> = {
  opened: (t, at) => reopen(t, { at, by, note: 'again' }),
  contacted: (t, at) => contact(t, { at, channel: 'email', text: 'Hello, we noticed a problem.', by }),
  'action-sent': (t, at) => sendAction(t, { at, action: 'battery-saver', commandId: 'cmd-9', by }),
  escalated: (t, at) => escalate(t, { at, reason: 'r', offer: { replacementCar: true }, by }),
  resolved: (t, at) => resolve(t, { at, resolution: 'done', by }),
};

describe('open', () => {
  it('creates an opened ticket with a deterministic id and one timeline entry', () => {
    const t = opened();
    expect(t.id).toBe(ticketId('car-1:battery-discharge:2020-01-15'));
    expect(t).toMatchObject({
      state: 'opened',
      openedAt: T0,
      updatedAt: T0,
      contactedAt: null,
      channel: null,
      actionSentAt: null,
      resolvedAt: null,
      resolution: null,
      proactive: true,
      evidence: { voltageV: 11.9 },
    });
    expect(t.timeline).toEqual([{ at: T0, step: 'opened', by: 'helpdesk', detail: { kind: 'battery-discharge', severity: 'high', proactive: true } }]);
  });

  it('rejects an empty incident key and a non-finite time', () => {
    const base = { incidentKey: 'k', deviceId: 'd', customerId: 'c', kind: 'k', severity: 'low' as const, at: T0 };
    expect(err(open({ ...base, incidentKey: '' }))).toBe(TICKET_ERR.INPUT);
    expect(err(open({ ...base, at: Number.NaN }))).toBe(TICKET_ERR.TIME);
  });
});

describe('ticketId', () => {
  it("is 'T-' + the first 10 hex chars of sha256(incidentKey)", () => {
    const key = 'fridge-7:door-open:1';
    const hex = createHash('sha256').update(key).digest('hex');
    expect(ticketId(key)).toBe(`T-${hex.slice(0, 10)}`);
    expect(ticketId(key)).toMatch(/^T-[0-9a-f]{10}$/);
    expect(ticketId(key)).toBe(ticketId(key));
    expect(ticketId(key)).not.toBe(ticketId(key + 'x'));
  });
});

describe('transition table', () => {
  const pairs = TICKET_STATES.flatMap((from) => TICKET_STATES.map((to) => [from, to] as const));

  it.each(pairs)('%s -> %s follows ALLOWED_TRANSITIONS', (from, to) => {
    const before = IN_STATE[from]();
    const r = MOVE[to](before, before.updatedAt + 10);
    if (canTransition(from, to)) {
      const t = ok(r);
      expect(t.state).toBe(to);
      expect(t.updatedAt).toBe(before.updatedAt + 10);
      expect(t.timeline).toHaveLength(before.timeline.length + 1);
    } else {
      expect(err(r)).toBe(TICKET_ERR.STATE);
    }
  });

  it('allows exactly the documented moves', () => {
    expect(ALLOWED_TRANSITIONS).toEqual({
      opened: ['contacted', 'resolved', 'escalated'],
      contacted: ['action-sent', 'resolved', 'escalated'],
      'action-sent': ['resolved', 'escalated'],
      escalated: ['resolved'],
      resolved: ['opened'],
    });
  });
});

describe('transitions', () => {
  it('contact records channel, time and the message as sent (ticket, device, channel, text)', () => {
    const t = contacted();
    expect(t).toMatchObject({ state: 'contacted', channel: 'car-display', contactedAt: T0 + 1000 });
    expect(t.timeline.at(-1)).toEqual({
      at: T0 + 1000, step: 'contacted', by,
      detail: { channel: 'car-display', contact: { ticketId: t.id, deviceId: t.deviceId, channel: 'car-display', text: 'Hello, we noticed a problem.' } },
    });
    const why = ok(contact(opened(), { at: T0 + 1000, channel: 'car-display', text: 'Drive on.', reason: 'driving', shownOn: 'car', by }));
    expect(why.timeline.at(-1)!.detail).toMatchObject({ channel: 'car-display', reason: 'driving', shownOn: 'car', contact: { text: 'Drive on.' } });
  });

  it('escalate keeps the message that told the customer of the offer, when there was one', () => {
    const told = ok(escalate(contacted(), { at: T0 + 2000, reason: 'no remote fix', offer: { technician: true }, by, told: { channel: 'email', text: 'A technician will call.' } }));
    expect(told.timeline.at(-1)!.detail).toEqual({ reason: 'no remote fix', offer: { technician: true }, contact: { ticketId: told.id, deviceId: told.deviceId, channel: 'email', text: 'A technician will call.' } });
    const silent = ok(escalate(contacted(), { at: T0 + 2000, reason: 'remote action failed', offer: {}, by }));
    expect(silent.timeline.at(-1)!.detail).toEqual({ reason: 'remote action failed', offer: {} });
  });

  it('sendAction records the command', () => {
    const t = actionSent();
    expect(t).toMatchObject({ state: 'action-sent', actionSentAt: T0 + 2000 });
    expect(t.timeline.at(-1)?.detail).toEqual({ action: 'battery-saver', commandId: 'cmd-1' });
  });

  it('confirmAction and failAction record but stay action-sent', () => {
    const c = ok(confirmAction(actionSent(), { at: T0 + 2500, detail: { commandId: 'cmd-1' }, by: 'car-1' }));
    expect(c.state).toBe('action-sent');
    expect(c.timeline.at(-1)).toMatchObject({ step: 'action-confirmed', by: 'car-1', detail: { commandId: 'cmd-1' } });
    const f = ok(failAction(actionSent(), { at: T0 + 2500, detail: { code: 'EVN_ERR_X' }, by: 'car-1' }));
    expect(f.state).toBe('action-sent');
    expect(f.timeline.at(-1)?.step).toBe('action-failed');
    expect(err(confirmAction(contacted(), { at: T0 + 5000, detail: {}, by }))).toBe(TICKET_ERR.STATE);
    expect(err(failAction(resolved(), { at: T0 + 5000, detail: {}, by }))).toBe(TICKET_ERR.STATE);
  });

  it('escalate records reason and offer; an escalated ticket can be resolved', () => {
    const t = escalated();
    expect(t.state).toBe('escalated');
    expect(t.timeline.at(-1)?.detail).toEqual({ reason: 'still draining', offer: { workshop: 'ws-1' } });
    const r = ok(resolve(t, { at: T0 + 9000, resolution: 'battery replaced', by }));
    expect(r).toMatchObject({ state: 'resolved', resolvedAt: T0 + 9000, resolution: 'battery replaced' });
  });

  it('reopen clears the resolution and keeps openedAt', () => {
    const t = ok(reopen(resolved(), { at: T0 + 10_000, by, note: 'drained again' }));
    expect(t).toMatchObject({ state: 'opened', openedAt: T0, resolvedAt: null, resolution: null });
    expect(t.timeline.at(-1)).toEqual({ at: T0 + 10_000, step: 'opened', by, detail: { reopened: true, note: 'drained again' } });
    expect(isOpen(t)).toBe(true);
  });

  it('stale transitions are EVN_ERR_TICKET_STATE', () => {
    expect(err(resolve(resolved(), { at: T0 + 9000, resolution: 'again', by }))).toBe('EVN_ERR_TICKET_STATE');
    expect(err(contact(contacted(), { at: T0 + 9000, channel: 'sms', text: 'Hello, we noticed a problem.', by }))).toBe('EVN_ERR_TICKET_STATE');
    expect(err(sendAction(opened(), { at: T0 + 9000, action: 'x', commandId: 'c', by }))).toBe('EVN_ERR_TICKET_STATE');
    expect(err(escalate(escalated(), { at: T0 + 9000, reason: 'r', offer: {}, by }))).toBe('EVN_ERR_TICKET_STATE');
    expect(err(reopen(opened(), { at: T0 + 9000, by, note: '' }))).toBe('EVN_ERR_TICKET_STATE');
  });

  it('addNote works in any state without changing it', () => {
    for (const make of Object.values(IN_STATE)) {
      const before = make();
      const t = ok(addNote(before, { at: before.updatedAt, by, text: 'called back' }));
      expect(t.state).toBe(before.state);
      expect(t.timeline.at(-1)).toEqual({ at: before.updatedAt, step: 'note', by, detail: { text: 'called back' } });
    }
  });
});

describe('time', () => {
  it('rejects a time before the last update with EVN_ERR_TICKET_TIME', () => {
    const t = contacted();
    expect(err(sendAction(t, { at: T0 + 999, action: 'a', commandId: 'c', by }))).toBe('EVN_ERR_TICKET_TIME');
    expect(err(resolve(t, { at: T0, resolution: 'r', by }))).toBe('EVN_ERR_TICKET_TIME');
    expect(err(addNote(t, { at: T0 - 1, by, text: 'x' }))).toBe('EVN_ERR_TICKET_TIME');
    expect(err(contact(opened(), { at: Number.NaN, channel: 'sms', text: 'Hello, we noticed a problem.', by }))).toBe('EVN_ERR_TICKET_TIME');
  });

  it('accepts the same time as the last update', () => {
    expect(ok(contact(opened(), { at: T0, channel: 'sms', text: 'Hello, we noticed a problem.', by })).contactedAt).toBe(T0);
  });

  it('reports the state error before the time error', () => {
    expect(err(resolve(resolved(), { at: T0 - 5, resolution: 'r', by }))).toBe('EVN_ERR_TICKET_STATE');
  });
});

describe('purity', () => {
  it('never mutates the input ticket', () => {
    const t = opened();
    const snapshot = structuredClone(t);
    ok(contact(t, { at: T0 + 1, channel: 'email', text: 'Hello, we noticed a problem.', by }));
    ok(escalate(t, { at: T0 + 1, reason: 'r', offer: { x: 1 }, by }));
    err(sendAction(t, { at: T0 + 1, action: 'a', commandId: 'c', by }));
    expect(t).toEqual(snapshot);
  });
});
