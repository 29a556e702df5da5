/**
 * The world of the `dashboard` bench: a directory of seeded customers (car, fridge, washer each) plus
 * "live" customers with one fridge whose door the bench opens, and a ticket store filled with tickets
 * of every kind, state and severity, with timelines like the helpdesk writes them. Deterministic
 * (a seeded PRNG), so two runs fill the same store.
 */
import type { Severity } from '../../contracts/index.js';
import { prng } from '../../devices/kinds/rng.js';
import type { Directory, DirectoryCustomer } from '../../helpdesk/directory.js';
import * as life from '../../helpdesk/tickets/lifecycle.js';
import type { TicketStore } from '../../helpdesk/tickets/store.js';

const KINDS = {
  'car-battery': ['battery-discharge', 'battery-parasitic', 'battery-weak'],
  fridge: ['fridge-warm', 'fridge-door-open', 'fridge-duty'],
  washer: ['washer-heater', 'washer-drain'],
} as const;
const DEVICES = [
  { id: 'car', kind: 'car-battery', name: 'car (12 V battery)' },
  { id: 'fridge', kind: 'fridge', name: 'fridge' },
  { id: 'washer', kind: 'washer', name: 'washing machine' },
] as const;
const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];
const CHANNELS = ['app-push', 'sms', 'email'] as const;

export const liveCustomerId = (i: number): string => `live-${String(i).padStart(3, '0')}`;


function customer(id: string, name: string, devices: DirectoryCustomer['devices'], i: number): DirectoryCustomer {
  return {
    id,
    name,
    home: { lat: 50.9 + (i % 100) / 1000, lon: 6.9 + (i % 37) / 1000 },
    preferences: { channels: [...CHANNELS], quietHours: { from: '22:00', to: '07:00' }, timeZoneOffsetMinutes: 60, phone: '+49 221 5550100' },
    devices,
  };
}

export function benchDirectory(seeded: number, live: number): Directory {
  const customers: DirectoryCustomer[] = [];
  for (let i = 0; i < seeded; i++) {
    const id = `c${String(i).padStart(4, '0')}`;
    const name = `Customer ${i}`;
    customers.push(customer(id, name, DEVICES.map((d) => ({ id: d.id, kind: d.kind, customerId: id, name: `${name}'s ${d.name}` })), i));
  }
  for (let i = 0; i < live; i++) {
    const id = liveCustomerId(i);
    customers.push(customer(id, `Live ${i}`, [{ id: 'fridge', kind: 'fridge', customerId: id, name: `Live ${i}'s fridge` }], seeded + i));
  }
  return {
    customers,
    stores: [],
    workshops: [{ id: 'autohaus-becker', name: 'Autohaus Becker', location: { lat: 50.952, lon: 6.979 }, services: ['car-battery', 'fridge', 'washer'], replacementCar: true }],
  };
}

const must = life.ticketOf;

/**
 * Opens `count` tickets on the seeded customers' devices, between `spanMs` before `beforeMs` and
 * `beforeMs`, and moves each to a state: about 10 % opened, 15 % contacted, 10 % action-sent,
 * 10 % escalated, 55 % resolved (some of those reopened and resolved again).
 */
export function seedTickets(store: TicketStore, directory: Directory, count: number, beforeMs: number, spanMs = 30 * 86_400_000): void {
  const rnd = prng(2020);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const seeded = directory.customers.filter((c) => !c.id.startsWith('live-'));
  const minute = 60_000;
  for (let i = 0; i < count; i++) {
    const c = seeded[i % seeded.length]!;
    const device = pick(c.devices);
    const kind = pick(KINDS[device.kind]);
    const at = Math.round(beforeMs - spanMs + rnd() * (spanMs - 4 * 3600_000));
    const opened = must(
      life.open({
        incidentKey: `${c.id}/${device.id}/${kind}/${at}-${i}`,
        deviceId: device.id,
        customerId: c.id,
        kind,
        severity: pick(SEVERITIES),
        at,
        evidence: { expected: 'normal operation', observed: `seeded incident ${i}`, since: at - 5 * minute },
        proactive: rnd() < 0.8,
      }),
    );
    const { ticket } = store.openIdempotent(opened);
    const r = rnd();
    if (r < 0.1) continue;
    let t = ticket;
    let now = at + Math.round(1 + rnd() * 20) * minute;
    t = must(life.contact(t, { at: now, channel: pick(CHANNELS), text: 'Hello, we noticed a problem.', by: 'helpdesk' }));
    if (r < 0.25) {
      store.save(t);
      continue;
    }
    now += Math.round(1 + rnd() * 10) * minute;
    if (r < 0.35) {
      t = must(life.sendAction(t, { at: now, action: 'battery-saver', commandId: `seed-${i}`, by: 'helpdesk' }));
    } else if (r < 0.45) {
      t = must(life.escalate(t, { at: now, reason: `no remote fix for ${kind}`, offer: { workshopId: 'autohaus-becker' }, by: 'helpdesk' }));
    } else {
      t = must(life.resolve(t, { at: now, resolution: `Recovered: seeded incident ${i}.`, by: 'helpdesk' }));
      if (rnd() < 0.1) {
        now += Math.round(10 + rnd() * 60) * minute;
        t = must(life.reopen(t, { at: now, by: 'alice', note: 'came back' }));
        t = must(life.addNote(t, { at: now + minute, by: 'alice', text: 'looking into it' }));
        t = must(life.resolve(t, { at: now + 2 * minute, resolution: 'Fixed on the second visit.', by: 'alice' }));
      }
    }
    store.save(t);
  }
}
