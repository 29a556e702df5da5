/**
 * What the helpdesk tells a customer (service topics `contact` and `ticket`): the channels it may
 * use, a contact, and a ticket's update with its states and severities. Bodies and their enveloped
 * wire schemas, as in payloads.ts, which holds the vocabulary these build on.
 */
import { z } from 'zod';
import { enveloped } from './envelope.js';
import { BookingView, Id, SatisfactionAsk } from './payloads.js';

export const CHANNELS = ['car-display', 'app-push', 'sms', 'email', 'phone'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const ContactBody = z.object({
  /** the ticket the contact is about; '' for an offer (then `offerId`) */
  ticketId: z.string(),
  deviceId: Id,
  channel: Channel,
  text: z.string(),
  /** a next-best offer (helpdesk/offers): answer it with a 'reply' naming this offerId */
  offerId: Id.optional(),
  /** a workshop or service visit offered: its free slots (answer with a 'reply' 'pick-slot') */
  booking: BookingView.optional(),
});
export type ContactBody = z.infer<typeof ContactBody>;
export const Contact = enveloped(ContactBody);
export type Contact = z.infer<typeof Contact>;

export const TICKET_STATES = ['opened', 'contacted', 'action-sent', 'resolved', 'escalated'] as const;
export const TicketState = z.enum(TICKET_STATES);
export type TicketState = z.infer<typeof TicketState>;
export const Severity = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const TicketUpdateBody = z.object({
  ticketId: z.string(),
  deviceId: Id,
  kind: z.string(),
  severity: Severity,
  state: TicketState,
  note: z.string(),
  /** the product-service chain's booking, when this change offered or moved one */
  booking: BookingView.optional(),
  /** once resolved: the satisfaction question */
  ask: SatisfactionAsk.optional(),
});
export type TicketUpdateBody = z.infer<typeof TicketUpdateBody>;
export const TicketUpdate = enveloped(TicketUpdateBody);
export type TicketUpdate = z.infer<typeof TicketUpdate>;
