/**
 * The product-service chain as bookings: a ticket's offer of a workshop (or an appliance service)
 * becomes a booking offered with the free slots of the next days; the customer picks one (a 'reply'
 * 'pick-slot'), which accepts and confirms it in one transaction with a replacement car for a car taken
 * in; once its slot is over it is done. offered → accepted → confirmed → done. Event time only.
 */
import type { Logger } from 'pino';
import type { BookingSlot, BookingView } from '../../contracts/index.js';
import { codeTable } from '../../contracts/errors.js';
import type { CodedError } from '../customers/consent.js';
import type { IndexedDirectory, Workshop } from '../directory.js';
import { dayOf, offerWindow, policyOf, slotById, slotsBetween, type Slot } from './slots.js';
import type { BookingRecord, BookingStore } from './store.js';

export const BOOKING_ERR = codeTable({ FULL: 'EVN_ERR_BOOKING_FULL', UNKNOWN_SLOT: 'EVN_ERR_REPLY_UNKNOWN_SLOT', NO_BOOKING: 'EVN_ERR_REPLY_NO_BOOKING' });

/** free slots an offer lists at most */
export const OFFERED_SLOTS = 6;

export interface BookingsDeps {
  store: BookingStore;
  directory: IndexedDirectory;
  log: Logger;
  /** the time zone a customer's slots are in (their own) */
  zoneOf(customerId: string): string;
}

export interface OfferedTo {
  ticketId: string;
  customerId: string;
  deviceId: string;
  /** a car: taken in, with a replacement car where the workshop lends them */
  takenIn: boolean;
}

export type PickResult = { ok: true; booking: BookingRecord } | { ok: false; error: CodedError };

/** 'b-' and the ticket's id in lower case: one booking per ticket */
export const bookingIdOf = (ticketId: string): string => `b-${ticketId.toLowerCase()}`;

/** a slot as the customer reads it: 'Tue 03.11. 08:00–10:00' in their time zone */
export function slotText(s: { from: number; to: number }, zone: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const parts = (at: number) => Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const a = parts(s.from);
  const b = parts(s.to);
  return `${a.weekday} ${a.day}.${a.month}. ${a.hour}:${a.minute}–${b.hour}:${b.minute}`;
}

export function createBookings(deps: BookingsDeps) {
  const { store, directory } = deps;
  const workshopOf = (id: string): Workshop | undefined => directory.workshops.find((w) => w.id === id);
  const carsOf = (w: Workshop): string[] => Array.from({ length: policyOf(w).replacementCars }, (_, i) => `${w.id}-car-${i + 1}`);

  /** places still free per slot; for a car taken in, a slot whose day has no car left is full too */
  function freeOf(w: Workshop, slots: Slot[], takenIn: boolean, zone: string): BookingSlot[] {
    const taken = store.taken(w.id, slots.map((s) => s.slotId));
    const cars = takenIn ? carsOf(w) : [];
    return slots.map((s) => {
      let free = Math.max(0, s.capacity - (taken.get(s.slotId) ?? 0));
      if (cars.length) {
        const day = dayOf(s.from, zone);
        if (store.carsTaken(w.id, day.from, day.to).length >= cars.length) free = 0;
      }
      return { slotId: s.slotId, from: s.from, to: s.to, free };
    });
  }

  function freeSlots(w: Workshop, takenIn: boolean, zone: string, at: number): BookingSlot[] {
    const win = offerWindow(at);
    return freeOf(w, slotsBetween(w, policyOf(w), zone, win.from, win.to), takenIn, zone).filter((s) => s.free > 0).slice(0, OFFERED_SLOTS);
  }

  function view(b: BookingRecord): BookingView {
    return { bookingId: b.id, ticketId: b.ticketId, workshopId: b.workshopId, workshop: b.workshop, state: b.state, slots: b.state === 'offered' ? b.offered : [], slot: b.slot, replacementCar: b.replacementCar };
  }

  /**
   * The offer of a workshop on a ticket becomes a booking offered with its free slots (the ticket's
   * booking when it has one; a booking still offered gets the slots free now). Null without the workshop.
   */
  function offer(to: OfferedTo, workshopId: string, at: number): BookingRecord | null {
    const w = workshopOf(workshopId);
    if (!w) return null;
    const zone = deps.zoneOf(to.customerId);
    const takenIn = to.takenIn;
    const offered = freeSlots(w, takenIn, zone, at);
    const { booking, created } = store.offer({
      id: bookingIdOf(to.ticketId), ticketId: to.ticketId, customerId: to.customerId, deviceId: to.deviceId, workshopId: w.id, workshop: w.name,
      takenIn, state: 'offered', offeredAt: at, updatedAt: at, offered, slot: null, replacementCar: null, history: [{ at, state: 'offered', by: 'helpdesk' }],
    });
    if (created || booking.state !== 'offered') return booking;
    store.reoffer(booking.id, offered, at);
    return store.get(booking.id);
  }

  /** The customer picks a slot of the ticket's booking: confirmed with it (and a replacement car), or a coded error and nothing changed. */
  function pick(ticketId: string, slotId: string, at: number, by: string): PickResult {
    const b = store.forTicket(ticketId);
    if (!b || b.state !== 'offered') return { ok: false, error: { code: BOOKING_ERR.NO_BOOKING, message: b ? `the booking of ticket ${ticketId} is ${b.state} already` : `ticket ${ticketId} has no booking offered` } };
    const w = workshopOf(b.workshopId);
    const zone = deps.zoneOf(b.customerId);
    const slot = w ? slotById(w, policyOf(w), zone, slotId) : null;
    if (!w || !slot || slot.from < at) return { ok: false, error: { code: BOOKING_ERR.UNKNOWN_SLOT, message: `${slotId} is not a future slot of ${b.workshop}` } };
    const cars = b.takenIn ? carsOf(w) : [];
    const r = store.reserve(b.id, slot, { capacity: slot.capacity, cars, day: dayOf(slot.from, zone) }, at, by);
    if (!r.ok) {
      const code = r.reason === 'state' ? BOOKING_ERR.NO_BOOKING : BOOKING_ERR.FULL;
      deps.log.info({ code, ticketId, slotId }, r.message);
      return { ok: false, error: { code, message: r.message } };
    }
    deps.log.info({ ticketId, bookingId: b.id, slotId, replacementCar: r.booking.replacementCar }, 'booking confirmed');
    return { ok: true, booking: r.booking };
  }

  return {
    offer,
    pick,
    view,
    /** the free slots of a booking's workshop now (a booking still offered, read again) */
    freeNow: (b: BookingRecord, at: number): BookingSlot[] => {
      const w = workshopOf(b.workshopId);
      return w ? freeSlots(w, b.takenIn, deps.zoneOf(b.customerId), at) : [];
    },
    forTicket: (ticketId: string): BookingRecord | null => store.forTicket(ticketId),
    list: (customerId?: string): BookingRecord[] => store.list(customerId),
    /** event time moved: bookings whose slot is over are done */
    tick: (now: number): BookingRecord[] => store.finish(now),
    forget: (customerId: string): number => store.forget(customerId),
    slotText: (b: { from: number; to: number }, customerId: string): string => slotText(b, deps.zoneOf(customerId)),
  };
}
export type Bookings = ReturnType<typeof createBookings>;
