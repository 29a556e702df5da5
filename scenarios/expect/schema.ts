/**
 * A scenario's `expect:` block: what the replay must come to, checked after it (scenarios/expect/check.ts).
 * Strict like the rest of the file: an unknown key is refused, not ignored. Times are ISO 8601 with an
 * offset, as everywhere in a scenario; a window is `{ from, to }`.
 *
 *   expect:
 *     tickets:
 *       - { customer: maria, device: car, kind: battery-discharge, channel: car-display,
 *           opened: { from: "2020-11-02T18:40:00+01:00", to: "2020-11-02T19:00:00+01:00" },
 *           state: resolved, resolvedWithinMin: 10 }
 *     noOtherTickets: true
 *     loads: [{ customer: maria, device: washer, atOptimum: true }]
 *     shopping: [{ customer: maria, store: edeka-ehrenfeld }]
 */
import { z } from 'zod';
import { Channel, Id, TicketState } from '../../contracts/index.js';
import { PLAYBOOK } from '../../helpdesk/tickets/playbook.js';
import { IsoTime } from '../iso-time.js';

export const Window = z
  .strictObject({ from: IsoTime, to: IsoTime })
  .refine((w) => Date.parse(w.to) >= Date.parse(w.from), { message: 'to must not come before from', path: ['to'] });
export type Window = z.infer<typeof Window>;

export const TICKET_KINDS = Object.keys(PLAYBOOK) as [string, ...string[]];

/** one ticket the replay must open: its customer, device and kind, and what else is said about it */
export const TicketExpectation = z.strictObject({
  customer: Id,
  device: Id,
  kind: z.enum(TICKET_KINDS),
  /** opened within this window (inclusive) */
  opened: Window.optional(),
  /** the customer was contacted on this channel */
  channel: Channel.optional(),
  /** its state at the end of the replay */
  state: TicketState.optional(),
  /** resolved at most this many minutes after it was opened */
  resolvedWithinMin: z.number().positive().optional(),
  /** opened by the helpdesk before anyone asked (true) */
  proactive: z.boolean().optional(),
});
export type TicketExpectation = z.infer<typeof TicketExpectation>;

/** a deferrable load (the washer's run) the replay must plan and run */
export const LoadExpectation = z.strictObject({
  customer: Id,
  device: Id,
  /** it ran at the planner's optimum: started as planned and cost what the optimum costs */
  atOptimum: z.boolean().optional(),
  /** it started within this window */
  started: Window.optional(),
  /** it finished by its deadline */
  finishedByDeadline: z.boolean().optional(),
});
export type LoadExpectation = z.infer<typeof LoadExpectation>;

/** the answer to a customer's recipe request */
export const ShoppingExpectation = z.strictObject({
  customer: Id,
  /** the recipe's name, when the customer asks more than once */
  recipe: z.string().min(1).optional(),
  /** the store named in the answer; null: no store has everything */
  store: Id.nullable(),
});
export type ShoppingExpectation = z.infer<typeof ShoppingExpectation>;

export const Expect = z.strictObject({
  tickets: z.array(TicketExpectation).default([]),
  /** every ticket opened must be one of `tickets` (each claims one) */
  noOtherTickets: z.boolean().default(false),
  loads: z.array(LoadExpectation).default([]),
  shopping: z.array(ShoppingExpectation).default([]),
});
export type Expect = z.infer<typeof Expect>;

/** The block's devices and customers must be the scenario's: issues with the path inside the scenario. */
export function expectRefIssues(s: { customers: Array<{ id: string; devices: Array<{ id: string }> }>; expect?: Expect }): Array<{ code: 'custom'; path: PropertyKey[]; message: string }> {
  if (!s.expect) return [];
  const customers = new Map(s.customers.map((c) => [c.id, new Set(c.devices.map((d) => d.id))]));
  const issues: Array<{ code: 'custom'; path: PropertyKey[]; message: string }> = [];
  const check = (list: 'tickets' | 'loads' | 'shopping', i: number, customer: string, device?: string) => {
    const devices = customers.get(customer);
    if (!devices) issues.push({ code: 'custom', path: ['expect', list, i, 'customer'], message: `no customer '${customer}' in this scenario` });
    else if (device !== undefined && !devices.has(device)) issues.push({ code: 'custom', path: ['expect', list, i, 'device'], message: `no device '${device}' of customer '${customer}'` });
  };
  s.expect.tickets.forEach((t, i) => check('tickets', i, t.customer, t.device));
  s.expect.loads.forEach((l, i) => check('loads', i, l.customer, l.device));
  s.expect.shopping.forEach((x, i) => check('shopping', i, x.customer));
  return issues;
}

/** Checks an `expect:` block alone, without running anything (for `evernet check`). */
export function parseExpect(value: unknown): { ok: true; expect: Expect } | { ok: false; issues: z.core.$ZodIssue[] } {
  const r = Expect.safeParse(value);
  return r.success ? { ok: true, expect: r.data } : { ok: false, issues: r.error.issues };
}
