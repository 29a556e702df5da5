/**
 * A helpdesk that cannot work must not take messages off the broker. A real broker process holds
 * the helpdesk's persistent session with 100 queued QoS 1 messages; `evernet helpdesk` (the real
 * CLI, a real process) is started on a damaged ticket database, and on a dashboard port that is
 * taken. Each time it must end with a non-zero exit and one coded line naming the file or port,
 * before it subscribes or acknowledges anything, so the 100 messages are still queued, and a
 * helpdesk on a good database then processes all of them.
 */
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, openSync, statSync, writeSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { HELPDESK_FILTERS } from '../../contracts/index.js';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import * as life from '../../helpdesk/tickets/lifecycle.js';
import { killAll, startBroker, startHelpdesk, type BrokerProc } from './processes.js';
import { until } from '../helpers/until.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT_ID = 'evernet-helpdesk';
const QUEUED = 100;
const T0 = Date.parse('2020-11-02T18:00:00+01:00');

const tmp = tempDirPerTest('evernet-fatal-');
let broker: BrokerProc;

/** a ticket database with enough rows to be ~200 KB, closed (checkpointed) */
function ticketDb(file: string): void {
  const store = openSqliteStore({ path: file });
  for (let i = 0; i < 400; i++) {
    const r = life.open({
      incidentKey: `maria/fridge/fridge-warm/${i}`,
      deviceId: 'fridge',
      customerId: 'maria',
      kind: 'fridge-warm',
      severity: 'medium',
      at: T0 - 86_400_000 + i * 1000,
      evidence: { note: 'x'.repeat(300), i },
      proactive: true,
    });
    if (!r.ok) throw new Error(r.error.reason);
    const done = life.resolve(r.ticket, { at: r.ticket.openedAt + 60_000, by: 'test', resolution: 'seeded' });
    if (!done.ok) throw new Error(done.error.reason);
    store.openIdempotent(done.ticket);
  }
  store.close();
}

/** 8 KB of random bytes at offset 20,000, as a failing disk or a stray write would leave it */
function damage(file: string): void {
  const fd = openSync(file, 'r+');
  const junk = Buffer.alloc(8192);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 251;
  writeSync(fd, junk, 0, junk.length, 20_000);
  closeSync(fd);
}

/** the helpdesk's persistent session: subscribed once, then away */
async function createSession(url: string): Promise<void> {
  const c = await mqtt.connectAsync(url, { clientId: CLIENT_ID, clean: false, reconnectPeriod: 0 });
  await c.subscribeAsync([...HELPDESK_FILTERS], { qos: 1 });
  await c.endAsync();
}

async function queueTelemetry(url: string): Promise<void> {
  const d = await mqtt.connectAsync(url, { clientId: 'evernet-maria-fridge', reconnectPeriod: 0 });
  for (let i = 1; i <= QUEUED; i++) {
    const payload = {
      v: 1, ts: T0 + i * 1000, seq: i, kind: 'fridge',
      readings: { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 1 },
    };
    await d.publishAsync('evernet/v1/maria/fridge/telemetry', JSON.stringify(payload), { qos: 1 });
  }
  await d.endAsync();
}

/** takes the session's queue (and so empties it): how many messages the broker still held for it */
async function drainQueue(url: string): Promise<number> {
  let n = 0;
  const c = mqtt.connect(url, { clientId: CLIENT_ID, clean: false, reconnectPeriod: 0 });
  c.on('message', () => n++);
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  let last = -1;
  // the queue flows right after CONNACK; done when nothing more arrives for a while
  await until(
    async () => {
      await new Promise((r) => setTimeout(r, 300));
      const still = n === last;
      last = n;
      return still;
    },
    15_000,
    () => `queue still flowing at ${n}`,
  );
  await c.endAsync();
  return n;
}

/** `evernet helpdesk ...` to its end: exit code and stderr */
function runHelpdesk(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'helpdesk', '--log-level', 'warn', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += String(c)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

beforeEach(async () => {
  broker = await startBroker(tmp.join('broker'));
  await createSession(broker.url);
  await queueTelemetry(broker.url);
});

afterEach(async () => {
  await killAll();
});

describe('a helpdesk that cannot work stops before it takes a message', () => {
  it('refuses a damaged ticket database with a coded line naming the file; the queue stays, a good database then gets all 100', async () => {
    const good = tmp.join('hd.db');
    ticketDb(good);
    expect(statSync(good).size).toBeGreaterThan(60_000);
    const bad = tmp.join('hd-copy.db');
    copyFileSync(good, bad);
    damage(bad);

    const r = await runHelpdesk(['--broker', broker.url, '--db', bad, '--http', '127.0.0.1:0']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^evernet: EVN_ERR_DB_CORRUPT: .*hd-copy\.db/m);

    const hd = await startHelpdesk({ brokerUrl: broker.url, db: good, startAt: T0, clientId: CLIENT_ID });
    await until(async () => (await hd.state()).stats.received >= QUEUED, 15_000, () => `helpdesk got ${hd.stderr()}`);
    const s = await hd.advance(T0 + (QUEUED + 1) * 1000);
    expect(s.stats.received).toBe(QUEUED);
    expect(s.processed['maria/fridge']).toHaveLength(QUEUED);
  }, 60_000);

  it('refuses a dashboard port that is taken with a coded line naming the port; the queue stays', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const r = await runHelpdesk(['--broker', broker.url, '--db', tmp.join('hd.db'), '--http', `127.0.0.1:${port}`]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^evernet: EVN_ERR_HTTP_LISTEN: .*127\\.0\\.0\\.1:${port}`, 'm'));
    } finally {
      taken.close();
    }
    expect(await drainQueue(broker.url)).toBe(QUEUED);
  }, 60_000);

  it('refuses a world file that does not load with a coded line, and takes nothing', async () => {
    const r = await runHelpdesk(['--broker', broker.url, '--db', tmp.join('hd.db'), '--http', '127.0.0.1:0', '--world', tmp.join('missing.yaml')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^evernet: EVN_ERR_SCENARIO: .*missing\.yaml/m);
    expect(await drainQueue(broker.url)).toBe(QUEUED);
  }, 60_000);
});
