/**
 * A workshop's (or an appliance service's) slots, pure: from its opening hours, slot length, places per
 * slot and replacement cars (SlotPolicy; the world's `booking:` of a workshop, else the defaults), the
 * slots of the next working days in the customer's local time. A slot's id names the workshop and its
 * local start, so the same world and time give the same ids: '<workshop>-<yyyymmddhhmm>'.
 */
import { offsetMinutesAt } from '../../contracts/time-zone.js';
import type { Workshop } from '../directory.js';

export interface SlotPolicy {
  /** opening hours, local 'HH:MM' */
  open: string;
  close: string;
  /** length of one slot (min) */
  slotMinutes: number;
  /** bookings one slot takes */
  capacity: number;
  /** the days it works, 1 = Monday … 7 = Sunday */
  days: number[];
  /** replacement cars it lends (one a day per booking of a car taken in); 0 when it has none */
  replacementCars: number;
}

export interface Slot {
  slotId: string;
  workshopId: string;
  /** event times, ms */
  from: number;
  to: number;
  capacity: number;
}

export const DEFAULT_SLOT_POLICY: Omit<SlotPolicy, 'replacementCars'> = { open: '08:00', close: '17:00', slotMinutes: 120, capacity: 2, days: [1, 2, 3, 4, 5] };
/** replacement cars of a workshop that has them and names no number */
export const DEFAULT_REPLACEMENT_CARS = 2;
/** how far ahead slots are offered (days), and how soon the first may start after the offer (ms) */
export const OFFER_DAYS = 7;
export const OFFER_LEAD_MS = 2 * 3_600_000;

export function policyOf(w: Workshop): SlotPolicy {
  return {
    ...DEFAULT_SLOT_POLICY,
    replacementCars: w.replacementCar ? DEFAULT_REPLACEMENT_CARS : 0,
    ...(w.booking ?? {}),
    ...(w.replacementCar ? {} : { replacementCars: 0 }),
  };
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** event time of a local wall time in the zone (the offset of that moment, daylight saving included) */
function localToUtc(y: number, m: number, d: number, minute: number, zone: string): number {
  const wall = Date.UTC(y, m, d, 0, minute);
  const guess = wall - offsetMinutesAt(zone, wall) * 60_000;
  return wall - offsetMinutesAt(zone, guess) * 60_000;
}

/** the local calendar day (y, m, d, weekday 1–7) of an event time */
function localDay(at: number, zone: string): { y: number; m: number; d: number } {
  const local = new Date(at + offsetMinutesAt(zone, at) * 60_000);
  return { y: local.getUTCFullYear(), m: local.getUTCMonth(), d: local.getUTCDate() };
}

/** The slot id of a local start: '<workshop>-<yyyymmddhhmm>'. */
export function slotIdOf(workshopId: string, y: number, m: number, d: number, minute: number): string {
  return `${workshopId}-${y}${pad(m + 1)}${pad(d)}${pad(Math.floor(minute / 60))}${pad(minute % 60)}`;
}

/** Every slot of the workshop starting in [from, to), in time order, on the days it works. */
export function slotsBetween(w: Workshop, policy: SlotPolicy, zone: string, from: number, to: number): Slot[] {
  const out: Slot[] = [];
  const open = minutesOf(policy.open);
  const close = minutesOf(policy.close);
  const start = localDay(from, zone);
  for (let i = 0; ; i++) {
    const day = new Date(Date.UTC(start.y, start.m, start.d + i));
    const y = day.getUTCFullYear();
    const m = day.getUTCMonth();
    const d = day.getUTCDate();
    if (localToUtc(y, m, d, 0, zone) >= to) break;
    const weekday = ((day.getUTCDay() + 6) % 7) + 1;
    if (!policy.days.includes(weekday)) continue;
    for (let minute = open; minute + policy.slotMinutes <= close; minute += policy.slotMinutes) {
      const at = localToUtc(y, m, d, minute, zone);
      if (at < from || at >= to) continue;
      out.push({ slotId: slotIdOf(w.id, y, m, d, minute), workshopId: w.id, from: at, to: at + policy.slotMinutes * 60_000, capacity: policy.capacity });
    }
  }
  return out;
}

/** the slots a booking offered at `at` may take: from OFFER_LEAD_MS after it, OFFER_DAYS ahead */
export function offerWindow(at: number): { from: number; to: number } {
  return { from: at + OFFER_LEAD_MS, to: at + OFFER_DAYS * 24 * 3_600_000 };
}

/** The slot a slot id names, if the workshop has it at all (any time, not only in the offer's window). */
export function slotById(w: Workshop, policy: SlotPolicy, zone: string, slotId: string): Slot | null {
  const prefix = `${w.id}-`;
  if (!slotId.startsWith(prefix)) return null;
  const digits = slotId.slice(prefix.length);
  if (!/^\d{12}$/.test(digits)) return null;
  const y = Number(digits.slice(0, 4));
  const m = Number(digits.slice(4, 6)) - 1;
  const d = Number(digits.slice(6, 8));
  const minute = Number(digits.slice(8, 10)) * 60 + Number(digits.slice(10, 12));
  const dayStart = localToUtc(y, m, d, 0, zone);
  return slotsBetween(w, policy, zone, dayStart, dayStart + 24 * 3_600_000).find((s) => s.slotId === slotIdOf(w.id, y, m, d, minute)) ?? null;
}

/** the local day a slot lies in, as event times [from, to): a replacement car is lent for the day */
export function dayOf(at: number, zone: string): { from: number; to: number } {
  const { y, m, d } = localDay(at, zone);
  return { from: localToUtc(y, m, d, 0, zone), to: localToUtc(y, m, d + 1, 0, zone) };
}
