/**
 * A device's outbox: the store contract (in memory and SQLite alike), and the agent with a real
 * broker that goes away and comes back on the same port: nothing is lost below the bound, the oldest
 * is dropped and counted above it (the helpdesk sees the gap), everything arrives in sequence order,
 * and a persistent outbox carries the unsent messages and the sequence across a device restart.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { silentLogger } from '../../log/logger.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { createAgent, type Agent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { openSqliteOutboxStore } from '../../devices/outbox/sqlite-store.js';
import { createMemoryOutboxStore, type OutboxStore } from '../../devices/outbox/store.js';
import { createIngest } from '../../helpdesk/ingest/ingest.js';
import { until } from '../helpers/until.js';

const log = silentLogger();
const T0 = Date.parse('2020-11-02T08:00:00+01:00');
const entry = (seq: number) => ({ seq, topic: 't', payload: `{"seq":${seq}}` });

const tmp = tempDirPerTest('evernet-outbox-');

describe.each([
  ['in memory', () => createMemoryOutboxStore()],
  ['on SQLite', () => openSqliteOutboxStore({ path: tmp.join('dev.outbox.db') })],
] as const)('an outbox store %s', (_name, open: () => OutboxStore) => {
  it('keeps entries in sequence order until they are removed', () => {
    const s = open();
    for (const n of [1, 2, 3, 4]) s.append(entry(n));
    expect(s.after(0, 10).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(s.after(2, 1).map((e) => e.seq)).toEqual([3]);
    expect(s.remove(2)).toBe(true);
    expect(s.remove(2)).toBe(false);
    expect(s.after(0, 10).map((e) => e.seq)).toEqual([1, 3, 4]);
    expect(s.size()).toBe(3);
    expect(s.lastSeq()).toBe(4);
    s.close();
  });

  it('drops the oldest entry not yet handed over, else the oldest, and counts it', () => {
    const s = open();
    for (const n of [1, 2, 3]) s.append(entry(n));
    expect(s.dropOldest(1)?.seq).toBe(2); // 1 is in flight
    expect(s.dropOldest(3)?.seq).toBe(1); // all in flight: the oldest
    expect(s.dropped()).toBe(2);
    expect(s.after(0, 10).map((e) => e.seq)).toEqual([3]);
    s.remove(3);
    expect(s.dropOldest(0)).toBeNull();
    expect(s.lastSeq()).toBe(3);
    s.close();
  });
});

describe('the SQLite outbox store', () => {
  it('survives being closed and opened again: entries, last sequence number and drop count', () => {
    const file = tmp.join('dev.outbox.db');
    const a = openSqliteOutboxStore({ path: file });
    for (const n of [1, 2, 3, 4, 5]) a.append(entry(n));
    a.remove(1);
    a.dropOldest(1);
    a.remove(5);
    a.close();
    const b = openSqliteOutboxStore({ path: file });
    expect(b.after(0, 10).map((e) => e.seq)).toEqual([3, 4]);
    expect([b.size(), b.lastSeq(), b.dropped()]).toEqual([2, 5, 1]);
    expect(() => b.append(entry(5))).toThrow();
    b.close();
  });
});

describe('a device agent while its broker is away', () => {
  let broker: RunningBroker | null = null;
  let port = 0;
  let observer: MqttClient | null = null;
  const agents: Agent[] = [];
  const seen: Array<{ seq: number; topic: string; payload: Buffer }> = [];

  beforeEach(async () => {
    broker = await createBroker({ port: 0, dataDir: tmp.join('broker') }).start();
    port = broker.port;
    // a persistent subscriber, like the helpdesk: the broker keeps its queue over its own restarts
    observer = await mqtt.connectAsync(broker.url, { clientId: 'observer', clean: false, reconnectPeriod: 50 });
    observer.on('message', (topic, payload) => {
      if (!topic.endsWith('/availability')) seen.push({ seq: (JSON.parse(payload.toString()) as { seq: number }).seq, topic, payload });
    });
    await observer.subscribeAsync(['evernet/v1/+/+/telemetry', 'evernet/v1/+/+/event', 'evernet/v1/+/+/availability'], { qos: 1 });
    seen.length = 0;
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.kill();
    await observer?.endAsync(true);
    await broker?.stop();
    broker = null;
  });

  const fridge = (extra: Partial<Parameters<typeof createAgent>[0]> = {}) => {
    const a = createAgent({ customerId: 'maria', deviceId: 'fridge', model: KINDS.fridge, params: {}, seed: 1, brokerUrl: broker!.url, startAt: T0, log, reconnectPeriodMs: 50, ...extra });
    agents.push(a);
    return a;
  };
  /** what a helpdesk makes of what the observer got: accepted once each, duplicates dropped, gaps counted */
  const asHelpdesk = () => {
    const ingest = createIngest({ log });
    for (const m of seen) ingest.accept(m.topic, m.payload);
    return ingest.stats();
  };
  const unique = () => [...new Set(seen.map((m) => m.seq))].sort((a, b) => a - b);
  const upTo = (n: number, from = 1) => Array.from({ length: n - from + 1 }, (_, i) => i + from);
  const restartBroker = async () => {
    await broker!.stop();
    broker = null;
  };
  const bringBack = async () => {
    broker = await createBroker({ port, dataDir: tmp.join('broker') }).start();
  };

  it('keeps what it measures, sends it in order when the broker is back, and loses nothing', async () => {
    const agent = fridge();
    await agent.start();
    agent.tick(T0 + 10_000);
    await agent.drained();
    await restartBroker();
    agent.tick(T0 + 400_000); // 390 readings while nobody listens
    expect(agent.outboxStats().queued).toBeGreaterThanOrEqual(390);
    await bringBack();
    await agent.drained();
    const last = agent.stats().lastSeq;
    await until(() => unique().length >= last, 10_000, () => `observer got ${unique().length} of ${last}`);
    expect(unique()).toEqual(upTo(last));
    // in order: a copy may come twice (at least once), but nothing first arrives after a newer one
    expect(asHelpdesk()).toMatchObject({ accepted: last, gaps: 0 });
    expect(agent.stats().reconnects).toBe(1);
    expect(agent.outboxStats()).toMatchObject({ queued: 0, dropped: 0, acknowledged: last });
  });

  it('keeps at most its capacity, drops the oldest and counts them; the helpdesk sees the gap', async () => {
    const agent = fridge({ outboxCapacity: 100 });
    await agent.start();
    agent.tick(T0 + 10_000);
    await agent.drained();
    const sent = agent.stats().lastSeq;
    await restartBroker();
    agent.tick(T0 + 310_000); // 300 readings (and maybe an event), room for 100
    const last = agent.stats().lastSeq;
    expect(agent.outboxStats()).toMatchObject({ queued: 100, dropped: last - sent - 100 });
    await bringBack();
    await agent.drained();
    await until(() => unique().length >= sent + 100, 10_000, () => `observer got ${unique().length} of ${sent + 100}`);
    expect(unique()).toEqual([...upTo(sent), ...upTo(last, last - 99)]);
    expect(asHelpdesk()).toMatchObject({ accepted: sent + 100, gaps: last - sent - 100 });
  });

  it('with a persistent outbox, a restarted device sends what it had not sent and continues its sequence', async () => {
    const file = tmp.join('fridge.outbox.db');
    const store1 = openSqliteOutboxStore({ path: file });
    const before = fridge({ outbox: store1 });
    await before.start();
    before.tick(T0 + 20_000);
    await before.drained();
    await restartBroker();
    const sent = before.stats().lastSeq;
    before.tick(T0 + 80_000); // 60 readings stored, then the device process "dies"
    const stopped = before.stats().lastSeq;
    await before.kill();
    store1.close();

    const store2 = openSqliteOutboxStore({ path: file });
    expect(store2.size()).toBe(stopped - sent);
    await bringBack();
    const after = fridge({ outbox: store2, startAt: T0 + 80_000 });
    expect(after.stats().lastSeq).toBe(stopped);
    await after.start();
    after.tick(T0 + 90_000);
    await after.drained();
    const last = after.stats().lastSeq;
    expect(last).toBeGreaterThanOrEqual(stopped + 10);
    await until(() => unique().length >= last, 10_000, () => `observer got ${unique().length} of ${last}`);
    expect(unique()).toEqual(upTo(last));
    expect(asHelpdesk()).toMatchObject({ accepted: last, gaps: 0 });
    store2.close();
  });
});
