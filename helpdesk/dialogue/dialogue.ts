/**
 * Dialogue both ways: the customer answers what evernet told them, through the app (`reply`), and
 * gives one satisfaction score after a ticket is resolved (`satisfaction`). A reply lands on the
 * ticket's timeline as a note by 'customer' and drives it:
 *
 *   accept-fix  the playbook's remote fix, when one waits for the customer (the ticket was not yet
 *               fixed remotely), is sent now; otherwise the ticket goes on as it was
 *   decline     noted for staff to follow up; nothing is sent to the device
 *   call-me     the ticket is flagged for a staff call (the dashboard shows it)
 *   pick-slot   the ticket's booking takes the slot (helpdesk/bookings): confirmed, or EVN_ERR_BOOKING_FULL
 *
 * Every refusal is a coded error in the answer and changes nothing. Event time only.
 */
import type { Logger } from 'pino';
import type { AppRequestBody, BookingView, CustomerAnswerBody, SatisfactionAsk } from '../../contracts/index.js';
import { codeTable } from '../../contracts/errors.js';
import type { Bookings } from '../bookings/bookings.js';
import type { CodedError } from '../customers/consent.js';
import type { ContactRecord } from '../customers/store.js';
import type { IndexedDirectory } from '../directory.js';
import type { Outbox } from '../outbox.js';
import type { TicketOps } from '../ticket-ops.js';
import * as life from '../tickets/lifecycle.js';
import { PLAYBOOK } from '../tickets/playbook.js';
import type { TicketStore } from '../tickets/store.js';
import type { SatisfactionStore } from './store.js';

export const DIALOGUE_ERR = codeTable({
  INPUT: 'EVN_ERR_REPLY_INPUT',
  UNKNOWN_TICKET: 'EVN_ERR_REPLY_UNKNOWN_TICKET',
  NOT_YOURS: 'EVN_ERR_REPLY_NOT_YOURS',
  CLOSED: 'EVN_ERR_REPLY_CLOSED',
  UNKNOWN_OFFER: 'EVN_ERR_REPLY_UNKNOWN_OFFER',
  NOT_ASKED: 'EVN_ERR_SATISFACTION_NOT_ASKED',
  ANSWERED: 'EVN_ERR_SATISFACTION_ANSWERED',
});

export type ReplyRequest = Extract<AppRequestBody, { type: 'reply' }>;
export type SatisfactionRequest = Extract<AppRequestBody, { type: 'satisfaction' }>;

export interface DialogueDeps {
  tickets: TicketStore;
  ops: TicketOps;
  outbox: Outbox;
  directory: IndexedDirectory;
  bookings: Bookings;
  satisfaction: SatisfactionStore;
  /** remembers a command's ticket, so the device's result lands on it (incidents.track) */
  track(commandId: string, ticketId: string): void;
  /** records a contact sent (the customer's contacts: their daily cap, the export) */
  recordContact?(r: ContactRecord): void;
  /** replies to offers (`offerId`), answered by whoever makes offers; without it such a reply is EVN_ERR_REPLY_UNKNOWN_OFFER */
  offers?: { reply(customerId: string, req: ReplyRequest, at: number): CustomerAnswerBody };
  log: Logger;
}

const BY = 'customer';
const ANSWER_TEXT: Record<ReplyRequest['answer'], string> = {
  'accept-fix': 'the customer accepts the remote fix',
  decline: 'the customer declines: no remote action; staff to follow up',
  'call-me': 'the customer asks for a call',
  'pick-slot': 'the customer picked a slot',
};

export function createDialogue(deps: DialogueDeps) {
  const { tickets, ops, bookings } = deps;

  function reply(customerId: string, req: ReplyRequest, at: number): CustomerAnswerBody {
    const base = { requestId: req.requestId, type: 'reply' as const };
    const failed = (error: CodedError): CustomerAnswerBody => ({ ...base, ok: false, error });
    if ((req.ticketId === undefined) === (req.offerId === undefined)) return failed({ code: DIALOGUE_ERR.INPUT, message: 'a reply names either a ticketId or an offerId' });
    if (req.offerId !== undefined) return deps.offers ? deps.offers.reply(customerId, req, at) : failed({ code: DIALOGUE_ERR.UNKNOWN_OFFER, message: `no offer '${req.offerId}'` });
    const t = tickets.get(req.ticketId!);
    if (!t) return failed({ code: DIALOGUE_ERR.UNKNOWN_TICKET, message: `no ticket '${req.ticketId}'` });
    // another customer's ticket: the same words as an unknown one would leak that it exists; the code says which
    if (t.customerId !== customerId) return failed({ code: DIALOGUE_ERR.NOT_YOURS, message: `ticket '${req.ticketId}' is not yours` });
    // a resolved ticket takes no more answers, but for a slot of the booking it still offers (a workshop check offered with the fix)
    const bookable = req.answer === 'pick-slot' && bookings.forTicket(t.id)?.state === 'offered';
    if (!life.isOpen(t) && !bookable) return failed({ code: DIALOGUE_ERR.CLOSED, message: `ticket ${t.id} is resolved: open a new request in the app` });
    if (req.answer === 'pick-slot' && req.slotId === undefined) return failed({ code: DIALOGUE_ERR.INPUT, message: 'pick-slot needs a slotId' });
    const when = Math.max(at, t.updatedAt);
    const done = (ticket: life.Ticket, booking: BookingView | null): CustomerAnswerBody => ({
      ...base, ok: true, reply: { ticketId: ticket.id, answer: req.answer, state: ticket.state, booking },
    });

    if (req.answer === 'pick-slot') {
      const r = bookings.pick(t.id, req.slotId!, when, BY);
      if (!r.ok) return failed(r.error);
      const b = r.booking;
      const car = b.replacementCar ? `, replacement car ${b.replacementCar}` : '';
      const text = `${ANSWER_TEXT['pick-slot']}: ${b.workshop}, ${bookings.slotText(b.slot!, b.customerId)}${car} (booking confirmed)`;
      const view = bookings.view(b);
      return done(note(t, when, text, { kind: 'reply', answer: req.answer, slotId: req.slotId, booking: view }), view);
    }
    const flags = req.answer === 'decline' ? { followUp: 'staff' } : req.answer === 'call-me' ? { callRequested: true } : {};
    let ticket = note(t, when, ANSWER_TEXT[req.answer], { kind: 'reply', answer: req.answer, ...flags });
    if (req.answer === 'accept-fix') ticket = sendWaitingFix(ticket, when);
    const b = bookings.forTicket(t.id);
    return done(ticket, b ? bookings.view(b) : null);
  }

  function note(t: life.Ticket, at: number, text: string, detail: Record<string, unknown>): life.Ticket {
    return ops.apply(life.addNote(t, { at, by: BY, text, detail }), at, text, t);
  }

  /**
   * The playbook's remote fix waits for the customer when the ticket was never fixed remotely: its
   * contact was held back (consent) or went out without the fix (staff). Sent now, after the reply;
   * a ticket opened but not contacted is first told through the app the customer just used.
   */
  function sendWaitingFix(t: life.Ticket, at: number): life.Ticket {
    const remote = PLAYBOOK[t.kind]?.remote;
    if (!remote || t.actionSentAt !== null || (t.state !== 'opened' && t.state !== 'contacted')) return t;
    let cur = t;
    if (cur.state === 'opened') {
      const text = 'You accepted the remote fix: we are fixing it now.';
      const told = ops.apply(life.contact(cur, { at, by: 'helpdesk', channel: 'app-push', text, reason: 'the customer answered through the app' }), at, 'contacted via app-push: the customer answered through the app', cur);
      if (told === cur) return cur;
      deps.outbox.contact(cur.customerId, at, { ticketId: cur.id, deviceId: cur.deviceId, channel: 'app-push', text });
      deps.recordContact?.({ customerId: cur.customerId, at, purpose: 'service', channel: 'app-push', ticketId: cur.id, sent: true, reason: 'the customer answered through the app' });
      cur = told;
    }
    const commandId = deps.outbox.command(cur.customerId, cur.deviceId, at, remote);
    deps.track(commandId, cur.id);
    return ops.apply(life.sendAction(cur, { at, action: remote.action, commandId, by: 'helpdesk' }), at, `remote action ${remote.action} sent: the customer accepted`, cur);
  }

  function satisfaction(customerId: string, req: SatisfactionRequest, at: number): CustomerAnswerBody {
    const base = { requestId: req.requestId, type: 'satisfaction' as const };
    const asked = deps.satisfaction.get(req.ticketId);
    if (!asked || asked.customerId !== customerId) return { ...base, ok: false, error: { code: DIALOGUE_ERR.NOT_ASKED, message: `no satisfaction question was asked about '${req.ticketId}'` } };
    if (!deps.satisfaction.answer(req.ticketId, req.score, at)) {
      return { ...base, ok: false, error: { code: DIALOGUE_ERR.ANSWERED, message: `ticket ${req.ticketId} was rated ${asked.score} already: the first score stands` } };
    }
    const t = tickets.get(req.ticketId);
    if (t) note(t, Math.max(at, t.updatedAt), `satisfaction: ${req.score} of 5`, { kind: 'satisfaction', score: req.score });
    return { ...base, ok: true, satisfaction: { ticketId: req.ticketId, score: req.score } };
  }

  /**
   * What a ticket update carries besides the state: the satisfaction question once a ticket the
   * customer was told about is resolved (once per ticket), and the booking when this change offered or
   * moved it. Neither changes the ticket.
   */
  function updateExtra(t: life.Ticket, at: number): { ask?: SatisfactionAsk; booking?: BookingView } {
    const out: { ask?: SatisfactionAsk; booking?: BookingView } = {};
    const last = t.timeline[t.timeline.length - 1];
    if (t.state === 'resolved' && last?.step === 'resolved' && t.contactedAt !== null && deps.satisfaction.ask({ ticketId: t.id, customerId: t.customerId, askedAt: at })) {
      out.ask = { kind: 'satisfaction', ticketId: t.id, question: 'How well did we handle this? 1 (poor) to 5 (very good).', min: 1, max: 5 };
    }
    const b = bookings.forTicket(t.id);
    if (b && b.updatedAt === at) out.booking = bookings.view(b);
    return out;
  }

  return { reply, satisfaction, updateExtra };
}
export type Dialogue = ReturnType<typeof createDialogue>;
