/**
 * Through the core, with the real SQLite ticket store: a silent fridge opens a device-offline ticket
 * when its limit passes (event time from the watermark), the customer is asked to check it in words
 * they understand, and the ticket is resolved with a note when data returns; an unusual reading on a
 * board opens a reading-anomaly ticket for staff, with its evidence, and nobody is contacted; a
 * voltage-only car board opens no battery ticket on its defaults.
 */
import { describe, expect, it } from 'vitest';
import { decode, deviceTopic, type Decoded } from '../../../contracts/index.js';
import { createCore } from '../../../helpdesk/core.js';
import { SILENCE } from '../../../helpdesk/detect/silence.js';
import type { Directory } from '../../../helpdesk/directory.js';
import { createEvents } from '../../../helpdesk/events.js';
import { createOutbox } from '../../../helpdesk/outbox.js';
import { loadTariff } from '../../../helpdesk/schedule/tariff-file.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import { silentLogger } from '../../../log/logger.js';
import { openSqliteTelemetryStore } from '../../../helpdesk/telemetry/sqlite-store.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

/** 14:00 in Cologne on 2 November 2020 */
const T0 = Date.parse('2020-11-02T14:00:00+01:00');
const S = 1000;

const WORLD: Directory = {
  customers: [
    {
      id: 'maria',
      name: 'Maria',
      home: { lat: 50.94, lon: 6.96 },
      preferences: { channels: ['app-push', 'email'], timeZoneOffsetMinutes: 60 },
      devices: [
        { id: 'fridge', kind: 'fridge', customerId: 'maria', name: 'Kitchen fridge', reportEveryS: 60 },
        { id: 'board-car', kind: 'car-battery', customerId: 'maria', name: 'Car battery (Arduino)', measures: ['voltageV'], reportEveryS: 5 },
      ],
    },
  ],
  stores: [],
  workshops: [],
};

const FRIDGE = { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 1 };
const carReadings = (voltageV: number) => ({ voltageV, currentA: 0, loadA: 0, temperatureC: 15, engineRunning: voltageV > 13.2, speedKmh: 0, batterySaver: false });

function decoded(topic: string, payload: unknown): Decoded {
  const r = decode(topic, JSON.stringify(payload));
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.reason}`);
  return r.value;
}

function world() {
  const log = silentLogger();
  const store = openSqliteStore({ path: ':memory:' });
  const outbox = createOutbox();
  const core = createCore({ directory: WORLD, tariff: loadTariff('data/de-day-ahead-2020.csv'), store, outbox, log, events: createEvents(log) });
  let seq = 0;
  return {
    store,
    outbox,
    core,
    fridge: (ts: number) => core.handle(decoded(deviceTopic('maria', 'fridge', 'telemetry'), { v: 1, ts, seq: ++seq, kind: 'fridge', readings: FRIDGE }), ts),
    car: (ts: number, voltageV: number) => core.handle(decoded(deviceTopic('maria', 'board-car', 'telemetry'), { v: 1, ts, seq: ++seq, kind: 'car-battery', readings: carReadings(voltageV) }), ts),
  };
}

describe('device-offline tickets through the core', () => {
  it('opens one when the fridge has not reported for N intervals, asks the customer to check it, and resolves it when data returns', () => {
    const w = world();
    // reporting every minute from 14:00 to 14:05, then silent until 14:40
    for (let m = 0; m <= 5; m++) w.fridge(T0 + m * 60 * S);
    const limitMs = SILENCE.intervals * 60 * S;
    const lastHeard = T0 + 5 * 60 * S;
    // the watermark moves every 10 s, as in a replay
    for (let t = lastHeard; t < T0 + 40 * 60 * S; t += 10 * S) w.core.watchSilence(t, t);
    const [ticket, ...others] = w.store.list();
    expect(others).toEqual([]);
    expect(ticket).toMatchObject({ kind: 'device-offline', deviceId: 'fridge', severity: 'medium', openedAt: lastHeard + limitMs, state: 'contacted', channel: 'app-push', proactive: true });
    expect(ticket!.contactedAt).toBe(lastHeard + limitMs);
    expect(ticket!.evidence).toMatchObject({ cause: 'silent', lastHeardAt: lastHeard, reportEveryS: 60 });
    const texts = w.outbox.take().filter((m) => m.topic.endsWith('/contact')).map((m) => String(m.payload.text));
    expect(texts).toEqual(['Hello Maria, your fridge "Kitchen fridge" has not reported since 14:05: please check that it has power and that its Wi-Fi works.']);
    // data returns at 14:40
    w.fridge(T0 + 40 * 60 * S);
    const resolved = w.store.get(ticket!.id)!;
    expect(resolved).toMatchObject({ state: 'resolved', resolvedAt: T0 + 40 * 60 * S });
    expect(resolved.resolution).toBe('Recovered: confirmed by telemetry at 14:40: reporting again after 35 min without telemetry.');
    // and the fridge reporting on opens nothing more
    for (let m = 41; m <= 60; m++) {
      w.fridge(T0 + m * 60 * S);
      w.core.watchSilence(T0 + m * 60 * S, T0 + m * 60 * S);
    }
    expect(w.store.list()).toHaveLength(1);
  });

  it('opens one when a device stays offline for M minutes, with the offline availability as its cause', () => {
    const w = world();
    for (let m = 0; m <= 5; m++) w.fridge(T0 + m * 60 * S);
    // its last will (stamped with the time its connection began) handled with the last telemetry
    w.core.handle(decoded(deviceTopic('maria', 'fridge', 'availability'), { v: 1, ts: T0, seq: 1, state: 'offline', kind: 'fridge', reason: 'will' }), T0 + 5 * 60 * S);
    for (let t = T0 + 5 * 60 * S; t <= T0 + 30 * 60 * S; t += 10 * S) w.core.watchSilence(t, t);
    const [ticket] = w.store.list();
    expect(ticket).toMatchObject({ kind: 'device-offline', openedAt: T0 + 5 * 60 * S + SILENCE.offlineAfterS * S });
    expect(ticket!.evidence).toMatchObject({ cause: 'offline', availability: 'will' });
  });
});

describe('device-offline after a restart of the helpdesk', () => {
  const dir = tempDirPerTest('evernet-silence-restart-');

  /** a core on the helpdesk's database file: tickets and telemetry survive the core */
  function coreOn(file: string) {
    const log = silentLogger();
    const store = openSqliteStore({ path: file });
    const telemetry = openSqliteTelemetryStore({ path: file });
    const outbox = createOutbox();
    const core = createCore({ directory: WORLD, tariff: loadTariff('data/de-day-ahead-2020.csv'), store, telemetry, outbox, log, events: createEvents(log) });
    let seq = 1000;
    const fridge = (ts: number) => core.handle(decoded(deviceTopic('maria', 'fridge', 'telemetry'), { v: 1, ts, seq: ++seq, kind: 'fridge', readings: FRIDGE }), ts);
    const close = () => {
      core.flushTelemetry();
      telemetry.close();
      store.close();
    };
    return { core, store, fridge, close };
  }

  it('finds a device that went quiet while the helpdesk was down, from its newest stored reading', () => {
    const file = dir.join('helpdesk.db');
    const before = coreOn(file);
    for (let m = 0; m <= 5; m++) before.fridge(T0 + m * 60 * S);
    before.close();
    // back at 14:30: the fridge has said nothing since 14:05
    const after = coreOn(file);
    after.core.resume(T0 + 30 * 60 * S);
    for (let t = T0 + 30 * 60 * S; t <= T0 + 31 * 60 * S; t += 10 * S) after.core.watchSilence(t, t);
    const [ticket, ...others] = after.store.list();
    expect(others).toEqual([]);
    expect(ticket).toMatchObject({ kind: 'device-offline', deviceId: 'fridge', openedAt: T0 + 5 * 60 * S + SILENCE.intervals * 60 * S });
    after.close();
  });

  it('resolves a device-offline ticket opened before the restart when the device reports again', () => {
    const file = dir.join('helpdesk.db');
    const before = coreOn(file);
    for (let m = 0; m <= 5; m++) before.fridge(T0 + m * 60 * S);
    for (let t = T0 + 5 * 60 * S; t <= T0 + 20 * 60 * S; t += 10 * S) before.core.watchSilence(t, t);
    const opened = before.store.list()[0]!;
    expect(opened.kind).toBe('device-offline');
    before.close();
    const after = coreOn(file);
    after.core.resume(T0 + 25 * 60 * S);
    after.fridge(T0 + 26 * 60 * S);
    expect(after.store.get(opened.id)).toMatchObject({ state: 'resolved', resolvedAt: T0 + 26 * 60 * S });
    after.close();
  });
});

describe('reading-anomaly tickets through the core', () => {
  it('lets the general detector watch a voltage-only car board: no battery ticket on its defaults, a staff ticket when the voltage leaves its usual values', () => {
    const w = world();
    const H = 3600 * S;
    // two days parked at 12.45 V (with the noise of a divider), then 11.2 V: a battery going flat
    let i = 0;
    for (let t = T0; t <= T0 + 36 * H; t += 5 * S, i++) w.car(t, (t < T0 + 30 * H ? 12.45 : 11.2) + ((i * 7) % 5) * 0.002);
    const tickets = w.store.list();
    expect(tickets.map((t) => t.kind)).toEqual(['reading-anomaly']);
    const t = tickets[0]!;
    // for staff: opened, nobody contacted, the evidence on the ticket
    expect(t).toMatchObject({ state: 'opened', contactedAt: null, channel: null, severity: 'low' });
    expect(t.openedAt).toBeGreaterThan(T0 + 30 * H);
    expect(t.openedAt).toBeLessThanOrEqual(T0 + 30 * H + 31 * 60 * S);
    expect(t.evidence).toMatchObject({ reading: 'voltageV', value: expect.closeTo(11.2, 1), score: expect.any(Number), window: { bucketS: 60 }, baseline: { mean: expect.closeTo(12.45, 1) } });
    expect(w.outbox.take().filter((m) => m.topic.endsWith('/contact') || m.topic.endsWith('/command'))).toEqual([]);
    expect(w.core.coverage('maria', 'board-car')).toMatchObject({ detectors: [], watched: ['voltageV'] });
  });
});
