/**
 * Taking a slot is one transaction over the helpdesk's database: two connections to one SQLite file
 * (two helpdesk processes) taking the last place of a slot, or the last replacement car of a day, get
 * one booking confirmed and the other refused, with nothing of either lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteBookingStore } from '../../../helpdesk/bookings/sqlite-store.js';
import type { BookingRecord } from '../../../helpdesk/bookings/store.js';

const AT = Date.parse('2020-11-02T12:00:00+01:00');
const SLOT = { slotId: 'becker-202011030800', from: Date.parse('2020-11-03T08:00:00+01:00'), to: Date.parse('2020-11-03T10:00:00+01:00') };
const DAY = { from: Date.parse('2020-11-03T00:00:00+01:00'), to: Date.parse('2020-11-04T00:00:00+01:00') };
const offered = (customerId: string): BookingRecord => ({
  id: `b-${customerId}`, ticketId: `T-${customerId}`, customerId, deviceId: 'car', workshopId: 'becker', workshop: 'Becker', takenIn: true, state: 'offered',
  offeredAt: AT, updatedAt: AT, offered: [{ ...SLOT, free: 1 }], slot: null, replacementCar: null, history: [{ at: AT, state: 'offered', by: 'helpdesk' }],
});

describe('booking store on one SQLite file, two connections', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('confirms one of two bookings for the last place and refuses the other, losing nothing', () => {
    dir = mkdtempSync(join(tmpdir(), 'evernet-bookings-'));
    const file = join(dir, 'helpdesk.db');
    const a = openSqliteBookingStore({ path: file });
    const b = openSqliteBookingStore({ path: file, check: false });
    a.offer(offered('maria'));
    b.offer(offered('jonas'));
    const limits = { capacity: 1, cars: ['becker-car-1', 'becker-car-2'], day: DAY };
    expect(a.reserve('b-maria', SLOT, limits, AT + 1000, 'customer')).toMatchObject({ ok: true, booking: { state: 'confirmed', replacementCar: 'becker-car-1' } });
    expect(b.reserve('b-jonas', SLOT, limits, AT + 2000, 'customer')).toMatchObject({ ok: false, reason: 'full' });
    expect(b.get('b-jonas')).toMatchObject({ state: 'offered', slot: null, replacementCar: null, history: [{ state: 'offered' }] });
    // a confirmed booking is not taken twice
    expect(b.reserve('b-maria', SLOT, { ...limits, capacity: 5 }, AT + 3000, 'customer')).toMatchObject({ ok: false, reason: 'state' });
    // another slot that day has room, but the day's only car is lent
    const later = { slotId: 'becker-202011031000', from: SLOT.to, to: SLOT.to + 7_200_000 };
    expect(b.reserve('b-jonas', later, { ...limits, cars: ['becker-car-1'] }, AT + 4000, 'customer')).toMatchObject({ ok: false, reason: 'no-car' });
    expect(b.reserve('b-jonas', later, limits, AT + 5000, 'customer')).toMatchObject({ ok: true, booking: { replacementCar: 'becker-car-2' } });
    expect(a.list().map((x) => [x.customerId, x.state, x.slot?.slotId, x.replacementCar])).toEqual([
      ['jonas', 'confirmed', later.slotId, 'becker-car-2'],
      ['maria', 'confirmed', SLOT.slotId, 'becker-car-1'],
    ]);
    a.close();
    b.close();
  });
});
