import { describe, expect, it } from 'vitest';
import { DEVICE_CHANNELS, PARSED_TOPICS_KEPT, parsedTopic, parsedTopicsBound, deviceTopic } from '../../../contracts/index.js';
import { createLiveDirectory } from '../../../helpdesk/registry/live-directory.js';
import type { CustomerRecord, DeviceRecord } from '../../../helpdesk/registry/records.js';

const customer = (id: string): CustomerRecord => ({
  id, name: id, home: null, preferences: { channels: ['email'] } as CustomerRecord['preferences'], timeZone: null, state: 'active', origin: 'world', createdAt: 0,
});
const device = (customerId: string, id: string, state: DeviceRecord['state'] = 'active'): DeviceRecord => ({
  customerId, id, kind: 'fridge', name: id, state, origin: 'world', measures: null, extra: [], reportEveryS: null, source: null, model: null,
  registeredAt: 0, lastAnnounceAt: null, decidedBy: null, decidedAt: null, problem: null,
});

describe('live directory: deviceOf, the lookup by parsed topic', () => {
  it('answers as device() does, and follows every change after it has answered', () => {
    const live = createLiveDirectory();
    live.apply({ customers: [customer('c1')], devices: [device('c1', 'fridge-1')] });
    const t = parsedTopic(deviceTopic('c1', 'fridge-1', 'telemetry'));
    if (t?.scope !== 'device') throw new Error('not a device topic');
    const d = live.directory;
    expect(d.deviceOf(t)).toBe(d.device('c1', 'fridge-1'));
    expect(d.deviceOf(t)?.id).toBe('fridge-1');
    // asked again: the same answer
    expect(d.deviceOf(t)).toBe(d.device('c1', 'fridge-1'));
    // rejected: gone from the directory, and deviceOf says so at once
    live.apply({ devices: [device('c1', 'fridge-1', 'rejected')] });
    expect(d.deviceOf(t)).toBeUndefined();
    // back, with a new record: the new one
    live.apply({ devices: [{ ...device('c1', 'fridge-1'), name: 'kitchen' }] });
    expect(d.deviceOf(t)?.name).toBe('kitchen');
    // a change of another customer, then its own customer removed
    live.apply({ customers: [customer('c2')], devices: [device('c2', 'fridge-1')] });
    expect(d.deviceOf(t)?.name).toBe('kitchen');
    live.apply({ removeCustomers: ['c1'] });
    expect(d.deviceOf(t)).toBeUndefined();
    expect(d.deviceOf({ customerId: 'c2', deviceId: 'fridge-1' })?.customerId).toBe('c2');
  });

  it('forgets its answers when the whole registry is replaced, by an empty snapshot too', () => {
    const live = createLiveDirectory();
    live.apply({ customers: [customer('c1')], devices: [device('c1', 'fridge-1')] });
    const t = parsedTopic(deviceTopic('c1', 'fridge-1', 'event'));
    if (t?.scope !== 'device') throw new Error('not a device topic');
    expect(live.directory.deviceOf(t)?.id).toBe('fridge-1');
    live.reset({ customers: [], devices: [], stores: [], workshops: [] });
    expect(live.directory.device('c1', 'fridge-1')).toBeUndefined();
    expect(live.directory.deviceOf(t)).toBeUndefined();
  });

  it("makes room in the parsed topics for every channel of the devices it holds (a fleet's topics recur far apart)", () => {
    const live = createLiveDirectory();
    const homes = Math.ceil(PARSED_TOPICS_KEPT / DEVICE_CHANNELS.length / 2) + 500;
    const n = 2 * homes;
    const customers = Array.from({ length: homes }, (_, i) => customer(`h${i}`));
    live.apply({ customers, devices: customers.flatMap((c) => [device(c.id, 'fridge'), device(c.id, 'car')]) });
    expect(parsedTopicsBound()).toBe(n * DEVICE_CHANNELS.length);
    // a pending device counts too (its announce and availability arrive); removed ones free no room (it only grows)
    live.apply({ customers: [customer('late')], devices: [device('late', 'fridge', 'pending')] });
    expect(parsedTopicsBound()).toBe((n + 1) * DEVICE_CHANNELS.length);
    live.apply({ removeCustomers: ['late', 'h0'] });
    expect(parsedTopicsBound()).toBe((n + 1) * DEVICE_CHANNELS.length);
  });
});
