/** A workshop's slots from its opening hours, in the customer's local time across a change of daylight saving; ids that name them. */
import { describe, expect, it } from 'vitest';
import { dayOf, policyOf, slotById, slotsBetween } from '../../../helpdesk/bookings/slots.js';
import type { Workshop } from '../../../helpdesk/directory.js';

const W: Workshop = { id: 'becker', name: 'Becker', location: { lat: 50.95, lon: 6.98 }, services: ['car-battery'], replacementCar: true, booking: { open: '08:00', close: '12:00', slotMinutes: 120 } };
const ZONE = 'Europe/Berlin';

describe('workshop slots', () => {
  it('lays slots on working days in local time, across the end of daylight saving', () => {
    // Friday 23 October 2020 to Tuesday 27 October: summer time ends on Sunday the 25th
    const slots = slotsBetween(W, policyOf(W), ZONE, Date.parse('2020-10-23T00:00:00+02:00'), Date.parse('2020-10-28T00:00:00+01:00'));
    expect(slots.map((s) => [s.slotId, new Date(s.from).toISOString()])).toEqual([
      ['becker-202010230800', '2020-10-23T06:00:00.000Z'],
      ['becker-202010231000', '2020-10-23T08:00:00.000Z'],
      ['becker-202010260800', '2020-10-26T07:00:00.000Z'],
      ['becker-202010261000', '2020-10-26T09:00:00.000Z'],
      ['becker-202010270800', '2020-10-27T07:00:00.000Z'],
      ['becker-202010271000', '2020-10-27T09:00:00.000Z'],
    ]);
    expect(slots.every((s) => s.to - s.from === 2 * 3_600_000 && s.capacity === 2)).toBe(true);
  });

  it('finds a slot by its id, and nothing for an id the workshop has no slot for', () => {
    const p = policyOf(W);
    expect(slotById(W, p, ZONE, 'becker-202010261000')).toMatchObject({ from: Date.parse('2020-10-26T10:00:00+01:00') });
    for (const id of ['becker-202010251000', 'becker-202010260900', 'becker-202010261200', 'other-202010261000', 'becker-2020102610', 'becker-20201026100x']) {
      expect(slotById(W, p, ZONE, id), id).toBeNull();
    }
  });

  it('lends no replacement car from a workshop without them, and a car for the local day', () => {
    expect(policyOf({ ...W, replacementCar: false, booking: { replacementCars: 3 } }).replacementCars).toBe(0);
    expect(policyOf({ ...W, booking: undefined })).toMatchObject({ open: '08:00', close: '17:00', slotMinutes: 120, capacity: 2, days: [1, 2, 3, 4, 5], replacementCars: 2 });
    expect(dayOf(Date.parse('2020-10-26T08:00:00+01:00'), ZONE)).toEqual({ from: Date.parse('2020-10-26T00:00:00+01:00'), to: Date.parse('2020-10-27T00:00:00+01:00') });
  });
});
