/** The live hub (ids, ring buffer, catch-up) and the stream's telemetry and clock events. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvents } from '../../../helpdesk/events.js';
import { createLiveHub } from '../../../helpdesk/web/live.js';
import { startDashboard, type RunningDashboard } from '../../../helpdesk/web/server.js';
import { silentLogger } from '../../../log/logger.js';
import { login, startFixture, type Fixture } from './fixture.js';
import { buildApp } from '../../../helpdesk/web/app.js';
import { openStream } from './sse-client.js';

const T0 = Date.UTC(2020, 10, 2, 18);

describe('the live hub', () => {
  const events = createEvents(silentLogger());
  const hub = createLiveHub({ helpdesk: { on: events.on } as never, render: (e) => ({ type: e.type }), bufferSize: 3 });
  hub.start();
  const availability = (n: number) => events.emit({ type: 'availability', at: T0 + n, customerId: 'maria', deviceId: 'car', online: true });

  it('numbers buffered messages and replays those after a given id', () => {
    expect(hub.lastId()).toBeNull();
    availability(1);
    availability(2);
    expect(hub.lastId()).toBe(`${hub.epoch}-2`);
    expect(hub.since(`${hub.epoch}-1`)!.map((m) => m.id)).toEqual([`${hub.epoch}-2`]);
    expect(hub.since(`${hub.epoch}-2`)).toEqual([]);
    expect(hub.since(`${hub.epoch}-0`)!.map((m) => m.id)).toEqual([`${hub.epoch}-1`, `${hub.epoch}-2`]);
  });

  it('does not buffer telemetry, and gives up (null) on ids it cannot place', () => {
    events.emit({ type: 'telemetry', at: T0, customerId: 'maria', deviceId: 'car', readings: {} });
    expect(hub.lastId()).toBe(`${hub.epoch}-2`);
    for (let i = 3; i <= 6; i++) availability(i);
    expect(hub.since(`${hub.epoch}-2`)).toBeNull(); // fell out of the buffer of 3
    expect(hub.since(`${hub.epoch}-3`)!.map((m) => m.id)).toEqual([4, 5, 6].map((n) => `${hub.epoch}-${n}`));
    expect(hub.since(`${hub.epoch}-7`)).toBeNull(); // from the future
    expect(hub.since('ffffffff-3')).toBeNull(); // another server instance
    expect(hub.since('3')).toBeNull();
  });

  it('lets go of the helpdesk on stop', () => {
    expect(events.size).toBe(1);
    hub.stop();
    expect(events.size).toBe(0);
  });
});

describe('telemetry and clock on the stream', () => {
  let f: Fixture;
  let d: RunningDashboard;
  const events = createEvents(silentLogger());
  beforeAll(async () => {
    f = await startFixture();
    // the real helpdesk, but its live events come from this test
    d = await startDashboard({ helpdesk: { ...f.helpdesk, on: events.on }, staff: f.staff, log: f.log, port: 0 });
  });
  afterAll(async () => {
    await d?.stop();
    await f?.close();
  });

  it('sends the telemetry of the device asked for, and event time every 10 s', async () => {
    const { cookie } = await login(buildApp({ helpdesk: f.helpdesk, staff: f.staff, log: f.log }));
    const s = await openStream(`${d.url}/api/v1/events?device=maria/car`, { cookie });
    await s.next((e) => e.event === 'hello');
    for (let i = 0; i < 25; i++) {
      for (const deviceId of ['car', 'fridge']) events.emit({ type: 'telemetry', at: T0 + i * 1000, customerId: 'maria', deviceId, readings: { n: i } });
    }
    await s.next((e) => e.event === 'telemetry' && (e.data as { readings: { n: number } }).readings.n === 24);
    const telemetry = s.events.filter((e) => e.event === 'telemetry');
    expect(telemetry).toHaveLength(25);
    expect(telemetry.every((e) => (e.data as { deviceId: string }).deviceId === 'car' && e.id === undefined)).toBe(true);
    expect(s.events.filter((e) => e.event === 'clock').map((e) => (e.data as { now: number }).now - T0)).toEqual([0, 10_000, 20_000]);
    s.close();
  });
});
