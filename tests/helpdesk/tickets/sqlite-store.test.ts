import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultDbPath } from '../../../helpdesk/tickets/default-db-path.js';
import { contact, escalate, open, resolve, sendAction, type Ticket } from '../../../helpdesk/tickets/lifecycle.js';
import { SCHEMA_VERSION, openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import { TicketStoreError } from '../../../helpdesk/tickets/store.js';
import { memoryTicketStores, ok } from '../../helpers/ticket-store.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const T0 = Date.UTC(2020, 0, 15, 6, 30);
const by = 'helpdesk';

function fresh(incidentKey: string, deviceId = 'car-1', kind = 'battery-discharge', at = T0): Ticket {
  return ok(open({ incidentKey, deviceId, customerId: 'cust-1', kind, severity: 'high', at, evidence: { voltageV: 11.9, samples: [1, 2] }, proactive: true }));
}
function worked(t: Ticket): Ticket {
  const c = ok(contact(t, { at: t.updatedAt + 1000, channel: 'car-display', text: 'Hello, we noticed a problem.', by }));
  return ok(sendAction(c, { at: c.updatedAt + 1000, action: 'battery-saver', commandId: 'cmd-1', by }));
}

describe('sqlite store (:memory:)', () => {
  const mem = memoryTicketStores();

  it('opens idempotently by incident key', () => {
    const first = mem.store.openIdempotent(fresh('inc-1'));
    expect(first.created).toBe(true);
    expect(first.ticket).toEqual(fresh('inc-1'));
    // a later detection of the same incident (other time, evidence) gets the stored ticket back
    const again = mem.store.openIdempotent(fresh('inc-1', 'car-1', 'battery-discharge', T0 + 60_000));
    expect(again.created).toBe(false);
    expect(again.ticket.openedAt).toBe(T0);
    expect(mem.store.list()).toHaveLength(1);
  });

  it('returns the existing ticket even when it is resolved', () => {
    const t = mem.store.openIdempotent(fresh('inc-1')).ticket;
    mem.store.save(ok(resolve(t, { at: T0 + 5, resolution: 'gone', by })));
    const again = mem.store.openIdempotent(fresh('inc-1'));
    expect(again).toMatchObject({ created: false, ticket: { state: 'resolved' } });
  });

  it('roundtrips a ticket with its timeline through save and get', () => {
    const t = mem.store.openIdempotent(fresh('inc-1')).ticket;
    const w = worked(t);
    mem.store.save(w);
    expect(mem.store.get(w.id)).toEqual(w);
    const e = ok(escalate(w, { at: w.updatedAt + 1, reason: 'still draining', offer: { workshop: { id: 'ws-1', slot: T0 } }, by }));
    mem.store.save(e);
    mem.store.save(e); // saving the same ticket twice is harmless
    const back = mem.store.get(e.id);
    expect(back).toEqual(e);
    expect(back?.timeline.map((x) => x.step)).toEqual(['opened', 'contacted', 'action-sent', 'escalated']);
    expect(mem.store.get('T-0000000000')).toBeNull();
  });

  it('save also inserts a ticket that was never opened through the store', () => {
    const w = worked(fresh('inc-9'));
    mem.store.save(w);
    expect(mem.store.get(w.id)).toEqual(w);
  });

  it('refuses a stale save that would overwrite a newer update', () => {
    const t = mem.store.openIdempotent(fresh('inc-1')).ticket;
    const a = ok(contact(t, { at: T0 + 1, channel: 'email', text: 'Hello, we noticed a problem.', by }));
    const b = ok(resolve(t, { at: T0 + 2, resolution: 'customer fixed it', by }));
    mem.store.save(a);
    expect(() => mem.store.save(b)).toThrowError(TicketStoreError);
    expect(() => mem.store.save(t)).toThrowError(/EVN_ERR_TICKET_STALE|not a prefix/);
    expect(mem.store.get(t.id)).toEqual(a);
  });

  it('finds the open ticket of a device and kind', () => {
    const a = mem.store.openIdempotent(fresh('inc-a', 'car-1', 'battery-discharge', T0)).ticket;
    const b = mem.store.openIdempotent(fresh('inc-b', 'car-1', 'battery-discharge', T0 + 10)).ticket;
    mem.store.openIdempotent(fresh('inc-c', 'fridge-1', 'door-open', T0 + 20));
    expect(mem.store.findOpen('cust-1', 'car-1', 'battery-discharge')?.id).toBe(b.id);
    mem.store.save(ok(resolve(b, { at: T0 + 30, resolution: 'ok', by })));
    expect(mem.store.findOpen('cust-1', 'car-1', 'battery-discharge')?.id).toBe(a.id);
    mem.store.save(ok(resolve(a, { at: T0 + 30, resolution: 'ok', by })));
    expect(mem.store.findOpen('cust-1', 'car-1', 'battery-discharge')).toBeNull();
    expect(mem.store.findOpen('cust-1', 'fridge-1', 'door-open')?.incidentKey).toBe('inc-c');
    // device ids are unique per customer only
    expect(mem.store.findOpen('cust-2', 'fridge-1', 'door-open')).toBeNull();
  });

  it('lists ordered by openedAt then id, with state and device filters', () => {
    const late = mem.store.openIdempotent(fresh('late', 'car-1', 'k', T0 + 100)).ticket;
    const x = mem.store.openIdempotent(fresh('same-x', 'car-2', 'k', T0)).ticket;
    const y = mem.store.openIdempotent(fresh('same-y', 'car-1', 'k', T0)).ticket;
    const sameTime = [x.id, y.id].sort();
    expect(mem.store.list().map((t) => t.id)).toEqual([...sameTime, late.id]);
    mem.store.save(ok(resolve(y, { at: T0 + 200, resolution: 'ok', by })));
    expect(mem.store.list({ state: 'resolved' }).map((t) => t.id)).toEqual([y.id]);
    expect(mem.store.list({ state: 'opened' }).map((t) => t.id).sort()).toEqual([late.id, x.id].sort());
    expect(mem.store.list({ deviceId: 'car-1' }).map((t) => t.id)).toEqual([y.id, late.id]);
    expect(mem.store.list({ deviceId: 'car-1', state: 'opened' }).map((t) => t.id)).toEqual([late.id]);
    expect(mem.store.list({ deviceId: 'nobody' })).toEqual([]);
    expect(mem.store.list()[0]?.timeline.length).toBeGreaterThan(0);
  });
});

describe('sqlite store (file)', () => {
  const tmp = tempDirPerTest('evernet-tickets-');

  it('uses WAL, sets the schema version and keeps data across reopening', () => {
    const file = tmp.join('nested', 'helpdesk.db');
    const store = openSqliteStore({ path: file });
    const w = worked(store.openIdempotent(fresh('inc-1')).ticket);
    store.save(w);
    store.close();

    const raw = new Database(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();

    const again = openSqliteStore({ path: file });
    expect(again.get(w.id)).toEqual(w);
    expect(again.openIdempotent(fresh('inc-1'))).toMatchObject({ created: false, ticket: { state: 'action-sent' } });
    again.close();
  });

  it('refuses a database from a newer schema version', () => {
    const file = tmp.join('future.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openSqliteStore({ path: file })).toThrowError(/newer than this build/);
  });
});

describe('defaultDbPath', () => {
  it.each([
    ['linux with XDG_DATA_HOME', { XDG_DATA_HOME: '/data/xdg' }, 'linux', '/home/ann', '/data/xdg/evernet/helpdesk.db'],
    ['linux without XDG_DATA_HOME', {}, 'linux', '/home/ann', '/home/ann/.local/share/evernet/helpdesk.db'],
    ['linux with a relative XDG_DATA_HOME (ignored)', { XDG_DATA_HOME: 'rel' }, 'linux', '/home/ann', '/home/ann/.local/share/evernet/helpdesk.db'],
    ['macOS', { XDG_DATA_HOME: '/x' }, 'darwin', '/Users/ann', '/Users/ann/Library/Application Support/evernet/helpdesk.db'],
    ['Windows', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ann', 'C:\\Users\\ann\\AppData\\Roaming\\evernet\\helpdesk.db'],
    ['Windows without APPDATA', {}, 'win32', 'C:\\Users\\ann', 'C:\\Users\\ann\\AppData\\Roaming\\evernet\\helpdesk.db'],
  ] as const)('%s', (_name, env, platform, home, expected) => {
    expect(defaultDbPath(env, platform, home)).toBe(expected);
  });
});
