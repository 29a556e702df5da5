/**
 * A device's graceful stop has a deadline: a broker that never acknowledges its "offline" (a
 * cluster node busy storing retained messages, a half-open connection) must not hold the stop — nor
 * the replay that waits for it — forever. Real aedes on a loopback port whose publish hook never
 * answers for the availability topic.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { silentLogger } from '../../log/logger.js';

const T0 = Date.parse('2020-11-02T08:00:00+01:00');

describe('a device stopping against a broker that never acknowledges its offline', () => {
  let aedes: Aedes;
  let server: net.Server;
  let url = '';
  const held: string[] = [];
  beforeAll(async () => {
    aedes = await Aedes.createBroker({
      // the availability topic's publishes are never authorised nor refused: no PUBACK ever comes
      authorizePublish: (_client, packet, callback) => {
        if (packet.topic.endsWith('/availability') && packet.payload.toString().includes('"disconnected"')) held.push(packet.topic);
        else callback(null);
      },
    });
    server = net.createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => aedes.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('lets go of the connection after stopTimeoutMs and resolves', async () => {
    const agent = createAgent({ customerId: 'maria', deviceId: 'washer', model: KINDS.washer, params: {}, seed: 1, brokerUrl: url, startAt: T0, log: silentLogger(), stopTimeoutMs: 500 });
    await agent.start();
    agent.tick(T0 + 2000);
    const t0 = performance.now();
    const stopped = await Promise.race([agent.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('hung'), 5000))]);
    expect(stopped).toBe('stopped');
    expect(held).toEqual(['evernet/v1/maria/washer/availability']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(450);
    // the connection is gone: the broker no longer has the client
    await new Promise((r) => setTimeout(r, 100));
    expect(aedes.connectedClients).toBe(0);
  });
});
