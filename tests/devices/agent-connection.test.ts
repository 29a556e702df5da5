/**
 * A device's mqtt.js client options (devices/agent-connection.ts), which the fleet bench's bare hosts share:
 * one in-flight store a connection, a clean session, and mqtt.js' debug log off unless DEBUG asks for it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deviceClientOptions } from '../../devices/agent-connection.js';
import { InflightStore } from '../../devices/outbox/inflight-store.js';

afterEach(() => vi.unstubAllEnvs());

describe('a device’s client options', () => {
  it('give each connection its own in-flight store and a clean session under its own client id', () => {
    const a = deviceClientOptions('evernet-c1-d1');
    const b = deviceClientOptions('evernet-c1-d2');
    expect(a.outgoingStore).toBeInstanceOf(InflightStore);
    // one store for two connections would mix their packets: each gets its own
    expect(a.outgoingStore).not.toBe(b.outgoingStore);
    expect(a).toMatchObject({ clientId: 'evernet-c1-d1', clean: true });
    expect(b.clientId).toBe('evernet-c1-d2');
  });

  it('turn mqtt.js’ debug log off, unless DEBUG names mqttjs', () => {
    vi.stubEnv('DEBUG', undefined);
    const quiet = deviceClientOptions('x');
    expect(typeof quiet.log).toBe('function');
    expect(quiet.log!('publish :: %s', 'topic')).toBeUndefined();
    vi.stubEnv('DEBUG', 'mqttjs*');
    expect('log' in deviceClientOptions('x')).toBe(false);
  });
});
