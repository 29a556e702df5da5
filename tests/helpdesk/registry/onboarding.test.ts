/**
 * Onboarding through a real broker (aedes on port 0) and real mqtt.js devices, with the helpdesk's
 * registry on SQLite and its dashboard API on loopback:
 * - on an open broker an announcing device waits (pending) and its telemetry is refused and counted,
 *   until a logged-in staff member accepts it through the API; then its telemetry is processed;
 * - on a secured broker (the stack's embedded broker with `auth`) it is active at once;
 * - a device whose announce disagrees with its registered kind keeps that kind, its problem is coded,
 *   messages of the wrong kind are refused with EVN_ERR_KIND_MISMATCH, the right ones still count;
 * - telemetry from a device nobody registered is recorded as pending 'unannounced', counted, logged once;
 * - the registry and staff's decision survive a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../../devices/agent.js';
import { KINDS } from '../../../devices/kinds/index.js';
import { silentLogger } from '../../../log/logger.js';
import { addCustomer, addDevice } from '../../../helpdesk/registry/index.js';
import { secureBroker, type SecureBroker } from '../../broker/fixture.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';
import { until } from '../../helpers/until.js';
import { FRIDGE_ANNOUNCE, FRIDGE_READINGS, rawDevice, startDesk, T0, WASHER_READINGS, type Desk } from './fixture.js';

const S = 1000;
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function fridgeAgent(brokerUrl: string, credentials?: { username: string; password: string }): Agent {
  const agent = createAgent({
    customerId: 'maria', deviceId: 'board-fridge', model: KINDS.fridge, params: {}, seed: 1, brokerUrl, startAt: T0, log: silentLogger(),
    announce: { name: "Maria's fridge board", measures: ['cabinetTempC', 'doorOpen'], source: 'board' },
    ...(credentials ? { credentials } : {}),
  });
  cleanup.push(() => agent.stop());
  return agent;
}

async function desk(options: Parameters<typeof startDesk>[0] = {}): Promise<Desk> {
  const d = await startDesk(options);
  cleanup.push(() => d.stop());
  return d;
}

const row = async (d: Desk, key: string) => (await d.api('GET', '/devices')).body.devices!.find((x) => `${x.customerId}/${x.deviceId}` === key);

describe('a device that announces itself through an open broker', () => {
  it('waits for staff: pending, its telemetry refused and counted, until accepted through the API; then it is processed', async () => {
    const d = await desk();
    const hd = d.stack.helpdesk;
    expect(d.stack.registry.mode).toBe('pending');
    expect(hd.devices()).toEqual([]);

    const agent = fridgeAgent(d.stack.brokerUrl);
    await agent.start();
    await d.settle(2, T0); // announce + online
    const pending = await row(d, 'maria/board-fridge');
    expect(pending).toMatchObject({ state: 'pending', origin: 'announce', kind: 'fridge', name: "Maria's fridge board", customer: 'maria', online: true, measures: ['cabinetTempC', 'doorOpen'], source: 'board', reportEveryS: 1, lastAnnounceAt: T0 });
    expect(d.lines.filter((l) => l.code === 'EVN_ERR_DEVICE_PENDING')).toHaveLength(1);
    // its announce did its work on arrival: nothing is said of it in event-time order
    expect(d.lines.filter((l) => l.code === 'EVN_ERR_UNKNOWN_DEVICE')).toEqual([]);

    agent.tick(T0 + 5 * S);
    const sent = agent.stats().published;
    await d.settle(sent, T0 + 5 * S);
    // everything but its announce (availability, 5 telemetry, its events) refused and counted
    expect(agent.stats().telemetry).toBe(5);
    expect(hd.stats().byCode.EVN_ERR_DEVICE_PENDING).toBe(sent - 1);
    expect((await row(d, 'maria/board-fridge'))!).toMatchObject({ state: 'pending', lastTs: null, lastSeenAt: T0 + 5 * S });
    // every refusal counted, the log says it once
    expect(d.lines.filter((l) => l.code === 'EVN_ERR_DEVICE_PENDING')).toHaveLength(1);

    const accepted = await d.api('POST', '/devices/maria/board-fridge/accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body.device).toMatchObject({ state: 'active', decidedBy: 'anna' });
    expect(d.stack.registry.customer('maria')).toMatchObject({ state: 'active' });

    agent.tick(T0 + 8 * S);
    await d.settle(agent.stats().published, T0 + 8 * S);
    expect(hd.stats().byCode.EVN_ERR_DEVICE_PENDING).toBe(sent - 1);
    expect(await row(d, 'maria/board-fridge')).toMatchObject({ state: 'active', online: true, lastTs: T0 + 8 * S });
  });

  it('is refused by staff: rejected, its messages refused with EVN_ERR_DEVICE_REJECTED; unknown devices and a missing session get coded answers', async () => {
    const d = await desk();
    const agent = fridgeAgent(d.stack.brokerUrl);
    await agent.start();
    await d.settle(2, T0);
    expect((await d.api('POST', '/devices/maria/board-fridge/reject')).body.device).toMatchObject({ state: 'rejected', decidedBy: 'anna' });
    const before = agent.stats().published;
    agent.tick(T0 + 3 * S);
    await d.settle(agent.stats().published, T0 + 3 * S);
    expect(d.stack.helpdesk.stats().byCode.EVN_ERR_DEVICE_REJECTED).toBe(agent.stats().published - before);
    expect(agent.stats().published - before).toBeGreaterThanOrEqual(3);
    expect(await d.api('POST', '/devices/maria/nope/accept')).toMatchObject({ status: 404, body: { error: { code: 'EVN_ERR_DEVICE_NOT_FOUND' } } });
    expect(await d.api('POST', '/devices/maria/board-fridge/accept', { force: true })).toMatchObject({ status: 400, body: { error: { code: 'EVN_ERR_INPUT' } } });
    const anonymous = await fetch(`${d.stack.dashboard!.url}/api/v1/devices/maria/board-fridge/accept`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect(d.stack.registry.device('maria', 'board-fridge')!.state).toBe('rejected');
  });
});

describe('a device that announces itself through a secured broker', () => {
  let s: SecureBroker | null = null;
  afterEach(async () => {
    await s?.stop();
    s = null;
  });

  it('is registered at once (the embedded broker authenticated it) and its telemetry is processed', async () => {
    s = await secureBroker([['maria/board-fridge'], ['helpdesk', 'helpdesk']]);
    const d = await desk({ auth: s.store, helpdeskCredentials: { username: 'helpdesk', password: s.secrets.get('helpdesk')! } });
    expect(d.stack.registry.mode).toBe('trust-broker');
    const agent = fridgeAgent(d.stack.brokerUrl, { username: 'maria/board-fridge', password: s.secrets.get('maria/board-fridge')! });
    await agent.start();
    agent.tick(T0 + 3 * S);
    await d.settle(5, T0 + 3 * S);
    expect(d.stack.registry.device('maria', 'board-fridge')).toMatchObject({ state: 'active', decidedBy: 'broker', origin: 'announce' });
    expect(d.stack.helpdesk.stats().rejected).toBe(0);
    expect(await row(d, 'maria/board-fridge')).toMatchObject({ state: 'active', lastTs: T0 + 3 * S, online: true });
    // the measures the core's detectors read come from the announce
    expect(d.stack.registry.directory.device('maria', 'board-fridge')).toMatchObject({ measures: ['cabinetTempC', 'doorOpen'], reportEveryS: 1 });
  });
});

describe('a device that disagrees with the registry about its kind', () => {
  it('keeps its registered kind; the problem is coded and logged once; wrong-kind messages are refused, the right ones processed', async () => {
    const d = await desk();
    const reg = d.stack.registry;
    expect(addCustomer(reg, { id: 'maria' }, T0).ok).toBe(true);
    expect(addDevice(reg, { customerId: 'maria', id: 'board-fridge', kind: 'fridge' }, T0).ok).toBe(true);

    const dev = await rawDevice(d.stack.brokerUrl, 'maria', 'board-fridge');
    cleanup.push(() => dev.close());
    await dev.announce({ ...FRIDGE_ANNOUNCE, kind: 'washer' }, T0);
    await dev.telemetry('washer', WASHER_READINGS, T0 + S);
    await dev.telemetry('washer', WASHER_READINGS, T0 + 2 * S);
    await dev.telemetry('fridge', FRIDGE_READINGS, T0 + 3 * S);
    await d.settle(4, T0 + 3 * S);

    expect(d.stack.helpdesk.stats().byCode.EVN_ERR_KIND_MISMATCH).toBe(3);
    expect(reg.device('maria', 'board-fridge')).toMatchObject({ kind: 'fridge', state: 'active', problem: { code: 'EVN_ERR_KIND_MISMATCH', detail: 'announced as washer, registered as fridge' } });
    expect(d.lines.filter((l) => l.code === 'EVN_ERR_KIND_MISMATCH')).toHaveLength(1);
    const r = await row(d, 'maria/board-fridge');
    expect(r).toMatchObject({ kind: 'fridge', lastTs: T0 + 3 * S, problem: { code: 'EVN_ERR_KIND_MISMATCH' } });
  });
});

describe('telemetry from a device nobody registered', () => {
  it('records it as pending "unannounced" with its kind, counts every message, logs it once; accepted, it is processed', async () => {
    const d = await desk();
    const dev = await rawDevice(d.stack.brokerUrl, 'maria', 'ghost');
    cleanup.push(() => dev.close());
    for (let i = 1; i <= 4; i++) await dev.telemetry('fridge', FRIDGE_READINGS, T0 + i * S);
    await d.settle(4, T0 + 4 * S);
    expect(d.stack.helpdesk.stats().byCode.EVN_ERR_UNKNOWN_DEVICE).toBe(4);
    expect(d.lines.filter((l) => l.code === 'EVN_ERR_UNKNOWN_DEVICE')).toHaveLength(1);
    expect(await row(d, 'maria/ghost')).toMatchObject({ state: 'pending', origin: 'unannounced', kind: 'fridge', lastTs: null, lastSeenAt: T0 + 4 * S, registeredAt: T0 + S });

    expect((await d.api('POST', '/devices/maria/ghost/accept')).status).toBe(200);
    await dev.telemetry('fridge', FRIDGE_READINGS, T0 + 5 * S);
    await d.settle(5, T0 + 5 * S);
    expect(d.stack.helpdesk.stats().byCode.EVN_ERR_UNKNOWN_DEVICE).toBe(4);
    expect(await row(d, 'maria/ghost')).toMatchObject({ state: 'active', lastTs: T0 + 5 * S });
  });
});

describe('the registry across a restart of the helpdesk', () => {
  const tmp = tempDirPerTest('evernet-onboarding-');

  it('keeps a pending device pending, and an accepted one active, on the same database', async () => {
    const db = tmp.join('helpdesk.db');
    let d = await startDesk({ db });
    const dev = await rawDevice(d.stack.brokerUrl, 'maria', 'board-fridge');
    await dev.announce(FRIDGE_ANNOUNCE, T0);
    await d.settle(1, T0);
    await dev.close();
    await d.stop();

    d = await startDesk({ db });
    cleanup.push(() => d.stop());
    expect(d.stack.registry.device('maria', 'board-fridge')).toMatchObject({ state: 'pending', origin: 'announce', lastAnnounceAt: T0 });
    expect((await d.api('POST', '/devices/maria/board-fridge/accept')).status).toBe(200);
    await d.stop();

    d = await startDesk({ db });
    cleanup.push(() => d.stop());
    await until(async () => (await row(d, 'maria/board-fridge'))?.state === 'active', 2000, 'the accepted device after a restart');
    expect(d.stack.registry.customer('maria')).toMatchObject({ state: 'active' });
  });
});
