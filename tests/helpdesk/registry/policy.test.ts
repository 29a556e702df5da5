/**
 * The registration policy, case by case: who becomes active, pending or stays as registered, which
 * message is refused with which code, and which change is worth a log line (only changes are).
 */
import { describe, expect, it } from 'vitest';
import { newDevice, onAnnounce, onDecision, onUnannounced, onWrongKind, type AnnounceFacts, type CustomerRecord, type DeviceRecord } from '../../../helpdesk/registry/index.js';

const T = Date.parse('2026-11-30T08:00:00Z');
const FRIDGE: AnnounceFacts = { kind: 'fridge', name: 'Board fridge', measures: ['cabinetTempC', 'doorOpen'], extra: ['humidityPct'], reportEveryS: 5, source: 'board' };
const maria: CustomerRecord = { id: 'maria', name: 'Maria', home: null, preferences: { channels: ['email'] }, timeZone: 'Europe/Berlin', state: 'active', origin: 'staff', createdAt: T };
const registered = (over: Partial<DeviceRecord> = {}): DeviceRecord =>
  newDevice({ customerId: 'maria', id: 'fridge', kind: 'fridge', name: "Maria's fridge", state: 'active', origin: 'world', registeredAt: T, ...over });
const ctx = { customerId: 'maria', deviceId: 'fridge', at: T + 60_000, timeZone: 'UTC' };

describe('an announce', () => {
  it('from an unknown device through an authenticated broker registers it active at once, with its customer', () => {
    const d = onAnnounce({ ...ctx, announce: FRIDGE, mode: 'trust-broker' });
    expect(d.device).toMatchObject({ state: 'active', origin: 'announce', kind: 'fridge', name: 'Board fridge', measures: ['cabinetTempC', 'doorOpen'], extra: ['humidityPct'], reportEveryS: 5, source: 'board', decidedBy: 'broker' });
    expect(d.customer).toMatchObject({ id: 'maria', name: 'maria', state: 'active', origin: 'announce', timeZone: 'UTC', home: null });
    expect(d.refuse).toBeUndefined();
    expect(d.note?.level).toBe('info');
  });

  it('from an unknown device through an open broker records it pending, its customer too, and says how to accept it', () => {
    const d = onAnnounce({ ...ctx, announce: FRIDGE, mode: 'pending' });
    expect(d.device).toMatchObject({ state: 'pending', origin: 'announce', decidedBy: null });
    expect(d.customer).toMatchObject({ state: 'pending' });
    expect(d.refuse).toBeUndefined();
    expect(d.note).toMatchObject({ level: 'warn', code: 'EVN_ERR_DEVICE_PENDING' });
    expect(d.note!.msg).toContain('evernet devices accept maria/fridge');
  });

  it('of a known customer leaves the customer as it is', () => {
    expect(onAnnounce({ ...ctx, customer: maria, announce: FRIDGE, mode: 'pending' }).customer).toBeUndefined();
  });

  it('that agrees with the registered kind updates what the device measures, keeps a staff-given name and says nothing', () => {
    const d = onAnnounce({ ...ctx, customer: maria, device: registered(), announce: FRIDGE, mode: 'pending' });
    expect(d.device).toMatchObject({ state: 'active', name: "Maria's fridge", measures: FRIDGE.measures, lastAnnounceAt: ctx.at, origin: 'world' });
    expect(d.note).toBeUndefined();
    expect(d.refuse).toBeUndefined();
  });

  it('that disagrees with the registered kind keeps the device as registered, records the problem once and refuses the announce', () => {
    const washer = { ...FRIDGE, kind: 'washer' as const };
    const first = onAnnounce({ ...ctx, customer: maria, device: registered(), announce: washer, mode: 'trust-broker' });
    expect(first.device).toMatchObject({ kind: 'fridge', state: 'active', measures: null, problem: { code: 'EVN_ERR_KIND_MISMATCH', detail: 'announced as washer, registered as fridge', at: ctx.at } });
    expect(first.refuse?.code).toBe('EVN_ERR_KIND_MISMATCH');
    expect(first.note?.code).toBe('EVN_ERR_KIND_MISMATCH');
    const again = onAnnounce({ ...ctx, at: ctx.at + 1000, customer: maria, device: first.device, announce: washer, mode: 'trust-broker' });
    expect(again.refuse?.code).toBe('EVN_ERR_KIND_MISMATCH');
    expect(again.note).toBeUndefined();
    expect(again.device!.problem!.at).toBe(ctx.at);
    // the board file fixed: the problem clears
    const fixed = onAnnounce({ ...ctx, at: ctx.at + 2000, customer: maria, device: again.device, announce: FRIDGE, mode: 'trust-broker' });
    expect(fixed.device!.problem).toBeNull();
    expect(fixed.refuse).toBeUndefined();
  });

  it('of another kind from a pending device takes the new kind: nobody accepted the old one', () => {
    const pending = registered({ state: 'pending', origin: 'unannounced', kind: 'washer', name: 'fridge' });
    const d = onAnnounce({ ...ctx, customer: maria, device: pending, announce: FRIDGE, mode: 'pending' });
    expect(d.device).toMatchObject({ kind: 'fridge', state: 'pending', origin: 'announce', name: 'Board fridge' });
    expect(d.refuse).toBeUndefined();
  });

  it('through an authenticated broker activates a device that was pending', () => {
    const d = onAnnounce({ ...ctx, customer: { ...maria, state: 'pending' }, device: registered({ state: 'pending', origin: 'announce' }), announce: FRIDGE, mode: 'trust-broker' });
    expect(d.device).toMatchObject({ state: 'active', decidedBy: 'broker' });
    expect(d.customer).toMatchObject({ state: 'active' });
  });

  it('from a rejected device leaves it rejected and is refused', () => {
    const d = onAnnounce({ ...ctx, customer: maria, device: registered({ state: 'rejected', decidedBy: 'anna' }), announce: FRIDGE, mode: 'trust-broker' });
    expect(d.device!.state).toBe('rejected');
    expect(d.refuse).toMatchObject({ code: 'EVN_ERR_DEVICE_REJECTED' });
  });

  it('delivered again after a restart (older than the last one) does not move the last announce back', () => {
    const d = onAnnounce({ ...ctx, at: T, customer: maria, device: registered({ lastAnnounceAt: T + 5000 }), announce: FRIDGE, mode: 'pending' });
    expect(d.device!.lastAnnounceAt).toBe(T + 5000);
  });
});

describe('a message from a device that never announced itself', () => {
  it('records it pending "unannounced" with the kind its message names, refuses it as unknown and says so', () => {
    const d = onUnannounced({ ...ctx, kind: 'fridge', channel: 'telemetry' });
    expect(d.device).toMatchObject({ state: 'pending', origin: 'unannounced', kind: 'fridge', name: 'fridge', registeredAt: ctx.at });
    expect(d.customer).toMatchObject({ state: 'pending', origin: 'unannounced' });
    expect(d.refuse?.code).toBe('EVN_ERR_UNKNOWN_DEVICE');
    expect(d.note).toMatchObject({ level: 'warn', code: 'EVN_ERR_UNKNOWN_DEVICE' });
  });
});

describe('a message of the wrong kind', () => {
  it('is refused every time; the problem is recorded and logged the first time only', () => {
    const first = onWrongKind(registered(), 'washer', 'telemetry', ctx.at);
    expect(first.refuse).toEqual({ code: 'EVN_ERR_KIND_MISMATCH', reason: 'telemetry of kind washer from a fridge' });
    expect(first.device!.problem).toMatchObject({ code: 'EVN_ERR_KIND_MISMATCH' });
    expect(first.note).toBeDefined();
    const again = onWrongKind(first.device!, 'washer', 'telemetry', ctx.at + 1000);
    expect(again.refuse?.code).toBe('EVN_ERR_KIND_MISMATCH');
    expect(again.device).toBeUndefined();
    expect(again.note).toBeUndefined();
  });
});

describe("staff's decision", () => {
  it('accepting activates the device and its pending customer, with who did it', () => {
    const d = onDecision(registered({ state: 'pending' }), { ...maria, state: 'pending' }, 'accept', 'anna', ctx.at);
    expect(d.device).toMatchObject({ state: 'active', decidedBy: 'anna', decidedAt: ctx.at });
    expect(d.customer?.state).toBe('active');
  });

  it('rejecting leaves the customer alone', () => {
    const d = onDecision(registered({ state: 'pending' }), { ...maria, state: 'pending' }, 'reject', 'anna', ctx.at);
    expect(d.device).toMatchObject({ state: 'rejected', decidedBy: 'anna' });
    expect(d.customer).toBeUndefined();
  });
});
