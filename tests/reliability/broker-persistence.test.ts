/**
 * The broker's SQLite persistence: aedes-persistence's own conformance suite; retained messages, a
 * persistent session's subscriptions and its queued QoS 1 messages surviving kill -9 of the real
 * `evernet broker --data-dir` process; a resumed session getting its queue before any live message;
 * publishes acknowledged but not yet routed when the broker died being delivered after the restart;
 * and one broker per data directory.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { BROKER_DB_FILE, PERSISTENCE_ERR } from '../../broker/persistence/sqlite-persistence.js';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { brokerCommand } from '../../cli/broker-command.js';
import { killAll, startBroker } from './processes.js';
import { until } from '../helpers/until.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const tmp = tempDirPerTest('evernet-broker-state-');
const clients: MqttClient[] = [];
const brokers: RunningBroker[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
  for (const b of brokers.splice(0)) await b.stop().catch(() => undefined);
  await killAll();
});

async function client(url: string, clientId: string, clean = true): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clientId, clean, reconnectPeriod: 50 });
  clients.push(c);
  return c;
}

/** a persistent subscriber that records the payloads it gets; it listens before it connects */
function recorder(url: string, clientId: string) {
  const got: string[] = [];
  const c = mqtt.connect(url, { clientId, clean: false, reconnectPeriod: 50 });
  clients.push(c);
  c.on('message', (_t, p) => got.push(p.toString()));
  const connected = new Promise<{ sessionPresent: boolean }>((resolve) => c.once('connect', (p) => resolve(p)));
  return { c, got, connected };
}

describe('the SQLite persistence', () => {
  it("passes aedes-persistence's conformance suite", async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', 'tests/reliability/bin/persistence-conformance.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (out += String(c)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(out).toMatch(/# fail 0/);
    expect(out).toMatch(/# pass [1-9]\d+/);
    expect(code).toBe(0);
  }, 60_000);
});

describe('evernet broker --data-dir, killed with SIGKILL', () => {
  it('keeps retained messages, persistent sessions and their queued QoS 1 messages, in order', async () => {
    const data = tmp.join('broker');
    let broker = await startBroker(data);
    const first = recorder(broker.url, 'evernet-helpdesk-x');
    await first.connected;
    await first.c.subscribeAsync('evernet/v1/+/+/telemetry', { qos: 1 });
    await first.c.endAsync(); // away: from now on the broker queues for it

    // payloads the contract accepts: `evernet broker` checks them, --allow-anonymous or not
    const ts = Date.parse('2020-11-02T08:00:00Z');
    const readings = { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: true, powerW: 90 };
    const device = await client(broker.url, 'evernet-anna-fridge');
    await device.publishAsync('evernet/v1/anna/fridge/availability', JSON.stringify({ v: 1, ts, seq: 1, state: 'online', kind: 'fridge', reason: 'connected' }), { qos: 1, retain: true });
    for (let i = 1; i <= 50; i++) await device.publishAsync('evernet/v1/anna/fridge/telemetry', JSON.stringify({ v: 1, ts, seq: i, kind: 'fridge', readings }), { qos: 1 });
    await device.endAsync(true);

    await broker.kill9();
    broker = await startBroker(data, broker.port);

    const again = recorder(broker.url, 'evernet-helpdesk-x');
    expect((await again.connected).sessionPresent).toBe(true); // subscriptions restored, no SUBSCRIBE needed
    await until(() => again.got.length >= 50, 10_000, () => `got ${again.got.length} of 50`);
    expect(again.got.map((p) => (JSON.parse(p) as { seq: number }).seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));

    const viewer = await client(broker.url, 'viewer');
    const retained: string[] = [];
    viewer.on('message', (_t, p) => retained.push(p.toString()));
    await viewer.subscribeAsync('evernet/v1/+/+/availability', { qos: 1 });
    await until(() => retained.length === 1, 5_000, () => 'no retained availability');
    expect(retained.map((p) => (JSON.parse(p) as { state: string }).state)).toEqual(['online']);
  }, 60_000);
});

describe('a resumed persistent session', () => {
  it('gets its whole queue before any live message, so each sender stays in order', async () => {
    const data = tmp.join('broker');
    const broker = await createBroker({ port: 0, dataDir: data }).start();
    brokers.push(broker);
    const sub = recorder(broker.url, 'evernet-helpdesk-y');
    await sub.connected;
    await sub.c.subscribeAsync('evernet/v1/+/+/telemetry', { qos: 1 });
    await sub.c.endAsync();

    const device = await client(broker.url, 'evernet-anna-car');
    let n = 0;
    const publishSome = async (count: number) => {
      for (let i = 0; i < count; i++) device.publish('evernet/v1/anna/car/telemetry', String(++n), { qos: 1 });
      await new Promise((r) => setImmediate(r));
    };
    await publishSome(2000); // the queue while it is away
    // it comes back while the device keeps publishing
    const back = recorder(broker.url, 'evernet-helpdesk-y');
    while (n < 4000) await publishSome(20);
    await back.connected;
    await until(() => new Set(back.got).size >= 4000, 15_000, () => `got ${new Set(back.got).size} of 4000`);
    const firstSeen: number[] = [];
    const seen = new Set<string>();
    for (const p of back.got) if (!seen.has(p) && seen.add(p)) firstSeen.push(Number(p));
    expect(firstSeen).toEqual(Array.from({ length: 4000 }, (_, i) => i + 1));
  }, 30_000);
});

describe('a publish acknowledged but not yet routed when the broker died', () => {
  it('is routed when the broker starts again', async () => {
    const data = tmp.join('broker');
    const broker = await createBroker({ port: 0, dataDir: data }).start();
    const sub = recorder(broker.url, 'evernet-helpdesk-z');
    await sub.connected;
    await sub.c.subscribeAsync('evernet/v1/+/+/telemetry', { qos: 1 });
    await sub.c.endAsync();
    await broker.stop();

    // what the journal holds after a kill between PUBACK and routing (aedes acknowledges first)
    const db = new Database(path.join(data, BROKER_DB_FILE));
    db.prepare('INSERT INTO accepted (packet, payload) VALUES (?, ?)').run(
      JSON.stringify({ cmd: 'publish', topic: 'evernet/v1/anna/car/telemetry', qos: 1, retain: false, dup: false }),
      Buffer.from('journaled'),
    );
    db.close();

    const again = await createBroker({ port: 0, dataDir: data }).start();
    const back = recorder(again.url, 'evernet-helpdesk-z');
    await back.connected;
    await until(() => back.got.length === 1, 5_000, () => 'the journaled publish did not arrive');
    expect(back.got).toEqual(['journaled']);
    await back.c.endAsync();
    await again.stop();

    const after = new Database(path.join(data, BROKER_DB_FILE), { readonly: true });
    const count = (table: string) => (after.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('accepted'), count('outgoing')]).toEqual([0, 0]); // routed once, delivered, acknowledged
    after.close();
  });
});

describe('one broker per data directory', () => {
  it('refuses a second broker on the same directory with a coded error', async () => {
    const data = tmp.join('broker');
    const broker = await createBroker({ port: 0, dataDir: data }).start();
    brokers.push(broker);
    await expect(createBroker({ port: 0, dataDir: data }).start()).rejects.toMatchObject({ code: PERSISTENCE_ERR.LOCKED });
  });

  it('says so on the command line, and --sync needs --data-dir', async () => {
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    try {
      await expect(brokerCommand(['--allow-anonymous', '--sync', 'full'])).rejects.toThrow('--sync goes with --data-dir');
      const data = tmp.join('broker');
      const broker = await createBroker({ port: 0, dataDir: data }).start();
      brokers.push(broker);
      expect(await brokerCommand(['--allow-anonymous', '--port', '0', '--data-dir', data, '--log-level', 'silent'])).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    expect(err.join('')).toContain(PERSISTENCE_ERR.LOCKED);
  });
});
