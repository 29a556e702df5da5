/**
 * What a device says at every connect (its announce and its "online") with end-to-end
 * acknowledgements, through a real aedes broker on port 0 and the partition's real gate
 * (cluster/acks.ts) in the helpdesk's place. A replay's barrier counts every message a device
 * published (DeviceAgent.stats().published) and waits until the partition has received that many
 * (docs/scale.md): so each of them must reach the partition once, even when the stream lost it
 * (a NATS node killed under the cluster: the broker acknowledged, nothing stored), and nothing the
 * device did not count may reach it (a last will of a connection the device dropped itself).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { createAgent, type Agent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { silentLogger } from '../../log/logger.js';
import { ackPartition, type AckPartition } from '../helpers/ack-partition.js';
import { tcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

const log = silentLogger();
const T0 = Date.parse('2020-11-02T08:00:00+01:00');

describe('a device with end-to-end acknowledgements, at connect', () => {
  let broker: RunningBroker;
  let part: AckPartition;
  const agents: Agent[] = [];

  beforeEach(async () => {
    broker = await createBroker({ port: 0 }).start();
    part = await ackPartition(broker.url, T0);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.kill();
    await part.stop();
    await broker.stop();
  });

  const fridge = (acks: { resendAfterMs: number; qos?: 0 | 1 }, brokerUrl = broker.url) => {
    const a = createAgent({ customerId: 'maria', deviceId: 'fridge', model: KINDS.fridge, params: {}, seed: 1, brokerUrl, startAt: T0, log, reconnectPeriodMs: 50, acks });
    agents.push(a);
    return a;
  };
  /** the barrier's question: has the partition received all the device published? */
  const balanced = (a: Agent) => part.received.length === a.stats().published;
  const count = (channel: string) => part.received.filter((c) => c === channel).length;

  it('says again an announce and an "online" the stream lost, and the partition receives each once', async () => {
    part.lose.set('announce', 1);
    part.lose.set('availability:online', 1);
    const agent = fridge({ resendAfterMs: 200 });
    await agent.start();
    agent.tick(T0 + 20_000);
    await until(() => agent.outboxStats().queued === 0, 10_000, () => `outbox ${JSON.stringify(agent.outboxStats())}, received ${part.received.length}`);
    // some periods more: what it says again after being confirmed would be counted twice or not at all
    await new Promise((r) => setTimeout(r, 700));
    expect([...part.lose.values()]).toEqual([0, 0]);
    expect([count('announce'), count('availability')]).toEqual([1, 1]);
    expect(part.received.length).toBe(agent.stats().published);
  });

  it('after a reconnect whose announce and "online" were lost, the partition receives both once', async () => {
    const proxy = await tcpProxy(broker.port);
    const agent = fridge({ resendAfterMs: 200 }, `mqtt://127.0.0.1:${proxy.port}`);
    await agent.start();
    agent.tick(T0 + 10_000);
    await until(() => agent.outboxStats().queued === 0 && balanced(agent), 10_000, 'the first connection confirmed');
    // the connection cut under it (its node gone); the stream loses what it says on the next one.
    // The broker, alive here, publishes the cut connection's will: not the device's to count, so left out below
    part.lose.set('announce', 1);
    part.lose.set('availability:online', 1);
    proxy.cut();
    await until(() => agent.stats().reconnects === 1, 5000, 'a reconnect');
    agent.tick(T0 + 20_000);
    const said = () => part.received.length - part.availability.filter((b) => b.reason === 'will').length;
    await until(() => agent.outboxStats().queued === 0 && said() >= agent.stats().published, 10_000, () => `received ${said()} of ${agent.stats().published}`);
    await new Promise((r) => setTimeout(r, 700));
    expect(part.availability.filter((b) => b.state === 'online').map((b) => b.seq)).toEqual([1, 2]);
    expect(count('announce')).toBe(2);
    expect(said()).toBe(agent.stats().published);
    await proxy.close();
  });

  it('a connection it drops for silence ends with DISCONNECT: the broker publishes no will the device did not count', async () => {
    const agent = fridge({ resendAfterMs: 100, qos: 0 });
    await agent.start();
    await until(() => balanced(agent) && part.received.length === 2 && !agent.outboxStats().held, 5000, 'announce and online confirmed');
    part.confirms = false;
    part.lose.set('telemetry', 1_000_000);
    agent.tick(T0 + 20_000);
    await until(() => (agent.outboxStats().reconnectsForced ?? 0) >= 1, 10_000, 'a connection dropped for silence');
    await until(() => agent.stats().reconnects >= 1, 5000, 'connected again');
    await new Promise((r) => setTimeout(r, 300));
    expect(part.availability.filter((b) => b.reason === 'will')).toEqual([]);
  });
});
