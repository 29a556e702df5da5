/**
 * Authentication against a real aedes broker with real mqtt.js clients: every refusal is a CONNACK
 * with a return code, logged with its EVN_ERR_AUTH_* code and counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeIdentity, rotateIdentity } from '../../broker/auth/credentials.js';
import { closed, CHEAP, secureBroker, T0, type SecureBroker } from './fixture.js';

describe('a broker with credentials', () => {
  let s: SecureBroker;
  beforeAll(async () => {
    s = await secureBroker([['anna/fridge'], ['anna/washer'], ['ben/fridge'], ['anna/_app'], ['helpdesk', 'helpdesk'], ['night-shift', 'helpdesk'], ['gone/car']]);
    const revoked = revokeIdentity(s.data, 'gone/car', { now: T0 });
    if (!revoked.ok) throw new Error(revoked.error.message);
    s.update(revoked.value.file);
  });
  afterAll(() => s.stop());

  const secret = (u: string) => s.secrets.get(u)!;

  it('accepts each identity with its own secret and client id', async () => {
    for (const [username, clientId] of [['anna/fridge', 'evernet-anna-fridge'], ['anna/_app', 'evernet-app-anna'], ['helpdesk', 'evernet-helpdesk-1']]) {
      expect(await s.attempt({ clientId, username, password: secret(username!) })).toBe(0);
    }
  });

  it.each([
    ['an anonymous client', { clientId: 'evernet-anna-fridge' }, 5, 'EVN_ERR_AUTH_ANONYMOUS'],
    ['a username without a secret', { clientId: 'evernet-anna-fridge', username: 'anna/fridge' }, 5, 'EVN_ERR_AUTH_ANONYMOUS'],
    ['a wrong secret', { clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: 'guess' }, 4, 'EVN_ERR_AUTH_BAD_SECRET'],
    ['an unknown username', { clientId: 'evernet-eve-fridge', username: 'eve/fridge', password: 'guess' }, 4, 'EVN_ERR_AUTH_UNKNOWN_USER'],
  ] as const)('refuses %s', async (_what, options, returnCode, code) => {
    const before = s.broker.stats().byCode[code] ?? 0;
    expect(await s.attempt({ ...options })).toBe(returnCode);
    expect(s.broker.stats().byCode[code]).toBe(before + 1);
  });

  it("refuses another device's secret, a revoked identity and a spoofed client id", async () => {
    expect(await s.attempt({ clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: secret('anna/washer') })).toBe(4);
    expect(await s.attempt({ clientId: 'evernet-gone-car', username: 'gone/car', password: secret('gone/car') })).toBe(5);
    // client-id spoofing: right secret, someone else's client id (or a staff one)
    for (const clientId of ['evernet-anna-washer', 'evernet-ben-fridge', 'evernet-helpdesk', 'evernet-app-anna', 'observer', '']) {
      expect(await s.attempt({ clientId, username: 'anna/fridge', password: secret('anna/fridge') })).toBe(2);
    }
    expect(await s.attempt({ clientId: 'evernet-app-ben', username: 'anna/_app', password: secret('anna/_app') })).toBe(2);
    expect(await s.attempt({ clientId: 'evernet-anna-fridge', username: 'helpdesk', password: secret('helpdesk') })).toBe(2);
    expect(s.broker.stats().byCode).toMatchObject({ EVN_ERR_AUTH_REVOKED: 1, EVN_ERR_AUTH_CLIENT_ID: 8 });
  });

  it("refuses a last will on a topic the identity may not publish (a fake 'offline' for another device)", async () => {
    const will = { topic: 'evernet/v1/anna/washer/availability', payload: Buffer.from('{}'), qos: 1 as const, retain: true };
    expect(await s.attempt({ clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: secret('anna/fridge'), will })).toBe(5);
    expect(s.broker.stats().byCode.EVN_ERR_AUTH_WILL).toBe(1);
  });

  it('does not let one identity take over a client id another identity is connected with', async () => {
    // two helpdesk identities may both use evernet-helpdesk-*; the second may not kick the first out
    const day = await s.connect('helpdesk', { clientId: 'evernet-helpdesk-x' });
    expect(await s.attempt({ clientId: 'evernet-helpdesk-x', username: 'night-shift', password: secret('night-shift') })).toBe(2);
    expect(s.broker.stats().byCode.EVN_ERR_AUTH_CLIENT_ID_IN_USE).toBe(1);
    expect(day.connected).toBe(true);
    // the same identity may take its own session over (a device reconnecting after a network drop)
    expect(await s.attempt({ clientId: 'evernet-helpdesk-x', username: 'helpdesk', password: secret('helpdesk') })).toBe(0);
    day.end(true);
  });

  it('drops a connected client when its identity is rotated or revoked and the credentials are reloaded', async () => {
    const fridge = await s.connect('anna/fridge');
    const washer = await s.connect('anna/washer');
    const helpdesk = await s.connect('helpdesk');
    const rotated = await rotateIdentity(s.data, 'anna/fridge', { now: T0, cost: CHEAP });
    if (!rotated.ok) throw new Error(rotated.error.message);
    const revoked = revokeIdentity(rotated.value.file, 'anna/washer', { now: T0 });
    if (!revoked.ok) throw new Error(revoked.error.message);
    s.update(revoked.value.file);
    expect(s.broker.revalidate()).toBe(2);
    expect(await closed(fridge)).toBe(true);
    expect(await closed(washer)).toBe(true);
    expect(helpdesk.connected).toBe(true);
    expect(await s.attempt({ clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: secret('anna/fridge') })).toBe(4);
    expect(await s.attempt({ clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: rotated.value.secret })).toBe(0);
    await helpdesk.endAsync();
    fridge.end(true);
    washer.end(true);
  });
});
