/**
 * A device's connection is a clean session: when its broker goes away and comes back, the broker has
 * forgotten its command subscription, and the device must subscribe again on the new connection, or the
 * helpdesk's commands never reach it. A real aedes broker on a loopback port, stopped and started again on
 * the same port; the device's mqtt.js client connects again by itself; a real mqtt.js client sends the
 * command. The agent subscribes again itself (mqtt.js' own resubscription is off: with it on, every QoS 1 publish
 * of a client with a subscription took about a quarter longer, docs/fleet-engine-log.md#a-subscription-that-slowed-every-publish).
 */
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { createBroker } from '../../broker/server.js';
import { deviceTopic } from '../../contracts/index.js';
import { deviceClientOptions } from '../../devices/agent-connection.js';
import { createAgent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { silentLogger } from '../../log/logger.js';
import { until } from '../helpers/until.js';

const T0 = Date.parse('2020-11-02T08:00:00+01:00');

describe('a device whose broker went away and came back', () => {
  it('subscribes to its commands again on the new connection, and a command sent then reaches it', async () => {
    let broker = await createBroker({ port: 0 }).start();
    const port = broker.port;
    const agent = createAgent({
      customerId: 'ana', deviceId: 'fridge-1', model: KINDS.fridge, params: {}, seed: 3, brokerUrl: broker.url, startAt: T0, log: silentLogger(), reconnectPeriodMs: 100,
    });
    await agent.start();
    try {
      await broker.stop();
      broker = await createBroker({ port }).start();
      await until(() => agent.stats().reconnects === 1, 10_000);
      const sender = await mqtt.connectAsync(broker.url, { clientId: 'helpdesk' });
      try {
        const command = JSON.stringify({ v: 1, ts: T0, seq: 1, commandId: 'c-1', action: 'set-setpoint', celsius: 5 });
        // the new connection's SUBSCRIBE may still be on its way: the command is sent again until it arrives
        await until(async () => {
          await sender.publishAsync(deviceTopic('ana', 'fridge-1', 'command'), command, { qos: 1 });
          await new Promise((r) => setTimeout(r, 50));
          return agent.stats().commandsReceived > 0;
        }, 5000);
        expect(agent.stats().commandsRejected).toBe(0);
      } finally {
        await sender.endAsync();
      }
    } finally {
      await agent.stop();
      await broker.stop();
    }
  }, 30_000);

  it("connects with mqtt.js' own resubscription off", () => {
    expect(deviceClientOptions('d').resubscribe).toBe(false);
  });
});
