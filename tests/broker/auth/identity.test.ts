/** Usernames, roles and client ids (pure). */
import { describe, expect, it } from 'vitest';
import { clientIdAllowed, identityOf } from '../../../broker/auth/identity.js';

describe('identities', () => {
  it.each([
    ['anna/fridge', undefined, { role: 'device', customerId: 'anna', deviceId: 'fridge' }],
    ['anna/_app', undefined, { role: 'app', customerId: 'anna' }],
    ['helpdesk', 'helpdesk', { role: 'helpdesk' }],
    ['ops-anna', 'admin', { role: 'admin' }],
  ] as const)('reads %s (role %s) as %o', (username, role, expected) => {
    const r = identityOf(username, role);
    expect(r).toMatchObject({ ok: true, identity: { username, ...expected } });
  });

  it.each([
    ['helpdesk', undefined, 'staff name'],
    ['anna/fridge', 'helpdesk', 'lower-case slug without'],
    ['anna/fridge', 'app', 'form <customerId>/_app'],
    ['anna/_app', 'device', 'form <customerId>/<deviceId>'],
    ['Anna/fridge', undefined, 'customer id'],
    ['app-x/fridge', undefined, 'customer id'],
    ['helpdesk/fridge', undefined, 'customer id'],
    ['anna/Fridge', undefined, 'device id'],
    ['anna/fridge/x', undefined, "at most one '/'"],
  ] as const)('refuses %s (role %s)', (username, role, why) => {
    const r = identityOf(username, role);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(why);
  });

  it.each([
    ['anna/fridge', undefined, 'evernet-anna-fridge', true],
    ['anna/fridge', undefined, 'evernet-anna-washer', false],
    ['anna/fridge', undefined, 'evernet-anna-fridge-2', false],
    ['anna/_app', undefined, 'evernet-app-anna', true],
    ['anna/_app', undefined, 'evernet-app-ben', false],
    ['helpdesk', 'helpdesk', 'evernet-helpdesk', true],
    ['helpdesk', 'helpdesk', 'evernet-helpdesk-2', true],
    ['helpdesk', 'helpdesk', 'evernet-helpdeskx', false],
    ['helpdesk', 'helpdesk', 'evernet-anna-fridge', false],
    ['root', 'admin', 'evernet-admin-cli', true],
    ['root', 'admin', 'evernet-helpdesk', false],
  ] as const)('%s (role %s) may use client id %s: %s', (username, role, clientId, allowed) => {
    const r = identityOf(username, role);
    if (!r.ok) throw new Error(r.reason);
    expect(clientIdAllowed(r.identity, clientId)).toBe(allowed);
  });
});
