/**
 * A helpdesk whose database breaks while it runs (disk full, I/O error, a damaged page) must not go
 * on acknowledging messages it can no longer act on. With a real broker and a persistent session:
 * the store fails with SQLITE_FULL when the first ticket is written; the helpdesk disconnects at
 * once and reports the error to its owner; what the devices send afterwards stays queued at the
 * broker for the helpdesk's session. A failing statement that is not the database's fault (a bug)
 * is still counted and skipped, as before.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/index.js';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { DEFAULT_WORLD } from '../../stack/paths.js';
import { startHelpdeskStack } from '../../stack/helpdesk-stack.js';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import type { TicketStore } from '../../helpdesk/tickets/store.js';
import { silentLogger } from '../../log/logger.js';
import { VirtualClock } from '../../contracts/clock.js';
import { directoryOf } from '../../scenarios/directory.js';
import { loadScenario } from '../../scenarios/load.js';

const T0 = Date.parse('2020-11-02T18:00:00+01:00');
const CLIENT_ID = 'evernet-helpdesk-fatal';

let broker: RunningBroker | null = null;
afterEach(async () => {
  await broker?.stop();
  broker = null;
});

/** the store as the disk would leave it: every write to tickets fails with `code` */
function failingWrites(store: TicketStore, code: string, message: string): TicketStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'openIdempotent') return Reflect.get(target, prop, receiver);
      return () => {
        throw Object.assign(new Error(message), { code });
      };
    },
  });
}

/** the fridge door left open for 10 minutes: a ticket at the first write */
function doorOpen(seq: number, s: number): string {
  const readings = { cabinetTempC: 9, ambientTempC: 21, setpointC: 4, doorOpen: true, compressorOn: true, powerW: 120 };
  return JSON.stringify({ v: 1, ts: T0 + s * 1000, seq, kind: 'fridge', readings });
}

async function run(code: string, message: string) {
  broker = await createBroker({ port: 0 }).start();
  const fatal: Error[] = [];
  const clock = new VirtualClock(T0);
  const stack = await startHelpdeskStack({
    brokerUrl: broker.url,
    directory: directoryOf(loadScenario(DEFAULT_WORLD)),
    ticketStore: failingWrites(openSqliteStore({ path: ':memory:' }), code, message),
    clock,
    log: silentLogger(),
    helpdesk: { clientId: CLIENT_ID, onFatal: (e) => fatal.push(e) },
  });
  const { helpdesk } = stack;
  const fridge = await mqtt.connectAsync(broker.url, { clientId: 'evernet-maria-fridge' });
  for (let i = 1; i <= 900; i++) await fridge.publishAsync(deviceTopic('maria', 'fridge', 'telemetry'), doorOpen(i, i), { qos: 1 });
  await helpdesk.received(900);
  clock.set(T0 + 900_000);
  helpdesk.advance(T0 + 900_000);
  return { helpdesk, fridge, fatal };
}

describe('a helpdesk whose database fails while it runs', () => {
  it('disconnects at once on SQLITE_FULL, tells its owner, and leaves later messages queued at the broker', async () => {
    const { helpdesk, fridge, fatal } = await run('SQLITE_FULL', 'database or disk is full');
    expect(fatal).toHaveLength(1);
    expect((fatal[0] as Error & { code: string }).code).toBe('SQLITE_FULL');
    // the broker no longer has the helpdesk connected; its persistent session queues
    await new Promise((r) => setTimeout(r, 100));
    expect(broker!.stats().clients).toBe(1); // the fridge only
    for (let i = 901; i <= 950; i++) await fridge.publishAsync(deviceTopic('maria', 'fridge', 'telemetry'), doorOpen(i, i), { qos: 1 });
    await fridge.endAsync();
    const got: number[] = [];
    const again = mqtt.connect(broker!.url, { clientId: CLIENT_ID, clean: false, reconnectPeriod: 0 });
    again.on('message', (_t, p) => got.push((JSON.parse(p.toString()) as { seq: number }).seq));
    await new Promise<void>((resolve) => again.once('connect', () => resolve()));
    for (let i = 0; i < 100 && got.length < 50; i++) await new Promise((r) => setTimeout(r, 50));
    await again.endAsync();
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => 901 + i));
    // and it takes nothing more
    helpdesk.advance(T0 + 2_000_000);
    expect(fatal).toHaveLength(1);
    await helpdesk.stop();
  }, 30_000);

  it('counts a failing statement that is not the database breaking, and goes on', async () => {
    const { helpdesk, fridge, fatal } = await run('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed');
    expect(fatal).toHaveLength(0);
    expect(helpdesk.stats().byCode.EVN_ERR_INTERNAL).toBeGreaterThan(0);
    expect(broker!.stats().clients).toBe(2);
    await fridge.endAsync();
    await helpdesk.stop();
  }, 30_000);
});

