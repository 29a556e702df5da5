/**
 * What one device's flood of flex offers costs the helpdesk. The helpdesk runs in a process of its own
 * (this file, forked with --expose-gc), as `evernet helpdesk` does: SQLite ticket, load and staff
 * stores on one database file, the dashboard app. This process runs the broker and the device, which
 * publishes through it with QoS 1: first 2,000 plain telemetry messages (the baseline), then 2,000
 * flex offers with the most slots the contract allows. After each batch the helpdesk collects garbage
 * and reports its RSS; the growth per batch is the figure. Then one page of GET /api/v1/loads.
 *
 *   helpdeskRssMBAfter2000Offers          RSS growth over the 2,000 offers (goal <= 20 MB)
 *   helpdeskRssMBAfter2000OffersBaseline  RSS growth over 2,000 telemetry messages, same run
 *   helpdeskHeapMBAfter2000Offers         heap growth over the offers (steadier than RSS)
 *   loadsListMs / loadsListKB             one page of GET /api/v1/loads afterwards (median of 5)
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { createBroker } from '../../broker/server.js';
import { deviceTopic, MAX_OFFER_SLOTS } from '../../contracts/index.js';
import type { Directory } from '../../helpdesk/directory.js';

const N = 2000;
const T0 = Date.parse('2020-11-02T08:00:00+01:00');
const PASSWORD = 'correct horse battery';
const DIRECTORY: Directory = {
  customers: [{
    id: 'maria', name: 'Maria', home: { lat: 50.94, lon: 6.96 }, preferences: { channels: ['app-push'] },
    devices: [{ id: 'washer', kind: 'washer', customerId: 'maria', name: "Maria's washing machine" }],
  }],
  stores: [],
  workshops: [],
};

type ToChild = { type: 'settle'; received: number; until: number } | { type: 'list' } | { type: 'exit' };
type FromChild = { type: 'ready' } | { type: 'settled'; rssMb: number; heapMb: number } | { type: 'listed'; ms: number; bytes: number; total: number };

const telemetry = (seq: number, ts: number) =>
  JSON.stringify({ v: 1, ts, seq, kind: 'washer', readings: { phase: 'idle', powerW: 1, waterTempC: 20, waterLevelL: 0, drumRpm: 0, remainingS: 0 } });
const slots = Array.from({ length: MAX_OFFER_SLOTS }, (_, i) => ({ durationS: 300, powerW: 100 + ((i * 37) % 2000) }));
const offer = (seq: number, ts: number, i: number) =>
  JSON.stringify({ v: 1, ts, seq, type: 'flex-offer', offerId: `flood-${i}`, programme: 'cotton-40', earliestStart: ts, latestEnd: ts + 12 * 3600_000, slots });

async function helpdeskProcess(brokerUrl: string): Promise<void> {
  const [{ startHelpdeskStack }, { buildApp }, { silentLogger }, { VirtualClock }] = await Promise.all([
    import('../../stack/helpdesk-stack.js'), import('../../helpdesk/web/app.js'), import('../../log/logger.js'), import('../../contracts/clock.js'),
  ]);
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evernet-bench-offers-'));
  const db = path.join(dir, 'hd.db');
  const log = silentLogger();
  const clock = new VirtualClock(T0);
  const stack = await startHelpdeskStack({
    brokerUrl, directory: DIRECTORY, clock, log, db,
    helpdesk: { clientId: 'evernet-helpdesk-bench-offers', cleanSession: true, maxClockSkewMs: 24 * 3600_000 },
  });
  const { helpdesk, staff, tariff } = stack;
  await staff.add('bench', PASSWORD);
  const app = buildApp({ helpdesk, staff, tariff, log });
  const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'bench', password: PASSWORD } });
  const cookie = `evn_session=${login.cookies.find((c) => c.name === 'evn_session')!.value}`;
  const send = (m: FromChild) => process.send!(m);
  const settle = async (): Promise<{ rssMb: number; heapMb: number }> => {
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
    }
    const m = process.memoryUsage();
    return { rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 };
  };
  process.on('message', async (m: ToChild) => {
    if (m.type === 'settle') {
      await helpdesk.received(m.received);
      clock.set(m.until);
      helpdesk.advance(m.until);
      send({ type: 'settled', ...(await settle()) });
    } else if (m.type === 'list') {
      const times: number[] = [];
      let bytes = 0;
      let total = 0;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const res = await app.inject({ method: 'GET', url: '/api/v1/loads', headers: { cookie } });
        times.push(performance.now() - t);
        bytes = res.body.length;
        total = (res.json() as { total: number }).total;
      }
      times.sort((a, b) => a - b);
      send({ type: 'listed', ms: times[2]!, bytes, total });
    } else {
      await app.close();
      await stack.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  await settle();
  send({ type: 'ready' });
}

export async function offersMemory(): Promise<Record<string, number>> {
  const broker = await createBroker({ port: 0 }).start();
  const child = fork(fileURLToPath(import.meta.url), ['--helpdesk', broker.url], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = <T extends FromChild['type']>(type: T): Promise<Extract<FromChild, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench helpdesk exited with ${code} waiting for ${type}`));
      child.once('exit', onExit);
      child.once('message', (m: FromChild) => {
        child.off('exit', onExit);
        if (m.type === type) resolve(m as Extract<FromChild, { type: T }>);
        else reject(new Error(`bench helpdesk answered ${m.type}, expected ${type}`));
      });
    });
  const device = await mqtt.connectAsync(broker.url, { clientId: 'evernet-maria-washer' });
  try {
    await next('ready');
    let seq = 0;
    const batch = async (make: (seq: number, ts: number, i: number) => string) => {
      for (let i = 0; i < N; i++) {
        seq++;
        await device.publishAsync(deviceTopic('maria', 'washer', make === telemetry ? 'telemetry' : 'event'), make(seq, T0 + seq * 1000, i), { qos: 1 });
      }
      child.send({ type: 'settle', received: seq, until: T0 + seq * 1000 } satisfies ToChild);
      return next('settled');
    };
    child.send({ type: 'settle', received: 0, until: T0 } satisfies ToChild);
    const start = await next('settled');
    process.stderr.write(`bench: security: ${N} telemetry messages, then ${N} flex offers of ${MAX_OFFER_SLOTS} slots, to a helpdesk process...\n`);
    const afterTelemetry = await batch(telemetry);
    const afterOffers = await batch(offer);
    child.send({ type: 'list' } satisfies ToChild);
    const listed = await next('listed');
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return {
      'security.helpdeskRssMBAfter2000Offers': r1(afterOffers.rssMb - afterTelemetry.rssMb),
      'security.helpdeskRssMBAfter2000OffersBaseline': r1(afterTelemetry.rssMb - start.rssMb),
      'security.helpdeskHeapMBAfter2000Offers': r1(afterOffers.heapMb - afterTelemetry.heapMb),
      'security.helpdeskHeapMBAfter2000OffersBaseline': r1(afterTelemetry.heapMb - start.heapMb),
      'security.loadsListMs': r1(listed.ms),
      'security.loadsListKB': r1(listed.bytes / 1024),
      'security.loadsListTotal': listed.total,
    };
  } finally {
    await device.endAsync().catch(() => undefined);
    if (child.exitCode === null) {
      child.send({ type: 'exit' } satisfies ToChild);
      await new Promise((r) => child.once('exit', r));
    }
    await broker.stop();
  }
}

if (process.argv[2] === '--helpdesk') void helpdeskProcess(process.argv[3]!);
