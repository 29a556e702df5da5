/**
 * Where bookings of the product-service chain live: one per ticket whose offer named a workshop (or an
 * appliance service), offered with free slots, then accepted and confirmed with a slot (and, for a car
 * taken in, a replacement car), done once its slot is over. openSqliteBookingStore (sqlite-store.ts)
 * keeps them in the helpdesk's database; taking a slot is one transaction that counts the places.
 */
import type { BookingSlot, BookingState } from '../../contracts/index.js';

export interface BookingStep {
  at: number;
  state: BookingState;
  by: string;
}

export interface BookingRecord {
  id: string;
  ticketId: string;
  customerId: string;
  deviceId: string;
  workshopId: string;
  workshop: string;
  /** the device is taken in (a car): a replacement car is reserved with the slot, when the workshop lends them */
  takenIn: boolean;
  state: BookingState;
  offeredAt: number;
  updatedAt: number;
  /** the free slots the offer listed (free places as of the offer) */
  offered: BookingSlot[];
  slot: { slotId: string; from: number; to: number } | null;
  replacementCar: string | null;
  history: BookingStep[];
}

/** what a slot may take: its places, and the replacement cars of its day */
export interface SlotLimits {
  capacity: number;
  /** the workshop's replacement cars (ids); empty: none is reserved */
  cars: readonly string[];
  /** the local day the car is lent for, event times [from, to) */
  day: { from: number; to: number };
}

export type ReserveResult = { ok: true; booking: BookingRecord } | { ok: false; reason: 'full' | 'no-car' | 'state'; message: string };

export interface BookingStore {
  /** stores a new booking (offered); the booking of the ticket instead when it has one already */
  offer(b: BookingRecord): { booking: BookingRecord; created: boolean };
  /** replaces the offered slots of a booking still offered */
  reoffer(id: string, offered: BookingSlot[], at: number): void;
  get(id: string): BookingRecord | null;
  forTicket(ticketId: string): BookingRecord | null;
  /** every booking, by offer time then id */
  list(customerId?: string): BookingRecord[];
  /** places taken per slot id (accepted, confirmed or done bookings) */
  taken(workshopId: string, slotIds: readonly string[]): Map<string, number>;
  /** replacement cars lent by the workshop for bookings whose slot starts in [from, to) */
  carsTaken(workshopId: string, from: number, to: number): string[];
  /**
   * Accepts and confirms an offered booking with the slot, in one transaction that takes the database's
   * write lock first: refused when the slot is at capacity ('full') or no car of the day is left ('no-car').
   */
  reserve(id: string, slot: { slotId: string; from: number; to: number }, limits: SlotLimits, at: number, by: string): ReserveResult;
  /** confirmed bookings whose slot ended by `now` become done; returns them */
  finish(now: number): BookingRecord[];
  /** an erasure: the customer's bookings go; how many */
  forget(customerId: string): number;
  close(): void;
}
