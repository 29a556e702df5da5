/**
 * A replay's helpdesk writes its telemetry after deciding (HelpdeskOptions.deferTelemetryWrites,
 * helpdesk/telemetry/deferred.ts): the due batch leaves advance() for the next turn of the event loop,
 * the same rows are written, a chart read still sees everything, and a database that breaks in the
 * deferred write stops the helpdesk as in advance(): the owner is told, or, without one, the next
 * advance() throws. Real broker, real mqtt.js, SQLite on a file.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createBroker, type RunningBroker } from '../../../broker/server.js';
import { VirtualClock } from '../../../contracts/clock.js';
import { deviceTopic } from '../../../contracts/index.js';
import { openSqliteTelemetryStore } from '../../../helpdesk/telemetry/sqlite-store.js';
import { silentLogger } from '../../../log/logger.js';
import { directoryOf } from '../../../scenarios/directory.js';
import { loadScenario } from '../../../scenarios/load.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../../stack/helpdesk-stack.js';
import { DEFAULT_WORLD } from '../../../stack/paths.js';
import { openSqlite } from '../../../storage/sqlite.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const T0 = Date.parse('2020-11-02T18:00:00+01:00');
const reading = (seq: number) =>
  JSON.stringify({ v: 1, ts: T0 + seq * 1000, seq, kind: 'fridge', readings: { cabinetTempC: 4.5, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: true, powerW: 120 } });
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('telemetry written after the decisions', () => {
  const dir = tempDirPerTest('evernet-deferred-');
  let broker: RunningBroker | null = null;
  let stack: HelpdeskStack | null = null;
  let fridge: MqttClient | null = null;
  afterEach(async () => {
    await fridge?.endAsync();
    await stack?.stop().catch(() => undefined);
    await broker?.stop();
    fridge = stack = broker = null;
  });

  async function start(onFatal?: (e: Error) => void) {
    broker = await createBroker({ port: 0 }).start();
    const db = openSqlite({ path: dir.join('helpdesk.db') });
    const telemetryStore = openSqliteTelemetryStore({ db });
    const clock = new VirtualClock(T0);
    stack = await startHelpdeskStack({
      brokerUrl: broker.url, directory: directoryOf(loadScenario(DEFAULT_WORLD)), clock, log: silentLogger(), telemetryStore,
      helpdesk: { clientId: 'evernet-helpdesk-deferred', deferTelemetryWrites: true, ...(onFatal ? { onFatal } : {}) },
      // every advance is due to write
      telemetry: { flushEveryMs: 1 },
    });
    fridge = await mqtt.connectAsync(broker.url, { clientId: 'evernet-maria-fridge' });
    const send = async (from: number, to: number) => {
      for (let i = from; i <= to; i++) await fridge!.publishAsync(deviceTopic('maria', 'fridge', 'telemetry'), reading(i), { qos: 1 });
      await stack!.helpdesk.received(to);
      clock.set(T0 + to * 1000);
    };
    const helpdesk = stack.helpdesk;
    /** 10 readings written, then the disk full (the file may not grow by a page) and 390 more decided: their write is due */
    const fillDisk = async () => {
      await send(1, 10);
      helpdesk.advance(T0 + 10_000);
      await nextTurn();
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      await send(11, 400);
      helpdesk.advance(T0 + 400_000);
    };
    return { telemetryStore, clock, helpdesk, send, fillDisk };
  }

  it('leaves advance() without writing, writes on the next turn, and a chart read in between sees everything', async () => {
    const { telemetryStore, helpdesk, send } = await start();
    await send(1, 50);
    helpdesk.advance(T0 + 50_000);
    expect(telemetryStore.raw('maria/fridge', 0, Infinity)).toHaveLength(0);
    await nextTurn();
    expect(telemetryStore.raw('maria/fridge', 0, Infinity)).toHaveLength(50);
    await send(51, 80);
    helpdesk.advance(T0 + 80_000);
    // a read that needs the store flushes first, as always
    expect(helpdesk.history('maria', 'fridge', T0, T0 + 80_000).length).toBe(80);
    await nextTurn();
    expect(telemetryStore.raw('maria/fridge', 0, Infinity)).toHaveLength(80);
  }, 30_000);

  it('stops the helpdesk when the deferred write meets a full database: the owner is told', async () => {
    const fatal: Error[] = [];
    const { fillDisk } = await start((e) => fatal.push(e));
    await fillDisk();
    expect(fatal).toHaveLength(0);
    await nextTurn();
    expect(fatal).toHaveLength(1);
    expect((fatal[0] as Error & { code: string }).code).toBe('SQLITE_FULL');
  }, 30_000);

  it('without an owner, the next advance() throws what the deferred write found', async () => {
    const { helpdesk, fillDisk } = await start();
    await fillDisk();
    await nextTurn();
    expect(() => helpdesk.advance(T0 + 401_000)).toThrow(/full/i);
  }, 30_000);
});
