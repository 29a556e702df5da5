/**
 * Telemetry is written in batches, so the write that finds the database broken comes after the
 * messages were processed. It must stop the helpdesk as a failing ticket write does (service.ts
 * fatal: disconnect at once, tell the owner), never be logged and forgotten. The database is made
 * full for real: SQLite's max_page_count on the store's own connection, so the next batch gets
 * SQLITE_FULL. And while the database only refuses (a lock held by another process), the buffer
 * stays bounded: the oldest readings go, counted and logged, and the rest are written once it can.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../../contracts/index.js';
import { VirtualClock } from '../../../contracts/clock.js';
import { createBroker, type RunningBroker } from '../../../broker/server.js';
import { silentLogger } from '../../../log/logger.js';
import { createRecorder } from '../../../helpdesk/telemetry/recorder.js';
import { openSqliteTelemetryStore } from '../../../helpdesk/telemetry/sqlite-store.js';
import { directoryOf } from '../../../scenarios/directory.js';
import { loadScenario } from '../../../scenarios/load.js';
import { DEFAULT_WORLD } from '../../../stack/paths.js';
import { startHelpdeskStack } from '../../../stack/helpdesk-stack.js';
import { openSqlite } from '../../../storage/sqlite.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const T0 = Date.parse('2020-11-02T18:00:00+01:00');
const CLIENT_ID = 'evernet-helpdesk-telemetry-fatal';

let broker: RunningBroker | null = null;
afterEach(async () => {
  await broker?.stop();
  broker = null;
});

const closedDoor = (seq: number) =>
  JSON.stringify({ v: 1, ts: T0 + seq * 1000, seq, kind: 'fridge', readings: { cabinetTempC: 4.5, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: true, powerW: 120 } });

describe('telemetry on a database that breaks', () => {
  const dir = tempDirPerTest('evernet-telemetry-fatal-');

  it('stops the helpdesk when a batch meets a full database, as a ticket write would', async () => {
    broker = await createBroker({ port: 0 }).start();
    const db = openSqlite({ path: dir.join('helpdesk.db') });
    const telemetryStore = openSqliteTelemetryStore({ db });
    const fatal: Error[] = [];
    const clock = new VirtualClock(T0);
    const stack = await startHelpdeskStack({
      brokerUrl: broker.url, directory: directoryOf(loadScenario(DEFAULT_WORLD)), clock, log: silentLogger(), telemetryStore,
      helpdesk: { clientId: CLIENT_ID, onFatal: (e) => fatal.push(e) },
    });
    const { helpdesk } = stack;
    const fridge = await mqtt.connectAsync(broker.url, { clientId: 'evernet-maria-fridge' });
    const topic = deviceTopic('maria', 'fridge', 'telemetry');
    for (let i = 1; i <= 100; i++) await fridge.publishAsync(topic, closedDoor(i), { qos: 1 });
    await helpdesk.received(100);
    clock.set(T0 + 100_000);
    helpdesk.advance(T0 + 100_000);
    expect(telemetryStore.raw('maria/fridge', 0, Infinity)).toHaveLength(100);
    expect(fatal).toHaveLength(0);

    // the disk is full: the file may not grow by a page
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    for (let i = 101; i <= 400; i++) await fridge.publishAsync(topic, closedDoor(i), { qos: 1 });
    await helpdesk.received(400);
    clock.set(T0 + 400_000);
    helpdesk.advance(T0 + 400_000);
    expect(fatal).toHaveLength(1);
    expect((fatal[0] as Error & { code: string }).code).toBe('SQLITE_FULL');
    // disconnected at once: the broker has the fridge only
    await new Promise((r) => setTimeout(r, 100));
    expect(broker.stats().clients).toBe(1);
    // a chart read afterwards does not pretend: it fails
    expect(() => helpdesk.chart('maria', 'fridge', T0, T0 + 400_000)).toThrow();
    await fridge.endAsync();
    await stack.stop();
    expect(fatal).toHaveLength(1);
    telemetryStore.close();
    db.close();
  }, 30_000);

  it('keeps the buffer bounded while another process holds the lock, and writes the newest readings once it can', () => {
    const file = dir.join('helpdesk.db');
    const db = openSqlite({ path: file, busyTimeoutMs: 1 });
    const store = openSqliteTelemetryStore({ db });
    const { log, lines } = memoryLog();
    const rec = createRecorder({ store, log, policy: { batchRows: 100, maxBufferedRows: 300 } });
    const other = openSqlite({ path: file, check: false });
    other.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 1000; i++) rec.add('maria/fridge', T0 + i * 1000, { cabinetTempC: 4 + i / 1000 });
    expect(rec.stats()).toMatchObject({ buffered: 300, dropped: 700, written: 0 });
    expect(lines.some((l) => l.code === 'EVN_ERR_TELEMETRY_WRITE')).toBe(true);
    expect(lines.filter((l) => l.code === 'EVN_ERR_TELEMETRY_DROPPED').map((l) => l.dropped)).toEqual([1, 10, 100]);
    other.exec('ROLLBACK');
    other.close();
    rec.flush(true);
    expect(rec.stats()).toMatchObject({ buffered: 0, written: 300 });
    expect(store.raw('maria/fridge', 0, Infinity).map((p) => p.ts)).toEqual(Array.from({ length: 300 }, (_, i) => T0 + (700 + i) * 1000));
    // the minutes kept every reading, the dropped ones included
    expect(store.minutes('maria/fridge', 0, Infinity).reduce((n, m) => n + m.n, 0)).toBe(1000);
    db.close();
  });
});
