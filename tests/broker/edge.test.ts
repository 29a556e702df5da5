/**
 * The edge: contract validation, rate limit, payload and packet size, topic limits and keep-alive, on a
 * real broker. A client that breaks a limit is cut off with a coded reason; the broker stays healthy.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HELPDESK_FILTERS, deviceTopic } from '../../contracts/topics.js';
import { record, type Seen } from '../helpers/recorder.js';
import { closed, pause, secureBroker, validPayload, type SecureBroker } from './fixture.js';

const TELEMETRY = deviceTopic('anna', 'fridge', 'telemetry');

describe('the edge of a secured broker', () => {
  let s: SecureBroker;
  let helpdesk: MqttClient;
  let now = 0;
  let seen: Seen[] = [];

  beforeEach(async () => {
    now = 0;
    // a frozen clock makes the token bucket exact: no refill unless the test moves time
    s = await secureBroker([['anna/fridge'], ['anna/washer'], ['helpdesk', 'helpdesk'], ['root', 'admin']], {
      limits: { publishPerSecond: 20, publishBurst: 50 },
      clock: { now: () => now },
    });
    helpdesk = await s.connect('helpdesk');
    seen = await record(helpdesk, [...HELPDESK_FILTERS]);
  });
  afterEach(async () => {
    await helpdesk.endAsync();
    await s.stop();
  });

  /** the broker still serves: a fresh device publishes and the helpdesk receives it */
  async function healthy(): Promise<void> {
    const washer = await s.connect('anna/washer');
    const topic = deviceTopic('anna', 'washer', 'telemetry');
    await washer.publishAsync(topic, validPayload(topic), { qos: 1 });
    await washer.endAsync();
    for (let i = 0; i < 100 && !seen.some((m) => m.topic === topic); i++) await pause(10);
    expect(seen.filter((m) => m.topic === topic)).toHaveLength(1);
  }

  it('acknowledges but does not forward a schema-invalid or non-JSON publish, and counts it by code', async () => {
    const fridge = await s.connect('anna/fridge');
    const bad = JSON.parse(validPayload(TELEMETRY));
    bad.readings.cabinetTempC = 'cold';
    await fridge.publishAsync(TELEMETRY, JSON.stringify(bad), { qos: 1 });
    await fridge.publishAsync(TELEMETRY, 'not json', { qos: 1 });
    await fridge.publishAsync(TELEMETRY, validPayload(TELEMETRY, 2), { qos: 1 });
    await pause(100);
    expect(seen.map((m) => JSON.parse(m.payload).seq)).toEqual([2]);
    expect(fridge.connected).toBe(true); // a data bug is not an attack: no reconnect loop
    expect(s.broker.stats()).toMatchObject({ byCode: { EVN_ERR_SCHEMA: 1, EVN_ERR_JSON: 1 }, rejected: 2 });
    await fridge.endAsync();
  });

  it('cuts off a device that publishes faster than its token bucket allows, and forwards only the burst', async () => {
    const fridge = await s.connect('anna/fridge');
    for (let i = 1; i <= 300; i++) fridge.publish(TELEMETRY, validPayload(TELEMETRY, i), { qos: 0 });
    expect(await closed(fridge)).toBe(true);
    await pause(100);
    expect(seen.map((m) => JSON.parse(m.payload).seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(s.broker.stats().byCode.EVN_ERR_RATE_LIMIT).toBe(1);
    // reconnecting does not refill the bucket (it is per identity); time does
    const again = await s.connect('anna/fridge');
    again.publish(TELEMETRY, validPayload(TELEMETRY, 301), { qos: 0 });
    expect(await closed(again)).toBe(true);
    now += 1000;
    const later = await s.connect('anna/fridge');
    await later.publishAsync(TELEMETRY, validPayload(TELEMETRY, 302), { qos: 1 });
    expect(later.connected).toBe(true);
    await later.endAsync();
    await healthy();
  });

  it('cuts off a client sending a payload over 64 KiB, whether the packet guard or the publish check catches it', async () => {
    for (const [bytes, code] of [
      [100 * 1024, 'EVN_ERR_PACKET_TOO_LARGE'],
      [64 * 1024 + 10, 'EVN_ERR_TOO_LARGE'],
    ] as const) {
      const fridge = await s.connect('anna/fridge');
      const payload = JSON.stringify({ ...JSON.parse(validPayload(TELEMETRY)), pad: 'x'.repeat(bytes) });
      fridge.publish(TELEMETRY, payload, { qos: 1 });
      expect(await closed(fridge), code).toBe(true);
      expect(s.broker.stats().byCode[code]).toBe(1);
    }
    await pause(50);
    expect(seen).toEqual([]);
    await healthy();
  });

  it('cuts off a client whose topic is too deep or too long', async () => {
    for (const [topic, code] of [
      ['a/b/c/d/e/f/g/h/i', 'EVN_ERR_TOPIC_TOO_DEEP'],
      [`a/${'x'.repeat(300)}`, 'EVN_ERR_TOPIC_TOO_LONG'],
    ] as const) {
      const admin = await s.connect('root'); // admins may publish anywhere, but not past the limits
      admin.publish(topic, 'x', { qos: 1 });
      expect(await closed(admin), code).toBe(true);
      expect(s.broker.stats().byCode[code]).toBe(1);
    }
    await healthy();
  });

  it('refuses a client without keep-alive or with one above the limit', async () => {
    const base = { clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: s.secrets.get('anna/fridge') };
    expect(await s.attempt({ ...base, keepalive: 0 })).not.toBe(0);
    expect(await s.attempt({ ...base, keepalive: 3600 })).not.toBe(0);
    // aedes sends the refusal first and reports the error after it
    for (let i = 0; i < 100 && s.broker.stats().byCode.EVN_ERR_KEEPALIVE !== 2; i++) await pause(10);
    expect(s.broker.stats().byCode.EVN_ERR_KEEPALIVE).toBe(2);
    expect(await s.attempt({ ...base, keepalive: 60 })).toBe(0);
  });
});
