/**
 * Operations on tickets shared by the automatic flow (incidents.ts) and staff actions
 * (staff-actions.ts): save and announce a change, reach the customer on the channel that fits the
 * moment, and find the product-service chain's offer.
 */
import type { Logger } from 'pino';
import type { BookingView, Channel, TicketUpdateBody } from '../contracts/index.js';
import { haversineKm } from './assistant/shopping.js';
import { chooseAllowedChannel, type ChannelChoice, type NoChannel, type Preferences } from './contact/choose-channel.js';
import { CONSENT_ERR } from './customers/consent.js';
import type { ContactRecord } from './customers/store.js';
import type { DirectoryCustomer, DirectoryDevice, IndexedDirectory, Workshop } from './directory.js';
import type { Outbox } from './outbox.js';
import type * as life from './tickets/lifecycle.js';
import { SERVICE_FOR, SERVICED_AT } from './tickets/playbook.js';
import type { TicketStore } from './tickets/store.js';

export interface TicketOpsDeps {
  store: TicketStore;
  outbox: Outbox;
  directory: IndexedDirectory;
  log: Logger;
  /** the customer's car whose engine runs right now, if any (from the latest telemetry) */
  drivingCar(customerId: string): string | undefined;
  /** told about every ticket change */
  onTicket?(t: life.Ticket, at: number, note: string): void;
  /** the customer's consent (helpdesk/customers): which channels a service contact may use, and the record of each contact */
  consent?: {
    serviceContact(customerId: string, prefs: Preferences): { allowed: Channel[]; preferences: Preferences };
    recordContact(r: ContactRecord): void;
    /** companies and partners (ids) the customer's assistant refuses: no workshop of theirs is offered */
    blacklist(customerId: string): readonly string[];
  };
  /** the product-service chain's bookings (helpdesk/bookings): an offer of a workshop becomes a booking offered with its free slots */
  chain?: { offered(to: { ticketId: string; customerId: string; deviceId: string; takenIn: boolean }, workshopId: string, at: number): BookingView | null };
  /** what a ticket update tells the customer besides the state (helpdesk/dialogue: the satisfaction question, the booking) */
  updateExtra?(t: life.Ticket, at: number): Pick<TicketUpdateBody, 'ask' | 'booking'>;
}

/** the note on a ticket whose contact the customer's consent held back (EVN_ERR_CONSENT_NO_CHANNEL) */
export function notSentNote(at: number, by: string, text: string, reason: string) {
  return { at, by, text: `contact not sent: ${reason}`, detail: { kind: 'not-sent', code: NOT_SENT, purpose: 'service', reason, contactText: text } };
}
const NOT_SENT = CONSENT_ERR.NO_CHANNEL;

export interface Offer {
  text: string;
  offer: Record<string, unknown>;
  /** the booking offered with the workshop's free slots, when a ticket was named and bookings are kept */
  booking?: BookingView;
}

export function createTicketOps(deps: TicketOpsDeps) {
  const { store, outbox, directory, log } = deps;

  function announce(t: life.Ticket, at: number, note: string): void {
    outbox.ticket(t, at, note, deps.updateExtra?.(t, at));
    deps.onTicket?.(t, at, note);
  }

  function save(t: life.Ticket, at: number, note: string): life.Ticket {
    store.save(t);
    announce(t, at, note);
    return t;
  }

  /** Saves the outcome of a transition, or logs the refusal and keeps the ticket as it was. */
  function apply(r: life.TransitionResult, at: number, note: string, fallback: life.Ticket): life.Ticket {
    if (!r.ok) {
      log.error({ code: r.error.code, ticketId: fallback.id, reason: r.error.reason }, 'ticket transition refused');
      return fallback;
    }
    return save(r.ticket, at, note);
  }

  function nearestWorkshop(customer: DirectoryCustomer, device: DirectoryDevice): (Workshop & { distanceKm: number }) | null {
    let best: (Workshop & { distanceKm: number }) | null = null;
    // a customer without a known home has no nearest workshop: the technician offer stands
    if (!customer.home) return null;
    const home = customer.home;
    const refused = deps.consent?.blacklist(customer.id) ?? [];
    for (const w of directory.workshops) {
      if (!w.services.includes(device.kind) || refused.includes(w.id)) continue;
      const distanceKm = Math.round(haversineKm(home, w.location) * 10) / 10;
      if (!best || distanceKm < best.distanceKm || (distanceKm === best.distanceKm && w.id < best.id)) best = { ...w, distanceKm };
    }
    return best;
  }

  /** the offer of the product-service chain; with the ticket and the time, its booking is offered too (deps.chain) */
  function offerFor(customer: DirectoryCustomer, device: DirectoryDevice, t?: Pick<life.Ticket, 'id'>, at?: number): Offer {
    const w = nearestWorkshop(customer, device);
    if (!w) return { text: `a ${SERVICE_FOR[device.kind]} technician will call you to arrange a visit`, offer: { technician: true } };
    // a replacement car only stands in for a car taken in; a fridge or a washer is repaired at home
    const takenIn = SERVICED_AT[device.kind] === 'workshop';
    const replacementCar = takenIn && w.replacementCar;
    const what = takenIn ? `can take it${replacementCar ? ', with a replacement car while yours is in' : ''}` : 'can send a technician';
    const booking = t && at !== undefined ? deps.chain?.offered({ ticketId: t.id, customerId: customer.id, deviceId: device.id, takenIn }, w.id, at) : null;
    return {
      text: `${w.name} (${w.distanceKm.toFixed(1)} km) ${what}`,
      offer: { workshopId: w.id, workshop: w.name, distanceKm: w.distanceKm, replacementCar },
      ...(booking ? { booking } : {}),
    };
  }

  /**
   * Picks the channel for this moment among those the customer consents to and sends the text; a
   * driver reads it on the car's display. No channel left: nothing is sent (channel null, the reason).
   */
  function contactCustomer(customer: DirectoryCustomer, t: life.Ticket, deviceKind: string, text: string, now: number): ChannelChoice | NoChannel {
    const car = deps.drivingCar(customer.id);
    const within = deps.consent?.serviceContact(customer.id, customer.preferences);
    const ctx = { at: now, driving: car !== undefined, drivingDeviceId: car, severity: t.severity, deviceKind };
    const choice = chooseAllowedChannel(within?.preferences ?? customer.preferences, ctx, within?.allowed ?? null);
    deps.consent?.recordContact({ customerId: customer.id, at: now, purpose: 'service', channel: choice.channel, ticketId: t.id, sent: choice.channel !== null, reason: choice.reason });
    if (choice.channel === null) {
      log.info({ code: NOT_SENT, ticketId: t.id, customerId: customer.id }, choice.reason);
      return choice;
    }
    outbox.contact(customer.id, now, { ticketId: t.id, deviceId: t.deviceId, channel: choice.channel, text });
    if (choice.channel === 'car-display' && choice.deviceId) {
      outbox.command(customer.id, choice.deviceId, now, { action: 'display-message', ticketId: t.id, text });
    }
    return choice;
  }

  return { announce, save, apply, offerFor, contactCustomer };
}
export type TicketOps = ReturnType<typeof createTicketOps>;
