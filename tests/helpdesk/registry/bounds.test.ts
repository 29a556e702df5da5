/**
 * The registry's edges: a flood of made-up devices on an open broker fills at most `maxPending`
 * records (the rest counted and logged as EVN_ERR_REGISTRY_FULL, at a bounded rate); events and app
 * requests of unknown senders are refused and logged once; and a registry whose database breaks when
 * it records a new device stops the helpdesk (disconnected, its owner told) instead of crashing it or
 * acknowledging more messages.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { decode, deviceTopic, encode, serviceTopic, stamp, VirtualClock, type Decoded } from '../../../contracts/index.js';
import { createMemoryRegistryStore, createRegistry, type RegistryStore } from '../../../helpdesk/registry/index.js';
import { silentLogger } from '../../../log/logger.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../../stack/helpdesk-stack.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { until } from '../../helpers/until.js';
import { FRIDGE_READINGS, T0 } from './fixture.js';

function message(topic: string, body: object, seq = 1, ts = T0): Decoded {
  const r = decode(topic, encode(topic, stamp(body, ts, seq), { check: false }));
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}
const telemetry = (deviceId: string, customerId = 'maria') => message(deviceTopic(customerId, deviceId, 'telemetry'), { kind: 'fridge', readings: FRIDGE_READINGS });

describe('the registry under unknown senders', () => {
  it('records at most maxPending waiting devices; beyond, each is counted as EVN_ERR_REGISTRY_FULL and the log stays bounded', () => {
    const { log, lines } = memoryLog('info');
    const r = createRegistry({ store: createMemoryRegistryStore(), log, maxPending: 3 });
    const codes = Array.from({ length: 40 }, (_, i) => r.admit(telemetry(`ghost-${i}`))?.code);
    expect(codes.slice(0, 3)).toEqual(['EVN_ERR_UNKNOWN_DEVICE', 'EVN_ERR_UNKNOWN_DEVICE', 'EVN_ERR_UNKNOWN_DEVICE']);
    expect(new Set(codes.slice(3))).toEqual(new Set(['EVN_ERR_REGISTRY_FULL']));
    expect(r.devices()).toHaveLength(3);
    // a waiting one repeating itself is still what it was
    expect(r.admit(telemetry('ghost-0'))?.code).toBe('EVN_ERR_UNKNOWN_DEVICE');
    const full = lines.filter((l) => l.code === 'EVN_ERR_REGISTRY_FULL');
    expect(full.length).toBeGreaterThan(0);
    expect(full.length).toBeLessThan(12);
    // accepting one makes room for the next newcomer
    r.accept('maria', 'ghost-0', 'anna', T0);
    expect(r.admit(telemetry('late'))?.code).toBe('EVN_ERR_UNKNOWN_DEVICE');
    expect(r.device('maria', 'late')).toMatchObject({ state: 'pending', origin: 'unannounced' });
  });

  it('refuses an event of an unknown device and a request of an unknown customer, each logged once, nothing recorded', () => {
    const { log, lines } = memoryLog('info');
    const r = createRegistry({ store: createMemoryRegistryStore(), log });
    const event = message(deviceTopic('maria', 'fridge', 'event'), { type: 'inventory', items: [] });
    const request = message(serviceTopic('maria', 'request'), { type: 'recipe', requestId: 'r-1', recipe: { name: 'soup', ingredients: [{ name: 'leek', quantity: 1, unit: 'pc' }] }, location: { lat: 50, lon: 7 } });
    for (let i = 0; i < 5; i++) {
      expect(r.admit(event)).toMatchObject({ code: 'EVN_ERR_UNKNOWN_DEVICE', logged: true });
      expect(r.admit(request)).toMatchObject({ code: 'EVN_ERR_UNKNOWN_DEVICE', logged: true });
    }
    expect(lines.filter((l) => l.code === 'EVN_ERR_UNKNOWN_DEVICE')).toHaveLength(2);
    expect(r.devices()).toEqual([]);
    expect(r.customers()).toEqual([]);
  });
});

describe('a registry whose database breaks when it records a new device', () => {
  let stack: HelpdeskStack | null = null;
  afterEach(async () => {
    await stack?.stop();
    stack = null;
  });

  it('stops the helpdesk: disconnected from the broker, its owner told, the message counted, no crash', async () => {
    const inner = createMemoryRegistryStore();
    const broken: RegistryStore = {
      ...inner,
      write: () => {
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      },
    };
    const fatal: Error[] = [];
    stack = await startHelpdeskStack({ clock: new VirtualClock(T0), log: silentLogger(), registryStore: broken, helpdesk: { clientId: 'evernet-helpdesk-registry-fatal', onFatal: (e) => fatal.push(e) } });
    const device = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'evernet-maria-ghost', reconnectPeriod: 0 });
    const topic = deviceTopic('maria', 'ghost', 'telemetry');
    await device.publishAsync(topic, encode(topic, stamp({ kind: 'fridge', readings: FRIDGE_READINGS }, T0, 1)), { qos: 1 });
    await until(() => fatal.length === 1, 3000, 'the owner told');
    expect((fatal[0] as Error & { code: string }).code).toBe('SQLITE_FULL');
    expect(stack.helpdesk.stats().byCode).toEqual({ EVN_ERR_INTERNAL: 1 });
    await until(() => stack!.broker!.stats().clients === 1, 3000, 'the helpdesk gone from the broker');
    await device.endAsync();
  });
});
