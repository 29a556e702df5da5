/**
 * startHelpdeskStack, the one way to build a running helpdesk: with its defaults it runs an embedded
 * broker, SQLite in memory and the bundled tariff, and the helpdesk takes telemetry; stop() ends all
 * of it; a part that cannot start (a taken dashboard port) stops what had started and says which
 * port, with a code; an option given as undefined takes its default.
 */
import net from 'node:net';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { deviceTopic, encode, stamp, VirtualClock } from '../../contracts/index.js';
import { silentLogger } from '../../log/logger.js';
import { STACK_ERR, startHelpdeskStack } from '../../stack/helpdesk-stack.js';
import { DIRECTORY, T0 } from '../security/fixture.js';

const readings = { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 1 };

/** resolves true if something can listen on host:port now */
function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('startHelpdeskStack', () => {
  it('runs with its defaults: an embedded broker, SQLite in memory, the bundled tariff; the helpdesk takes telemetry', async () => {
    const stack = await startHelpdeskStack({ directory: DIRECTORY, clock: new VirtualClock(T0), log: silentLogger() });
    try {
      expect(stack.broker).not.toBeNull();
      expect(stack.dashboard).toBeNull();
      expect(stack.tariff.status()).toMatchObject({ provider: 'bundled', label: 'day-ahead prices (de-day-ahead-2020.csv)', slotMinutes: 60 });
      const fridge = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'evernet-maria-fridge' });
      const topic = deviceTopic('maria', 'fridge', 'telemetry');
      await fridge.publishAsync(topic, encode(topic, stamp({ kind: 'fridge', readings }, T0 + 1000, 1)), { qos: 1 });
      await stack.helpdesk.received(1);
      expect(stack.helpdesk.stats().accepted).toBe(1);
      await fridge.endAsync();
    } finally {
      await stack.stop();
    }
    expect(await free(stack.broker!.port)).toBe(true);
    await stack.stop(); // twice is fine
  });

  it('stops what it had started when the dashboard port is taken, and names the port with a code', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    // the embedded broker on a fixed free port, so the test can see it was let go
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const mqttPort = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    try {
      await expect(
        startHelpdeskStack({ directory: DIRECTORY, clock: new VirtualClock(T0), log: silentLogger(), broker: { port: mqttPort }, dashboard: { port } }),
      ).rejects.toMatchObject({ code: STACK_ERR.HTTP_LISTEN, message: expect.stringContaining(`127.0.0.1:${port}`) });
      expect(await free(mqttPort)).toBe(true);
    } finally {
      taken.close();
    }
  });

  it('takes the default of an option given as undefined', async () => {
    const stack = await startHelpdeskStack({ directory: DIRECTORY, clock: new VirtualClock(T0), log: silentLogger(), db: undefined, connect: false });
    try {
      expect(stack.store.list()).toEqual([]);
    } finally {
      await stack.stop();
    }
  });
});
