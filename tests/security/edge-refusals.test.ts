/**
 * Finding 8 of the hardening issue (edge): telemetry is never retained, a keep-alive refusal speaks
 * MQTT 3.1.1 (no CONNACK code 6, which the standard does not define), and a packet cut for its size is
 * logged with the client id and username when they are known. Real broker, real clients, raw bytes
 * where the client library would hide what goes over the wire.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/topics.js';
import { closed, pause, secureBroker, validPayload, type SecureBroker } from '../broker/fixture.js';
import { memoryLog, waitFor } from './hardening-fixture.js';
import { connect as connectPacket } from './mqtt-bytes.js';

const TELEMETRY = deviceTopic('anna', 'fridge', 'telemetry');
const AVAILABILITY = deviceTopic('anna', 'fridge', 'availability');

/** writes a CONNECT and returns every byte the broker sent until it closed the connection */
function rawConnect(port: number, bytes: Buffer): Promise<{ received: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, closed: false });
    }, 3000);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received[3] === 0) socket.destroy(); // accepted: nothing more to see
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, closed: true });
    });
  });
}

describe('refusals at the edge of a secured broker', () => {
  let s: SecureBroker;
  let mem: ReturnType<typeof memoryLog>;
  beforeEach(async () => {
    mem = memoryLog();
    s = await secureBroker([['anna/fridge'], ['helpdesk', 'helpdesk']], { log: mem.log });
  });
  afterEach(() => s.stop());

  it('forwards telemetry published with the retain flag but never keeps it, and counts it as EVN_ERR_RETAIN; availability stays retained', async () => {
    const live = await s.connect('helpdesk', { clientId: 'evernet-helpdesk-live' });
    const liveSeen: string[] = [];
    live.on('message', (t) => liveSeen.push(t));
    await live.subscribeAsync([TELEMETRY, AVAILABILITY], { qos: 1 });
    const fridge = await s.connect('anna/fridge');
    await fridge.publishAsync(TELEMETRY, validPayload(TELEMETRY, 1), { qos: 1, retain: true });
    await fridge.publishAsync(AVAILABILITY, validPayload(AVAILABILITY, 1), { qos: 1, retain: true });
    expect(await waitFor(() => liveSeen.length === 2)).toBe(true);
    await fridge.endAsync();

    const late = await s.connect('helpdesk', { clientId: 'evernet-helpdesk-late' });
    const retained: string[] = [];
    late.on('message', (t, _p, packet) => packet.retain && retained.push(t));
    await late.subscribeAsync([TELEMETRY, AVAILABILITY], { qos: 1 });
    await pause(200);
    expect(retained).toEqual([AVAILABILITY]);
    expect(s.broker.stats().byCode.EVN_ERR_RETAIN).toBe(1);
    expect(mem.lines.find((l) => l.code === 'EVN_ERR_RETAIN')).toMatchObject({ clientId: 'evernet-anna-fridge', username: 'anna/fridge', topic: TELEMETRY });
    await live.endAsync();
    await late.endAsync();
  });

  it('refuses a keep-alive of 0 or above the limit with CONNACK 2, a code MQTT 3.1.1 defines (not 6), and closes the connection', async () => {
    const password = s.secrets.get('anna/fridge')!;
    for (const keepalive of [0, 3600]) {
      const r = await rawConnect(s.broker.port, connectPacket({ clientId: 'evernet-anna-fridge', username: 'anna/fridge', password, keepalive }));
      expect(r.closed).toBe(true);
      expect(r.received).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x02]));
    }
    expect(await waitFor(() => s.broker.stats().byCode.EVN_ERR_KEEPALIVE === 2)).toBe(true);
    const ok = await rawConnect(s.broker.port, connectPacket({ clientId: 'evernet-anna-fridge', username: 'anna/fridge', password, keepalive: 60 }));
    expect(ok.received.subarray(0, 4)).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x00]));
  });

  it('logs a packet cut for its size with the client id and username of the connection', async () => {
    const fridge = await s.connect('anna/fridge');
    fridge.publish(TELEMETRY, Buffer.alloc(200 * 1024, 0x41), { qos: 0 });
    expect(await closed(fridge, 5000)).toBe(true);
    expect(await waitFor(() => mem.lines.some((l) => l.code === 'EVN_ERR_PACKET_TOO_LARGE'))).toBe(true);
    expect(mem.lines.find((l) => l.code === 'EVN_ERR_PACKET_TOO_LARGE')).toMatchObject({ clientId: 'evernet-anna-fridge', username: 'anna/fridge', remote: '127.0.0.1' });
  });
});
