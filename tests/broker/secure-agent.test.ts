/**
 * A real device agent on a secured broker with its own credentials: telemetry reaches the helpdesk,
 * commands reach the device, its last will passes the ACL and the contract. Without credentials it
 * cannot connect at all.
 */
import type { MqttClient } from 'mqtt';
import { silentLogger } from '../../log/logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { createAgent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { HELPDESK_FILTERS, deviceTopic } from '../../contracts/topics.js';
import { record, type Seen } from '../helpers/recorder.js';
import { secureBroker, T0, type SecureBroker } from './fixture.js';

const log = silentLogger();

describe('a device agent with credentials on a secured broker', () => {
  let s: SecureBroker;
  let helpdesk: MqttClient;
  let seen: Seen[] = [];

  beforeAll(async () => {
    s = await secureBroker([['maria/car'], ['helpdesk', 'helpdesk']]);
    helpdesk = await s.connect('helpdesk');
    seen = await record(helpdesk, [...HELPDESK_FILTERS]);
  });
  afterAll(async () => {
    await helpdesk.endAsync();
    await s.stop();
  });

  const agentOf = (credentials?: { username: string; password: string }) =>
    createAgent({ customerId: 'maria', deviceId: 'car', model: KINDS['car-battery'], params: {}, seed: 1, brokerUrl: s.broker.url, startAt: T0, log, ...(credentials ? { credentials } : {}) });

  it('cannot connect without credentials', async () => {
    await expect(agentOf().start()).rejects.toThrow(/Not authorized/i);
  });

  it('publishes, takes commands and is marked offline by its will, all within its ACL', async () => {
    const agent = agentOf({ username: 'maria/car', password: s.secrets.get('maria/car')! });
    await agent.start();
    agent.tick(T0 + 3000);
    await until(() => seen.filter((m) => m.topic === deviceTopic('maria', 'car', 'telemetry')).length === 3, 2000);
    await helpdesk.publishAsync(deviceTopic('maria', 'car', 'command'), JSON.stringify({ v: 1, ts: T0, seq: 1, commandId: 'c-1', action: 'battery-saver', on: true }), { qos: 1 });
    await agent.commandsReceived(1);
    agent.tick(T0 + 4000);
    await until(() => seen.some((m) => m.topic.endsWith('car/event') && m.payload.includes('"command-result"')), 2000);
    await agent.kill();
    await until(() => seen.some((m) => m.topic.endsWith('car/availability') && m.payload.includes('"will"')), 2000);
    expect(s.broker.stats().byCode).toEqual({ EVN_ERR_AUTH_ANONYMOUS: 1 });
  });
});
