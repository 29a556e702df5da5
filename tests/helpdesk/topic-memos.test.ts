/**
 * The helpdesk's stages reach their record of a device through the memos of its parsed topic (contracts
 * TopicMemos), which every helpdesk of a process shares: a memo is taken only when it is the stage's own
 * and still the device's record, so two helpdesks never read each other's state, and a record replaced or
 * forgotten is not read again through a topic.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { deviceTopic, parsedTopic, type ParsedTopic, type Telemetry } from '../../contracts/index.js';
import { createDetection } from '../../helpdesk/detect/detect.js';
import { createSilence } from '../../helpdesk/detect/silence.js';
import { createIngest } from '../../helpdesk/ingest/ingest.js';
import { createLiveDirectory } from '../../helpdesk/registry/live-directory.js';
import type { CustomerRecord, DeviceRecord } from '../../helpdesk/registry/records.js';
import { at, car } from './detect/series.js';

type DeviceTopic = Extract<ParsedTopic, { scope: 'device' }>;
function topicOf(customer: string, device: string): DeviceTopic {
  const t = parsedTopic(deviceTopic(customer, device, 'telemetry'));
  if (t?.scope !== 'device') throw new Error('not a device topic');
  return t;
}
const carTelemetry = (seq: number, s: number): Telemetry => ({ v: 1, ts: at(s), seq, kind: 'car-battery', readings: car({}) });
const wire = (seq: number, s: number): [string, Buffer] => [deviceTopic('memo-c', 'car', 'telemetry'), Buffer.from(JSON.stringify(carTelemetry(seq, s)))];

describe('the topic memos of the helpdesk stages', () => {
  it('a parsed device topic starts with empty memos, and a parsed topic is the same object each time', () => {
    const t = topicOf('memo-fresh', 'car');
    expect(t).toBe(topicOf('memo-fresh', 'car'));
    expect([t.ingestMemo, t.directoryMemo, t.detectionMemo, t.silenceMemo]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('ingest: two helpdesks of one process each judge a sender by their own record', () => {
    const a = createIngest({ log: silentLogger() });
    const b = createIngest({ log: silentLogger() });
    for (const m of [wire(1, 0), wire(2, 60), wire(3, 120)]) a.accept(...m);
    // b has seen nothing of the sender: its first message is new to it, whatever a holds
    b.accept(...wire(1, 0));
    expect(b.stats()).toMatchObject({ accepted: 1, duplicates: 0 });
    // and a still has its own: 2 is a duplicate to a, 2 is new to b
    a.accept(...wire(2, 60));
    b.accept(...wire(2, 60));
    expect(a.stats()).toMatchObject({ accepted: 3, duplicates: 1 });
    expect(b.stats()).toMatchObject({ accepted: 2, duplicates: 0 });
    // a restored ingest takes its snapshot's records, the ones a topic's memo points to included
    const snap = b.snapshot();
    const c = createIngest({ log: silentLogger() });
    // (a second message, so that the topic's memo is c's record)
    c.accept(...wire(9, 600));
    c.accept(...wire(10, 660));
    c.restore(snap);
    // b's last was 2: 3 is new (a record left from before the restore would hold 10 and take it for a duplicate)
    c.accept(...wire(3, 120));
    expect(c.stats()).toMatchObject({ accepted: 3, duplicates: 0 });
  });

  it('detection: two detections of one process keep their own state of a device', () => {
    const t = topicOf('memo-det', 'car');
    const a = createDetection();
    const b = createDetection();
    a.observe(t.key, carTelemetry(1, 600), undefined, undefined, t);
    // b's first reading is older than a's last: new to b all the same
    b.observe(t.key, carTelemetry(1, 0), undefined, undefined, t);
    expect(b.skipped()).toBe(0);
    a.observe(t.key, carTelemetry(2, 0), undefined, undefined, t);
    expect(a.skipped()).toBe(1);
  });

  it('detection: a plan made anew for another profile replaces the one a topic remembers', () => {
    const t = topicOf('memo-plan', 'car');
    const d = createDetection();
    d.observe(t.key, carTelemetry(1, 0), undefined, undefined, t);
    expect(d.coverage(t.key)?.detectors).toEqual(['battery-discharge', 'battery-parasitic', 'battery-weak']);
    // an event with another profile (a board without a current sensor) makes a new plan, not through the topic
    const noCurrent = { measures: ['voltageV', 'temperatureC', 'engineRunning', 'speedKmh'] };
    d.observeEvent(t.key, 'car-battery', at(30), { type: 'trip', state: 'started' } as never, noCurrent);
    const plan = d.coverage(t.key);
    // the next reading with that profile goes on with the new plan: the topic's memo of the old one is not taken
    d.observe(t.key, carTelemetry(2, 60), noCurrent, undefined, t);
    expect(d.coverage(t.key)).toBe(plan);
    expect(t.detectionMemo).toMatchObject({ coverage: plan, stale: false });
  });

  it('silence: a device forgotten is watched afresh when it is heard again, through the same topic', () => {
    const t = topicOf('memo-sil', 'fridge');
    const s = createSilence();
    const other = createSilence();
    for (const x of [0, 60, 120, 180]) s.heard(t.customerId, t.deviceId, at(x), at(x), t.key, t);
    // another watch of the process hears it once: its own record, not s's
    other.heard(t.customerId, t.deviceId, at(0), at(0), t.key, t);
    expect(other.watching()).toBe(1);
    // removed from the directory: forgotten at the next tick
    s.tick(at(86_400), () => undefined);
    expect(s.watching()).toBe(0);
    // heard again: a new record, in the map (a memo of the forgotten one would have been updated instead)
    s.heard(t.customerId, t.deviceId, at(90_000), at(90_000), t.key, t);
    expect(s.watching()).toBe(1);
    expect(s.snapshot().devices.get(t.key)).toMatchObject({ lastTs: at(90_000), intervals: [] });
  });

  it('directory: two directories of one process answer from their own records', () => {
    const t = topicOf('memo-dir', 'fridge');
    const customer: CustomerRecord = { id: 'memo-dir', name: 'x', home: null, preferences: { channels: ['email'] } as CustomerRecord['preferences'], timeZone: null, state: 'active', origin: 'world', createdAt: 0 };
    const device: DeviceRecord = {
      customerId: 'memo-dir', id: 'fridge', kind: 'fridge', name: 'fridge', state: 'active', origin: 'world', measures: null, extra: [], reportEveryS: null, source: null, model: null,
      registeredAt: 0, lastAnnounceAt: null, decidedBy: null, decidedAt: null, problem: null,
    };
    const a = createLiveDirectory();
    const b = createLiveDirectory();
    a.apply({ customers: [customer], devices: [device] });
    // b has changed as often as a (the same generation), with no such device
    b.apply({ customers: [{ ...customer, id: 'memo-dir-other' }] });
    expect(a.directory.deviceOf(t)?.id).toBe('fridge');
    expect(b.directory.deviceOf(t)).toBeUndefined();
    expect(a.directory.deviceOf(t)?.id).toBe('fridge');
  });
});
