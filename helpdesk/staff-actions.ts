/**
 * What support staff can do to a ticket, each recorded on its timeline with who did it:
 * acknowledge, assign, contact the customer, send a remote command, resolve with a note, reopen.
 * Errors are data with codes, never exceptions; the web layer decides how to answer them (routes/ticket-actions.ts).
 */
import { CommandRequest } from '../contracts/index.js';
import { issueFields } from '../contracts/issues.js';
import { notSentNote, type TicketOps, type TicketOpsDeps } from './ticket-ops.js';
import * as life from './tickets/lifecycle.js';
import { codeTable, type EvnErrorCode } from '../contracts/errors.js';

export type StaffAction =
  | { type: 'acknowledge' }
  | { type: 'assign'; to: string }
  | { type: 'contact'; text?: string }
  | { type: 'command'; command: Record<string, unknown> }
  | { type: 'resolve'; note: string }
  | { type: 'reopen'; note: string };

export const ACTION_ERR = codeTable({
  NOT_FOUND: 'EVN_ERR_TICKET_NOT_FOUND',
  STATE: 'EVN_ERR_TICKET_STATE',
  COMMAND: 'EVN_ERR_COMMAND_INVALID',
});

export interface StaffError {
  code: EvnErrorCode;
  reason: string;
  fields?: Record<string, string>;
}
export type StaffResult = { ok: true; ticket: life.Ticket } | { ok: false; error: StaffError };

export function createStaffActions(deps: TicketOpsDeps & { ops: TicketOps; track(commandId: string, ticketId: string): void }) {
  const { store, outbox, directory, ops } = deps;

  const fromTransition = (r: life.TransitionResult, now: number, note: string): StaffResult =>
    r.ok ? { ok: true, ticket: ops.save(r.ticket, now, note) } : { ok: false, error: { code: r.error.code, reason: r.error.reason } };

  const note = (t: life.Ticket, now: number, by: string, text: string, detail: Record<string, unknown>): StaffResult =>
    fromTransition(life.addNote(t, { at: now, by, text, detail }), now, text);

  function act(ticketId: string, action: StaffAction, by: string, now: number): StaffResult {
    const t = store.get(ticketId);
    if (!t) return { ok: false, error: { code: ACTION_ERR.NOT_FOUND, reason: `no ticket '${ticketId}'` } };
    switch (action.type) {
      case 'acknowledge':
        return note(t, now, by, `acknowledged by ${by}`, { kind: 'acknowledged' });
      case 'assign':
        return note(t, now, by, `assigned to ${action.to}`, { kind: 'assigned', to: action.to });
      case 'resolve':
        return fromTransition(life.resolve(t, { at: now, resolution: action.note, by }), now, `resolved by ${by}`);
      case 'reopen':
        return fromTransition(life.reopen(t, { at: now, by, note: action.note }), now, `reopened by ${by}`);
      case 'contact': {
        const customer = directory.customer(t.customerId);
        const device = directory.device(t.customerId, t.deviceId);
        if (!customer || !device) return { ok: false, error: { code: ACTION_ERR.NOT_FOUND, reason: `device ${t.customerId}/${t.deviceId} is no longer known` } };
        const text = action.text ?? `Hello ${customer.name}, this is your service team about ticket ${t.id}.`;
        const choice = ops.contactCustomer(customer, t, device.kind, text, now);
        if (choice.channel === null) return fromTransition(life.addNote(t, notSentNote(now, by, text, choice.reason)), now, 'contact not sent');
        const told = { channel: choice.channel, text, reason: choice.reason, ...(choice.deviceId !== undefined ? { shownOn: choice.deviceId } : {}) };
        if (t.state === 'opened') return fromTransition(life.contact(t, { at: now, by, ...told }), now, `contacted via ${choice.channel} by ${by}`);
        return note(t, now, by, `contacted via ${choice.channel} by ${by}`, { kind: 'contacted', ...life.contactDetail(t, told) });
      }
      case 'command': {
        // the request alone: the envelope and the command id are the helpdesk's to stamp (ignored if sent)
        const checked = CommandRequest.safeParse(action.command);
        if (!checked.success) {
          const fields = issueFields(checked.error.issues, '', 'command');
          return { ok: false, error: { code: ACTION_ERR.COMMAND, reason: 'the command does not match the contract', fields } };
        }
        const body = checked.data;
        const commandId = outbox.command(t.customerId, t.deviceId, now, body);
        deps.track(commandId, t.id);
        if (t.state === 'contacted') {
          return fromTransition(life.sendAction(t, { at: now, action: body.action, commandId, by }), now, `remote action ${body.action} sent by ${by}`);
        }
        return note(t, now, by, `remote action ${body.action} sent by ${by}`, { kind: 'command', action: body.action, commandId });
      }
    }
  }

  return { act };
}
