/**
 * A device agent against a real aedes broker on a loopback port, with a real mqtt.js observer.
 */
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { silentLogger } from '../../log/logger.js';
import { observedBroker } from '../helpers/observed-broker.js';
import { brokerTarget, createAgent, type AgentOptions } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { decode, deviceTopic } from '../../contracts/index.js';

const log = silentLogger();
const T0 = Date.parse('2020-11-02T08:00:00+01:00');

describe('device agent', () => {
  const net = observedBroker();

  const agentOf = (deviceId: string, model: AgentOptions['model']) =>
    createAgent({ customerId: 'maria', deviceId, model, params: {}, seed: 1, brokerUrl: net.url, startAt: T0, log });

  it('publishes valid telemetry with increasing sequence numbers in event time', async () => {
    const agent = agentOf('fridge', KINDS.fridge);
    await agent.start();
    agent.tick(T0 + 5000);
    await until(() => net.seen.filter((m) => m.topic.endsWith('/telemetry')).length === 5, 2000);
    const tel = net.seen.filter((m) => m.topic === deviceTopic('maria', 'fridge', 'telemetry')).map((m) => decode(m.topic, m.payload));
    expect(tel.every((r) => r.ok)).toBe(true);
    const payloads = tel.map((r) => (r.ok ? r.value.payload : null)) as Array<{ ts: number; seq: number }>;
    expect(payloads.map((p) => p.ts)).toEqual([1, 2, 3, 4, 5].map((s) => T0 + s * 1000));
    const seqs = payloads.map((p) => p.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(5);
    await agent.stop();
  });

  it('is marked offline by its last will when the connection drops, and says so itself on a clean stop', async () => {
    const a = agentOf('car', KINDS['car-battery']);
    await a.start();
    await until(() => net.seen.some((m) => m.topic.endsWith('car/availability') && m.payload.includes('"online"')), 2000);
    await a.kill();
    await until(() => net.seen.some((m) => m.topic.endsWith('car/availability') && m.payload.includes('"will"')), 2000);
    const will = decode(deviceTopic('maria', 'car', 'availability'), net.seen.find((m) => m.payload.includes('"will"'))!.payload);
    expect(will.ok && will.value.payload).toMatchObject({ state: 'offline', reason: 'will', kind: 'car-battery' });

    const b = agentOf('washer', KINDS.washer);
    await b.start();
    await b.stop();
    await until(() => net.seen.some((m) => m.topic.endsWith('washer/availability') && m.payload.includes('"disconnected"')), 2000);
    expect(net.seen.some((m) => m.topic.endsWith('washer/availability') && m.payload.includes('"will"'))).toBe(false);
  });

  it('executes a valid command at its next tick and refuses an invalid one without crashing', async () => {
    const agent = agentOf('car', KINDS['car-battery']);
    await agent.start();
    const topic = deviceTopic('maria', 'car', 'command');
    await net.observer.publishAsync(topic, '{"not":"a command"}', { qos: 1 });
    await net.observer.publishAsync(topic, JSON.stringify({ v: 1, ts: T0, seq: 1, commandId: 'c-1', action: 'battery-saver', on: true }), { qos: 1 });
    await agent.commandsReceived(2);
    expect(agent.stats().commandsRejected).toBe(1);
    agent.tick(T0 + 2000);
    await until(() => net.seen.some((m) => m.topic.endsWith('car/event') && m.payload.includes('"command-result"')), 2000);
    const result = net.seen.find((m) => m.payload.includes('"command-result"'))!;
    expect(JSON.parse(result.payload)).toMatchObject({ type: 'command-result', commandId: 'c-1', ok: true });
    await until(() => net.seen.some((m) => m.topic.endsWith('car/telemetry') && m.payload.includes('"batterySaver":true')), 2000);
    await agent.stop();
  });

  it('executes a command id once: a repeat (a redelivery, a helpdesk worker that took over) is counted, not executed', async () => {
    const agent = agentOf('car2', KINDS['car-battery']);
    await agent.start();
    const topic = deviceTopic('maria', 'car2', 'command');
    const cmd = (seq: number, id: string) => JSON.stringify({ v: 1, ts: T0, seq, commandId: id, action: 'battery-saver', on: true });
    await net.observer.publishAsync(topic, cmd(1, 'c-7'), { qos: 1 });
    await net.observer.publishAsync(topic, cmd(2, 'c-7'), { qos: 1 });
    await net.observer.publishAsync(topic, cmd(3, 'c-8'), { qos: 1 });
    await agent.commandsReceived(2);
    await until(() => agent.stats().commandsRepeated === 1, 2000);
    agent.tick(T0 + 2000);
    await until(() => net.seen.filter((m) => m.topic.endsWith('car2/event') && m.payload.includes('"command-result"')).length === 2, 2000);
    const results = net.seen.filter((m) => m.topic.endsWith('car2/event') && m.payload.includes('"command-result"')).map((m) => JSON.parse(m.payload).commandId);
    expect(results).toEqual(['c-7', 'c-8']);
    expect(agent.stats().commandsReceived).toBe(2);
    await agent.stop();
  });

  it('applies only the commands released to it (a pipelined replay): one that comes early waits for its window', async () => {
    const agent = agentOf('car3', KINDS['car-battery']);
    await agent.start();
    agent.release(1);
    const topic = deviceTopic('maria', 'car3', 'command');
    const cmd = (seq: number, id: string, on: boolean) => JSON.stringify({ v: 1, ts: T0, seq, commandId: id, action: 'battery-saver', on });
    await net.observer.publishAsync(topic, cmd(1, 'c-21', true), { qos: 1 });
    await net.observer.publishAsync(topic, cmd(2, 'c-22', false), { qos: 1 });
    await agent.commandsReceived(2);
    const results = (): string[] => net.seen.filter((m) => m.topic.endsWith('car3/event') && m.payload.includes('"command-result"')).map((m) => JSON.parse(m.payload).commandId);
    agent.tick(T0 + 2000);
    await until(() => results().length === 1, 2000);
    agent.tick(T0 + 4000);
    // the second waits, however many steps go by, until it is released
    await new Promise((r) => setTimeout(r, 200));
    expect(results()).toEqual(['c-21']);
    agent.release(2);
    agent.tick(T0 + 5000);
    await until(() => results().length === 2, 2000);
    expect(results()).toEqual(['c-21', 'c-22']);
    await agent.stop();
  });

  it('adds what it publishes and receives to a tally it shares with other agents (a device host reads it every window)', async () => {
    const tally = { published: 0, commandsReceived: 0 };
    const withTally = (deviceId: string, model: AgentOptions['model']) =>
      createAgent({ customerId: 'maria', deviceId, model, params: {}, seed: 1, brokerUrl: net.url, startAt: T0, log, tally });
    const [a, b] = [withTally('fridge-t', KINDS.fridge), withTally('car-t', KINDS['car-battery'])];
    await a.start();
    await b.start();
    a.tick(T0 + 3000);
    b.tick(T0 + 2000);
    const topic = deviceTopic('maria', 'car-t', 'command');
    await net.observer.publishAsync(topic, JSON.stringify({ v: 1, ts: T0, seq: 1, commandId: 'c-31', action: 'battery-saver', on: true }), { qos: 1 });
    await b.commandsReceived(1);
    b.tick(T0 + 3000);
    await a.stop();
    await b.stop();
    // hellos, telemetry, the command's result and the goodbyes: each agent's own count, summed
    expect(tally.published).toBe(a.stats().published + b.stats().published);
    expect(tally.published).toBeGreaterThan(10);
    expect(tally.commandsReceived).toBe(1);
  });
});

describe('the broker a device connects to', () => {
  it('is given to mqtt.js as host and port for a plain mqtt:// URL, and as the URL itself otherwise', () => {
    expect(brokerTarget('mqtt://127.0.0.1:41883')).toEqual({ protocol: 'mqtt', host: '127.0.0.1', port: 41883 });
    expect(brokerTarget('mqtt://[::1]:1884/')).toEqual({ protocol: 'mqtt', host: '::1', port: 1884 });
    expect(brokerTarget('mqtt://broker.example')).toEqual({ protocol: 'mqtt', host: 'broker.example', port: 1883 });
    for (const url of ['mqtts://broker.example:8883', 'ws://127.0.0.1:8080/mqtt', 'mqtt://u:p@127.0.0.1:1883', 'mqtt://127.0.0.1:1883?clientId=x', 'not a url']) {
      expect(brokerTarget(url)).toBe(url);
    }
  });
});
