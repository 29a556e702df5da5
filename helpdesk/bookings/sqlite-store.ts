/**
 * BookingStore on SQLite, in the helpdesk's database (table `booking_bookings`, version in
 * `evernet_schema` as 'bookings'). A slot's places and a day's replacement cars are counted inside the
 * transaction that takes them, begun IMMEDIATE (the write lock first): two helpdesks on one file, or
 * two customers in one, cannot both take the last place.
 */
import type Database from 'better-sqlite3';
import type { BookingSlot, BookingState } from '../../contracts/index.js';
import { migrate, type Migration } from '../../storage/migrate.js';
import { guarded, openSqlite } from '../../storage/sqlite.js';
import type { BookingRecord, BookingStep, BookingStore, ReserveResult, SlotLimits } from './store.js';

export interface SqliteBookingStoreOptions {
  /** the helpdesk's database file, or ':memory:' */
  path?: string;
  /** check the file's pages at open (default true); false when another store has just checked the same file */
  check?: boolean;
}

const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE booking_bookings (
      id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL, device_id TEXT NOT NULL,
      workshop_id TEXT NOT NULL, workshop TEXT NOT NULL, taken_in INTEGER NOT NULL, state TEXT NOT NULL,
      offered_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, offered TEXT NOT NULL,
      slot_id TEXT, slot_from INTEGER, slot_to INTEGER, replacement_car TEXT, history TEXT NOT NULL
    );
    CREATE INDEX booking_slot ON booking_bookings (workshop_id, slot_id);
    CREATE INDEX booking_customer ON booking_bookings (customer_id, offered_at);
    `),
];

interface Row {
  id: string;
  ticket_id: string;
  customer_id: string;
  device_id: string;
  workshop_id: string;
  workshop: string;
  taken_in: number;
  state: string;
  offered_at: number;
  updated_at: number;
  offered: string;
  slot_id: string | null;
  slot_from: number | null;
  slot_to: number | null;
  replacement_car: string | null;
  history: string;
}

const COLS = 'id, ticket_id, customer_id, device_id, workshop_id, workshop, taken_in, state, offered_at, updated_at, offered, slot_id, slot_from, slot_to, replacement_car, history';
const TAKING = "('accepted', 'confirmed', 'done')";

function fromRow(r: Row): BookingRecord {
  return {
    id: r.id, ticketId: r.ticket_id, customerId: r.customer_id, deviceId: r.device_id, workshopId: r.workshop_id, workshop: r.workshop,
    takenIn: r.taken_in !== 0, state: r.state as BookingState, offeredAt: r.offered_at, updatedAt: r.updated_at,
    offered: JSON.parse(r.offered) as BookingSlot[],
    slot: r.slot_id !== null && r.slot_from !== null && r.slot_to !== null ? { slotId: r.slot_id, from: r.slot_from, to: r.slot_to } : null,
    replacementCar: r.replacement_car, history: JSON.parse(r.history) as BookingStep[],
  };
}

export function openSqliteBookingStore(options: SqliteBookingStoreOptions = {}): BookingStore {
  const file = options.path ?? ':memory:';
  const db: Database.Database = openSqlite({ path: file, check: options.check ?? true });
  const q = guarded(file, db, () => {
    migrate(db, { name: 'bookings', migrations: MIGRATIONS });
    return {
      insert: db.prepare(`INSERT INTO booking_bookings (${COLS}) VALUES (@id, @ticket_id, @customer_id, @device_id, @workshop_id, @workshop, @taken_in, @state, @offered_at, @updated_at, @offered, @slot_id, @slot_from, @slot_to, @replacement_car, @history)`),
      get: db.prepare<[string], Row>(`SELECT ${COLS} FROM booking_bookings WHERE id = ?`),
      byTicket: db.prepare<[string], Row>(`SELECT ${COLS} FROM booking_bookings WHERE ticket_id = ?`),
      all: db.prepare<[], Row>(`SELECT ${COLS} FROM booking_bookings ORDER BY offered_at, id`),
      ofCustomer: db.prepare<[string], Row>(`SELECT ${COLS} FROM booking_bookings WHERE customer_id = ? ORDER BY offered_at, id`),
      reoffer: db.prepare<[string, number, string]>("UPDATE booking_bookings SET offered = ?, updated_at = ? WHERE id = ? AND state = 'offered'"),
      taken: db.prepare<[string, string], { n: number }>(`SELECT count(*) AS n FROM booking_bookings WHERE workshop_id = ? AND slot_id = ? AND state IN ${TAKING}`),
      cars: db.prepare<[string, number, number], { car: string }>(
        `SELECT replacement_car AS car FROM booking_bookings WHERE workshop_id = ? AND replacement_car IS NOT NULL AND slot_from >= ? AND slot_from < ? AND state IN ${TAKING}`,
      ),
      take: db.prepare<[number, string, number, number, string | null, string, string]>(
        "UPDATE booking_bookings SET state = 'confirmed', updated_at = ?, slot_id = ?, slot_from = ?, slot_to = ?, replacement_car = ?, history = ? WHERE id = ? AND state = 'offered'",
      ),
      due: db.prepare<[number], Row>(`SELECT ${COLS} FROM booking_bookings WHERE state = 'confirmed' AND slot_to <= ? ORDER BY slot_to, id`),
      done: db.prepare<[number, string, string]>("UPDATE booking_bookings SET state = 'done', updated_at = ?, history = ? WHERE id = ?"),
      forget: db.prepare<[string]>('DELETE FROM booking_bookings WHERE customer_id = ?'),
    };
  });

  const row = (r: Row | undefined): BookingRecord | null => (r ? fromRow(r) : null);
  const carsTaken = (workshopId: string, from: number, to: number): string[] => q.cars.all(workshopId, from, to).map((r) => r.car);

  const reserveTx = db.transaction((id: string, slot: { slotId: string; from: number; to: number }, limits: SlotLimits, at: number, by: string): ReserveResult => {
    const b = row(q.get.get(id));
    if (!b || b.state !== 'offered') return { ok: false, reason: 'state', message: `booking ${id} is ${b?.state ?? 'unknown'}, not offered` };
    const n = q.taken.get(b.workshopId, slot.slotId)!.n;
    if (n >= limits.capacity) return { ok: false, reason: 'full', message: `slot ${slot.slotId} is full (${n} of ${limits.capacity} places taken)` };
    let car: string | null = null;
    if (b.takenIn && limits.cars.length) {
      const lent = new Set(carsTaken(b.workshopId, limits.day.from, limits.day.to));
      car = limits.cars.find((c) => !lent.has(c)) ?? null;
      if (car === null) return { ok: false, reason: 'no-car', message: `all ${limits.cars.length} replacement cars of ${b.workshop} are lent that day` };
    }
    const history: BookingStep[] = [...b.history, { at, state: 'accepted', by }, { at, state: 'confirmed', by: b.workshopId }];
    q.take.run(at, slot.slotId, slot.from, slot.to, car, JSON.stringify(history), id);
    return { ok: true, booking: row(q.get.get(id))! };
  });

  const finishTx = db.transaction((now: number): BookingRecord[] => {
    const due = q.due.all(now).map(fromRow);
    for (const b of due) q.done.run(b.slot!.to, JSON.stringify([...b.history, { at: b.slot!.to, state: 'done', by: b.workshopId }]), b.id);
    return due.map((b) => row(q.get.get(b.id))!);
  });

  return {
    offer(b) {
      const had = row(q.byTicket.get(b.ticketId));
      if (had) return { booking: had, created: false };
      q.insert.run({
        id: b.id, ticket_id: b.ticketId, customer_id: b.customerId, device_id: b.deviceId, workshop_id: b.workshopId, workshop: b.workshop,
        taken_in: b.takenIn ? 1 : 0, state: b.state, offered_at: b.offeredAt, updated_at: b.updatedAt, offered: JSON.stringify(b.offered),
        slot_id: b.slot?.slotId ?? null, slot_from: b.slot?.from ?? null, slot_to: b.slot?.to ?? null, replacement_car: b.replacementCar, history: JSON.stringify(b.history),
      });
      return { booking: row(q.get.get(b.id))!, created: true };
    },
    reoffer: (id, offered, at) => void q.reoffer.run(JSON.stringify(offered), at, id),
    get: (id) => row(q.get.get(id)),
    forTicket: (ticketId) => row(q.byTicket.get(ticketId)),
    list: (customerId) => (customerId === undefined ? q.all.all() : q.ofCustomer.all(customerId)).map(fromRow),
    taken: (workshopId, slotIds) => new Map(slotIds.map((id) => [id, q.taken.get(workshopId, id)!.n])),
    carsTaken,
    reserve: (id, slot, limits, at, by) => reserveTx.immediate(id, slot, limits, at, by),
    finish: (now) => finishTx(now),
    forget: (customerId) => q.forget.run(customerId).changes,
    close: () => db.close(),
  };
}
