/**
 * One washer floods the helpdesk with 2,000 flex offers through a real broker (port 0). The helpdesk
 * keeps at most one open offer per device in memory (a new offer supersedes the open one), keeps the
 * rest in SQLite with a retention per device, and GET /api/v1/loads answers one bounded page with the
 * total, without power sequences (those are in the per-load detail).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/index.js';
import { LOAD_ERR, type LoadStore } from '../../helpdesk/loads/store.js';
import type { Helpdesk } from '../../helpdesk/service.js';
import type { StaffStore } from '../../helpdesk/staff/store.js';
import { buildApp } from '../../helpdesk/web/app.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../stack/helpdesk-stack.js';
import { silentLogger } from '../../log/logger.js';
import { VirtualClock } from '../../contracts/clock.js';
import { DIRECTORY, T0 } from '../security/fixture.js';

const OFFERS = 2000;
const KEEP = 500;
const PASSWORD = 'correct horse battery';

let dir: string;
let stack: HelpdeskStack;
let helpdesk: Helpdesk;
let loads: LoadStore;
let staff: StaffStore;
let washer: MqttClient;
let app: FastifyInstance;
let cookie: string;

const offer = (i: number) =>
  JSON.stringify({
    v: 1, ts: T0 + i * 1000, seq: i + 1, type: 'flex-offer', offerId: `flood-${i}`, programme: 'cotton-40',
    earliestStart: T0 + i * 1000, latestEnd: T0 + i * 1000 + 12 * 3600_000,
    slots: [{ durationS: 600, powerW: 2000 }, { durationS: 3000, powerW: 300 }, { durationS: 600, powerW: 600 }],
  });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evernet-loads-'));
  const db = path.join(dir, 'hd.db');
  const clock = new VirtualClock(T0);
  stack = await startHelpdeskStack({
    directory: DIRECTORY, clock, log: silentLogger(), db, loads: { keepPerDevice: KEEP },
    helpdesk: { clientId: 'evernet-helpdesk-loads-flood', maxClockSkewMs: 24 * 3600_000 },
  });
  ({ helpdesk, loads, staff } = stack);
  await staff.add('alice', PASSWORD);
  washer = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'evernet-maria-washer' });
  for (let i = 0; i < OFFERS; i++) washer.publish(deviceTopic('maria', 'washer', 'event'), offer(i), { qos: 1 });
  await helpdesk.received(OFFERS);
  clock.set(T0 + OFFERS * 1000);
  helpdesk.advance(T0 + OFFERS * 1000);
  app = buildApp({ helpdesk, staff, log: silentLogger() });
  const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'alice', password: PASSWORD } });
  cookie = `evn_session=${res.cookies.find((c) => c.name === 'evn_session')!.value}`;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await washer?.endAsync();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });

describe('a device that sends 2,000 flex offers', () => {
  it('leaves at most one open offer of that device in the helpdesk\'s memory', () => {
    expect(helpdesk.held().openLoads).toBe(1);
  });

  it('supersedes each open offer with the next one and keeps the newest loads per device in SQL, evicting older ones', () => {
    const page = helpdesk.loads({ limit: 3 });
    expect(page.total).toBe(KEEP);
    expect(page.loads.map((l) => [l.offerId, l.state])).toEqual([
      [`flood-${OFFERS - 1}`, 'offered'],
      [`flood-${OFFERS - 2}`, 'superseded'],
      [`flood-${OFFERS - 3}`, 'superseded'],
    ]);
    expect(page.loads[1]!.supersededAt).toBe(T0 + (OFFERS - 1) * 1000);
    expect(loads.evicted()).toBe(OFFERS - KEEP);
    expect(LOAD_ERR.EVICTED).toBe('EVN_ERR_LOADS_EVICTED');
  });

  it('pages GET /api/v1/loads in SQL: a bounded page with the total and a cursor, no power sequences', async () => {
    const first = (await get('/api/v1/loads')).json();
    expect(first.total).toBe(KEEP);
    expect(first.loads).toHaveLength(50);
    expect(first.loads[0]).toMatchObject({ offerId: `flood-${OFFERS - 1}`, durationS: 4200, slotCount: 3, device: "Maria's washing machine" });
    expect(first.loads[0]).not.toHaveProperty('slots');
    const second = (await get(`/api/v1/loads?limit=50&after=${first.next}`)).json();
    expect(second.loads[0].offerId).toBe(`flood-${OFFERS - 51}`);
    const tooMany = await get('/api/v1/loads?limit=100000');
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.fields).toHaveProperty(['query.limit']);
  });

  it('gives the power sequence in the detail of one load only', async () => {
    const body = (await get(`/api/v1/loads/maria/flood-${OFFERS - 2}`)).json();
    expect(body.load).toMatchObject({ offerId: `flood-${OFFERS - 2}`, state: 'superseded', durationS: 4200 });
    expect(body.load.slots).toEqual([{ durationS: 600, powerW: 2000 }, { durationS: 3000, powerW: 300 }, { durationS: 600, powerW: 600 }]);
  });
});
