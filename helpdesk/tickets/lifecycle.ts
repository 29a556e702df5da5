/**
 * The ticket state machine. Pure: every transition takes a ticket and returns a new one (the input
 * is never mutated) or an error with a stable code. Times are event times passed in (ms); nothing
 * here reads a clock.
 *
 *   opened      -> contacted | resolved | escalated
 *   contacted   -> action-sent | resolved | escalated
 *   action-sent -> resolved | escalated        (confirmAction / failAction record, state unchanged)
 *   escalated   -> resolved
 *   resolved    -> opened                      (reopen)
 */
import { createHash } from 'node:crypto';
import type { Channel, Severity, TicketState } from '../../contracts/index.js';
import { codeTable } from '../../contracts/errors.js';

export const TICKET_ERR = codeTable({
  /** the transition is not allowed from the ticket's current state (stale or out of order) */
  STATE: 'EVN_ERR_TICKET_STATE',
  /** the transition's time lies before the ticket's last update, or is not a finite number */
  TIME: 'EVN_ERR_TICKET_TIME',
  /** open() was given unusable input (an empty incident key, ...) */
  INPUT: 'EVN_ERR_TICKET_INPUT',
});
export type TicketErrorCode = (typeof TICKET_ERR)[keyof typeof TICKET_ERR];

export type TimelineStep =
  | 'opened'
  | 'contacted'
  | 'action-sent'
  | 'action-confirmed'
  | 'action-failed'
  | 'resolved'
  | 'escalated'
  | 'note';

export interface TimelineEntry {
  at: number;
  step: TimelineStep;
  /** who did it, e.g. 'helpdesk' */
  by: string;
  detail: Record<string, unknown>;
}

export interface Ticket {
  id: string;
  incidentKey: string;
  deviceId: string;
  customerId: string;
  /** what happened, e.g. 'battery-discharge' */
  kind: string;
  severity: Severity;
  state: TicketState;
  /** event time the ticket was (first) opened, ms */
  openedAt: number;
  contactedAt: number | null;
  channel: Channel | null;
  actionSentAt: number | null;
  resolvedAt: number | null;
  resolution: string | null;
  evidence: Record<string, unknown>;
  /** true when the helpdesk noticed the problem before the customer did */
  proactive: boolean;
  updatedAt: number;
  timeline: TimelineEntry[];
}

export interface TicketError {
  code: TicketErrorCode;
  reason: string;
}
export type TransitionResult = { ok: true; ticket: Ticket } | { ok: false; error: TicketError };

export const ALLOWED_TRANSITIONS: Readonly<Record<TicketState, readonly TicketState[]>> = {
  opened: ['contacted', 'resolved', 'escalated'],
  contacted: ['action-sent', 'resolved', 'escalated'],
  'action-sent': ['resolved', 'escalated'],
  escalated: ['resolved'],
  resolved: ['opened'],
};

export function canTransition(from: TicketState, to: TicketState): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** Deterministic ticket id: 'T-' + the first 10 hex characters of sha256(incidentKey). */
export function ticketId(incidentKey: string): string {
  return 'T-' + createHash('sha256').update(incidentKey, 'utf8').digest('hex').slice(0, 10);
}

export interface OpenInput {
  incidentKey: string;
  deviceId: string;
  customerId: string;
  kind: string;
  severity: Severity;
  at: number;
  evidence?: Record<string, unknown>;
  proactive?: boolean;
  /** defaults to 'helpdesk' */
  by?: string;
}

const fail = (code: TicketErrorCode, reason: string): TransitionResult => ({ ok: false, error: { code, reason } });

export function open(input: OpenInput): TransitionResult {
  if (input.incidentKey.length === 0) return fail(TICKET_ERR.INPUT, 'the incident key must not be empty');
  if (!Number.isFinite(input.at)) return fail(TICKET_ERR.TIME, `open: time ${input.at} is not a finite number`);
  const proactive = input.proactive ?? false;
  const ticket: Ticket = {
    id: ticketId(input.incidentKey),
    incidentKey: input.incidentKey,
    deviceId: input.deviceId,
    customerId: input.customerId,
    kind: input.kind,
    severity: input.severity,
    state: 'opened',
    openedAt: input.at,
    contactedAt: null,
    channel: null,
    actionSentAt: null,
    resolvedAt: null,
    resolution: null,
    evidence: { ...(input.evidence ?? {}) },
    proactive,
    updatedAt: input.at,
    timeline: [
      { at: input.at, step: 'opened', by: input.by ?? 'helpdesk', detail: { kind: input.kind, severity: input.severity, proactive } },
    ],
  };
  return { ok: true, ticket };
}

/**
 * Checks state and time, then applies `patch` and appends one timeline entry.
 * `to` is the target state; when it equals `stay`, the ticket must already be in that state.
 */
function step(
  ticket: Ticket,
  name: string,
  to: TicketState | { stay: TicketState },
  entry: TimelineEntry,
  patch: Partial<Ticket> = {},
): TransitionResult {
  if (typeof to === 'object') {
    if (ticket.state !== to.stay) {
      return fail(TICKET_ERR.STATE, `${name}: ticket ${ticket.id} is '${ticket.state}', expected '${to.stay}'`);
    }
  } else if (!canTransition(ticket.state, to)) {
    return fail(TICKET_ERR.STATE, `${name}: ticket ${ticket.id} cannot go from '${ticket.state}' to '${to}'`);
  }
  if (!Number.isFinite(entry.at)) return fail(TICKET_ERR.TIME, `${name}: time ${entry.at} is not a finite number`);
  if (entry.at < ticket.updatedAt) {
    return fail(TICKET_ERR.TIME, `${name}: time ${entry.at} is before the ticket's last update ${ticket.updatedAt}`);
  }
  const state = typeof to === 'object' ? to.stay : to;
  return {
    ok: true,
    ticket: { ...ticket, ...patch, state, updatedAt: entry.at, timeline: [...ticket.timeline, entry] },
  };
}

/** One message to the customer about a ticket: on which channel, the text as sent, and why that channel. */
export interface ContactInput {
  channel: Channel;
  /** the text the customer was sent, word for word */
  text: string;
  /** why this channel (the channel choice's reason) */
  reason?: string;
  /** the device whose display showed it (a car's board computer), when one did */
  shownOn?: string;
}

/**
 * What a timeline entry keeps of a contact: `channel` (and `reason`, `shownOn`) for reading at a
 * glance, and under `contact` the message as it went out on `_helpdesk/contact` (ContactBody: ticket,
 * device, channel, text).
 */
export function contactDetail(ticket: Pick<Ticket, 'id' | 'deviceId'>, c: ContactInput): Record<string, unknown> {
  return {
    channel: c.channel,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.shownOn !== undefined ? { shownOn: c.shownOn } : {}),
    contact: { ticketId: ticket.id, deviceId: ticket.deviceId, channel: c.channel, text: c.text },
  };
}

/** The first contact: 'opened' -> 'contacted', with the message on the timeline (contactDetail). */
export function contact(ticket: Ticket, p: { at: number; by: string } & ContactInput): TransitionResult {
  return step(ticket, 'contact', 'contacted', { at: p.at, step: 'contacted', by: p.by, detail: contactDetail(ticket, p) }, {
    contactedAt: p.at,
    channel: p.channel,
  });
}

export function sendAction(
  ticket: Ticket,
  p: { at: number; action: string; commandId: string; by: string },
): TransitionResult {
  const detail = { action: p.action, commandId: p.commandId };
  return step(ticket, 'sendAction', 'action-sent', { at: p.at, step: 'action-sent', by: p.by, detail }, { actionSentAt: p.at });
}

/** The device confirmed the action. The ticket stays 'action-sent'; resolve it once the fix is seen. */
export function confirmAction(
  ticket: Ticket,
  p: { at: number; detail: Record<string, unknown>; by: string },
): TransitionResult {
  return step(ticket, 'confirmAction', { stay: 'action-sent' }, { at: p.at, step: 'action-confirmed', by: p.by, detail: { ...p.detail } });
}

/** The device rejected or failed the action. The ticket stays 'action-sent'; escalate or resolve next. */
export function failAction(
  ticket: Ticket,
  p: { at: number; detail: Record<string, unknown>; by: string },
): TransitionResult {
  return step(ticket, 'failAction', { stay: 'action-sent' }, { at: p.at, step: 'action-failed', by: p.by, detail: { ...p.detail } });
}

export function resolve(ticket: Ticket, p: { at: number; resolution: string; by: string }): TransitionResult {
  return step(ticket, 'resolve', 'resolved', { at: p.at, step: 'resolved', by: p.by, detail: { resolution: p.resolution } }, {
    resolvedAt: p.at,
    resolution: p.resolution,
  });
}

/**
 * Hands the case to the product-service chain with an offer (workshop appointment, replacement car, ...).
 * `told`: the message that tells the customer of the offer, kept on the entry (contactDetail's `contact`).
 */
export function escalate(
  ticket: Ticket,
  p: { at: number; reason: string; offer: Record<string, unknown>; by: string; told?: ContactInput },
): TransitionResult {
  const told = p.told ? { contact: contactDetail(ticket, p.told).contact } : {};
  const detail = { reason: p.reason, offer: { ...p.offer }, ...told };
  return step(ticket, 'escalate', 'escalated', { at: p.at, step: 'escalated', by: p.by, detail });
}

/**
 * A resolved ticket comes back (the problem returned). State 'opened'; resolvedAt and resolution are
 * cleared, openedAt keeps the first opening, the earlier contact/action times stay until overwritten.
 */
export function reopen(ticket: Ticket, p: { at: number; by: string; note: string }): TransitionResult {
  const entry: TimelineEntry = { at: p.at, step: 'opened', by: p.by, detail: { reopened: true, note: p.note } };
  return step(ticket, 'reopen', 'opened', entry, { resolvedAt: null, resolution: null });
}

/** Appends a free note in any state; the state does not change, time must not go backwards. */
export function addNote(
  ticket: Ticket,
  p: { at: number; by: string; text: string; detail?: Record<string, unknown> },
): TransitionResult {
  const entry: TimelineEntry = { at: p.at, step: 'note', by: p.by, detail: { ...(p.detail ?? {}), text: p.text } };
  return step(ticket, 'addNote', { stay: ticket.state }, entry);
}

/** The ticket a step made, for callers that built the step to succeed (seeds, tests): throws with the code if it did not. */
export function ticketOf(r: TransitionResult): Ticket {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.reason}`);
  return r.ticket;
}

/** True while the ticket still needs work (everything but 'resolved'). */
export function isOpen(ticket: Pick<Ticket, 'state'>): boolean {
  return ticket.state !== 'resolved';
}
