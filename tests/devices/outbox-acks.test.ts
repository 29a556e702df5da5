/**
 * End-to-end acknowledgements in a device's outbox (devices/outbox/sender.ts `acks`, docs/scale.md
 * #end-to-end-acknowledgements), with a real aedes broker on port 0 and real mqtt.js clients. A test
 * "helpdesk" reads the device's telemetry, confirms on its `ack` topic "received up to seq N" (N: no
 * gap below it), and can lose messages the broker acknowledged, as a NATS node does whose stream had
 * no leader: the device keeps every message until it is confirmed, and sends again, with the same
 * sequence numbers, what is not confirmed after resendAfterMs or on a reconnect. Off, nothing changes.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { deviceTopic, encode, stamp } from '../../contracts/index.js';
import { createAgent, type Agent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { openSqliteOutboxStore } from '../../devices/outbox/sqlite-store.js';
import { createMemoryOutboxStore, type OutboxStore } from '../../devices/outbox/store.js';
import { silentLogger } from '../../log/logger.js';
import { tcpProxy } from '../helpers/tcp-proxy.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { until } from '../helpers/until.js';

const log = silentLogger();
const T0 = Date.parse('2020-11-02T08:00:00+01:00');
const tmp = tempDirPerTest('evernet-outbox-acks-');
const entry = (seq: number) => ({ seq, topic: 't', payload: `{"seq":${seq}}` });

describe.each([
  ['in memory', () => createMemoryOutboxStore()],
  ['on SQLite', () => openSqliteOutboxStore({ path: tmp.join('dev.outbox.db') })],
] as const)('an outbox store %s, confirmed end to end', (_name, open: () => OutboxStore) => {
  it('removes every entry up to the confirmed sequence number, and says how many', () => {
    const s = open();
    for (const n of [1, 2, 3, 5, 6]) s.append(entry(n));
    expect(s.removeThrough(0)).toBe(0);
    expect(s.removeThrough(4)).toBe(3);
    expect(s.removeThrough(4)).toBe(0);
    expect(s.after(0, 10).map((e) => e.seq)).toEqual([5, 6]);
    expect(s.size()).toBe(2);
    expect(s.removeThrough(99)).toBe(2);
    expect([s.size(), s.lastSeq()]).toEqual([0, 6]);
    s.close();
  });
});

/** a helpdesk stand-in: what it read of one device, what it confirms, and what it loses */
interface Desk {
  client: MqttClient;
  /** seq -> payloads read (a copy sent again is read twice) */
  read: Map<number, string[]>;
  announces: Array<{ seq: number; acks?: { after: number } }>;
  /** no gap below it */
  upTo: number;
  /** seqs the next arrival of which is lost (the broker acknowledged it, nothing stored it) */
  lose: Set<number>;
  /** confirms what it read; false: it confirms only the connection (upTo 0), so the device sends but nothing is removed */
  confirms: boolean;
  /** announces lost on the way (a stream without a leader): the device is unknown, nothing of it is confirmed */
  loseAnnounces: number;
  /** the QoS each telemetry message arrived with */
  qos: Set<number>;
}

describe('a device agent with end-to-end acknowledgements', () => {
  let broker: RunningBroker;
  let desk: Desk;
  let timer: NodeJS.Timeout;
  const agents: Agent[] = [];

  beforeEach(async () => {
    broker = await createBroker({ port: 0 }).start();
    const client = await mqtt.connectAsync(broker.url, { clientId: 'desk', reconnectPeriod: 50 });
    desk = { client, read: new Map(), announces: [], upTo: 0, lose: new Set(), confirms: true, loseAnnounces: 0, qos: new Set() };
    client.on('message', (topic, payload, packet) => {
      if (topic.endsWith('/telemetry')) desk.qos.add(packet.qos);
      const body = JSON.parse(payload.toString()) as { seq: number; acks?: { after: number } };
      if (topic.endsWith('/announce')) {
        if (desk.loseAnnounces > 0 && desk.loseAnnounces--) return;
        desk.announces.push(body);
        if (body.acks) desk.upTo = body.acks.after;
        return;
      }
      if (desk.lose.delete(body.seq)) return;
      desk.read.set(body.seq, [...(desk.read.get(body.seq) ?? []), payload.toString()]);
      while (desk.read.has(desk.upTo + 1)) desk.upTo++;
    });
    await client.subscribeAsync(['evernet/v1/+/+/telemetry', 'evernet/v1/+/+/event', 'evernet/v1/+/+/announce'], { qos: 1 });
    // confirmations batched, every 100 ms, for the one device, naming the connection it last announced
    const ackTopic = deviceTopic('maria', 'fridge', 'ack');
    let confirmed = '';
    timer = setInterval(() => {
      const connection = desk.announces.at(-1)?.seq;
      const upTo = desk.confirms ? desk.upTo : 0;
      if (connection === undefined || `${upTo}/${connection}` === confirmed) return;
      confirmed = `${upTo}/${connection}`;
      void client.publishAsync(ackTopic, encode(ackTopic, stamp({ upTo, connection }, T0, upTo)), { qos: 1 });
    }, 100);
  });
  afterEach(async () => {
    clearInterval(timer);
    for (const a of agents.splice(0)) await a.kill();
    await desk.client.endAsync(true);
    await broker.stop();
  });

  const fridge = (extra: Partial<Parameters<typeof createAgent>[0]> = {}) => {
    const a = createAgent({ customerId: 'maria', deviceId: 'fridge', model: KINDS.fridge, params: {}, seed: 1, brokerUrl: broker.url, startAt: T0, log, reconnectPeriodMs: 50, ...extra });
    agents.push(a);
    return a;
  };
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const readSeqs = () => [...desk.read.keys()].sort((a, b) => a - b);

  it('announces that it wants confirmations and keeps what the broker acknowledged until the helpdesk confirms it', async () => {
    desk.confirms = false;
    const agent = fridge({ acks: { resendAfterMs: 60_000 } });
    await agent.start();
    agent.tick(T0 + 50_000);
    const last = agent.stats().lastSeq;
    await until(() => readSeqs().length >= last, 10_000, () => `read ${readSeqs().length} of ${last}`);
    await until(() => agent.outboxStats().inFlight === 0, 5000, 'every PUBACK');
    expect(desk.announces).toEqual([expect.objectContaining({ acks: { after: 0 } })]);
    // every message acknowledged by the broker, none removed
    expect(agent.outboxStats()).toMatchObject({ queued: last, acknowledged: 0, confirmedUpTo: 0 });
    let drained = false;
    void agent.drained().then(() => (drained = true));
    desk.confirms = true;
    await until(() => drained, 5000, () => `drained after the confirmation: ${JSON.stringify(agent.outboxStats())}`);
    expect(agent.outboxStats()).toMatchObject({ queued: 0, acknowledged: last, confirmedUpTo: last, resent: 0 });
    expect(readSeqs()).toEqual(upTo(last));
  });

  /**
   * 20 s of a fridge, confirmed; then the next 30 messages acknowledged by the broker and lost (the
   * helpdesk confirms up to `first` only) and 80 s more: waits until every one is confirmed
   */
  const loseThirty = async (agent: Agent): Promise<{ first: number; last: number }> => {
    await agent.start();
    agent.tick(T0 + 20_000);
    await agent.drained();
    const first = agent.stats().lastSeq;
    for (let s = first + 1; s <= first + 30; s++) desk.lose.add(s);
    agent.tick(T0 + 100_000);
    const last = agent.stats().lastSeq;
    await until(() => agent.outboxStats().queued === 0, 10_000, () => `outbox ${JSON.stringify(agent.outboxStats())}, helpdesk up to ${desk.upTo}`);
    return { first, last };
  };

  it('sends again, with the same sequence numbers and payloads, what is not confirmed after resendAfterMs', async () => {
    const agent = fridge({ acks: { resendAfterMs: 300 } });
    const { first, last } = await loseThirty(agent);
    expect(readSeqs()).toEqual(upTo(last));
    expect(desk.upTo).toBe(last);
    const stats = agent.outboxStats();
    // what was read after the gap came again, in order from the gap, under the same numbers
    expect(stats.resent).toBeGreaterThanOrEqual(last - first);
    expect(stats.resendRounds).toBeGreaterThanOrEqual(1);
    const copies = [...desk.read.values()].filter((p) => p.length > 1);
    expect(copies.length).toBeGreaterThan(0);
    for (const p of copies) expect(new Set(p).size).toBe(1);
    // confirmed: no more rounds
    const rounds = stats.resendRounds;
    await new Promise((r) => setTimeout(r, 800));
    expect(agent.outboxStats().resendRounds).toBe(rounds);
  });

  it('sends again what is not confirmed when it reconnects', async () => {
    desk.confirms = false;
    const proxy = await tcpProxy(broker.port);
    const agent = fridge({ acks: { resendAfterMs: 60_000 }, brokerUrl: `mqtt://127.0.0.1:${proxy.port}` });
    await agent.start();
    agent.tick(T0 + 30_000);
    const last = agent.stats().lastSeq;
    await until(() => readSeqs().length >= last && agent.outboxStats().inFlight === 0, 10_000, 'every message read and acknowledged by the broker');
    // the connection dropped (its node killed): mqtt.js reconnects
    const before = agent.stats().reconnects;
    desk.read.clear();
    desk.upTo = 0;
    proxy.cut();
    await until(() => agent.stats().reconnects > before, 10_000, 'a reconnect');
    await until(() => readSeqs().length >= last, 10_000, () => `read again ${readSeqs().length} of ${last}`);
    expect(readSeqs()).toEqual(upTo(last));
    expect(desk.announces.at(-1)).toMatchObject({ acks: { after: 0 } });
    desk.confirms = true;
    await until(() => agent.outboxStats().queued === 0, 5000, 'confirmed');
    await agent.kill();
    await proxy.close();
  });

  it('holds its telemetry until a confirmation names its connection: a helpdesk that lost its announce hears it again, then reads each message once', async () => {
    desk.loseAnnounces = 1;
    const agent = fridge({ acks: { resendAfterMs: 200 } });
    await agent.start();
    agent.tick(T0 + 20_000);
    const last = agent.stats().lastSeq;
    await new Promise((r) => setTimeout(r, 100));
    expect(desk.read.size).toBe(0);
    await until(() => agent.outboxStats().queued === 0, 10_000, () => `outbox ${JSON.stringify(agent.outboxStats())}, announces ${desk.announces.length}`);
    expect(desk.loseAnnounces).toBe(0);
    expect(desk.announces[0]).toMatchObject({ seq: 1, acks: { after: 0 } });
    expect(readSeqs()).toEqual(upTo(last));
    expect([...desk.read.values()].every((copies) => copies.length === 1)).toBe(true);
    expect(agent.outboxStats()).toMatchObject({ confirmedUpTo: last, resent: 0 });
  });

  it('at QoS 0 (no PUBACK waited for) the confirmation alone removes an entry, and what was lost is sent again', async () => {
    const agent = fridge({ acks: { resendAfterMs: 300, qos: 0 } });
    const { last } = await loseThirty(agent);
    expect(readSeqs()).toEqual(upTo(last));
    expect([...desk.qos]).toEqual([0]);
    expect(agent.outboxStats()).toMatchObject({ queued: 0, confirmedUpTo: last, reconnectsForced: 0 });
    expect(agent.outboxStats().resendRounds).toBeGreaterThanOrEqual(1);
  });

  it('without acks (the default) the broker acknowledgement is enough, no ack subscription, a confirmation changes nothing', async () => {
    const agent = fridge();
    await agent.start();
    agent.tick(T0 + 20_000);
    await agent.drained();
    const last = agent.stats().lastSeq;
    expect(agent.outboxStats()).toEqual({ queued: 0, inFlight: 0, acknowledged: last, dropped: 0 });
    await until(() => desk.announces.length > 0, 5000, 'the announce');
    expect(desk.announces[0]).not.toHaveProperty('acks');
    const ackTopic = deviceTopic('maria', 'fridge', 'ack');
    await desk.client.publishAsync(ackTopic, encode(ackTopic, stamp({ upTo: 5 }, T0, 5)), { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(agent.stats()).toMatchObject({ commandsReceived: 0, commandsRejected: 0 });
  });
});
