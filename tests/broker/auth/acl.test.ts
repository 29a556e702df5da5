/** The ACL as a table: identity x topic/filter -> allowed or denied (pure, no broker). */
import { describe, expect, it } from 'vitest';
import { canPublish, canSubscribe, covers } from '../../../broker/auth/acl.js';
import type { Identity } from '../../../broker/auth/identity.js';

const fridge: Identity = { role: 'device', username: 'anna/fridge', customerId: 'anna', deviceId: 'fridge' };
const app: Identity = { role: 'app', username: 'anna/_app', customerId: 'anna' };
const helpdesk: Identity = { role: 'helpdesk', username: 'helpdesk' };
const admin: Identity = { role: 'admin', username: 'root' };

const R = 'evernet/v1';
type Row = [Identity, string, boolean];

const publishTable: Row[] = [
  [fridge, `${R}/anna/fridge/telemetry`, true],
  [fridge, `${R}/anna/fridge/event`, true],
  [fridge, `${R}/anna/fridge/availability`, true],
  [fridge, `${R}/anna/fridge/command`, false],
  [fridge, `${R}/anna/washer/telemetry`, false],
  [fridge, `${R}/ben/fridge/telemetry`, false],
  [fridge, `${R}/anna/_app/request`, false],
  [fridge, `${R}/anna/_helpdesk/answer`, false],
  [fridge, `${R}/anna/fridge/telemetry/extra`, false],
  [fridge, `${R}/anna/fridge/+`, false],
  [fridge, '$SYS/broker/x', false],
  [fridge, 'homeassistant/sensor/x/config', false],
  [app, `${R}/anna/_app/request`, true],
  [app, `${R}/ben/_app/request`, false],
  [app, `${R}/anna/_helpdesk/answer`, false],
  [app, `${R}/anna/fridge/command`, false],
  [app, `${R}/anna/fridge/telemetry`, false],
  [helpdesk, `${R}/anna/fridge/command`, true],
  [helpdesk, `${R}/ben/car/command`, true],
  [helpdesk, `${R}/anna/_helpdesk/answer`, true],
  [helpdesk, `${R}/anna/_helpdesk/contact`, true],
  [helpdesk, `${R}/anna/_helpdesk/ticket`, true],
  [helpdesk, `${R}/anna/fridge/telemetry`, false],
  [helpdesk, `${R}/anna/fridge/availability`, false],
  [helpdesk, `${R}/anna/_app/request`, false],
  [helpdesk, `${R}/anna/_helpdesk/other`, false],
  [helpdesk, `${R}/Anna/fridge/command`, false],
  [helpdesk, '$SYS/x', false],
  [admin, `${R}/anna/fridge/command`, true],
  [admin, 'homeassistant/sensor/x/config', true],
  [admin, '$SYS/x', false],
];

const subscribeTable: Row[] = [
  [fridge, `${R}/anna/fridge/command`, true],
  [fridge, `${R}/anna/fridge/telemetry`, false],
  [fridge, `${R}/anna/washer/command`, false],
  [fridge, `${R}/ben/fridge/command`, false],
  [fridge, `${R}/anna/fridge/+`, false],
  [fridge, `${R}/anna/+/command`, false],
  [fridge, `${R}/#`, false],
  [fridge, '#', false],
  [fridge, `${R}/anna/_helpdesk/answer`, false],
  [fridge, '$SYS/#', false],
  [app, `${R}/anna/_helpdesk/answer`, true],
  [app, `${R}/anna/_helpdesk/contact`, true],
  [app, `${R}/anna/_helpdesk/ticket`, true],
  [app, `${R}/anna/_helpdesk/+`, false],
  [app, `${R}/ben/_helpdesk/answer`, false],
  [app, `${R}/anna/_app/request`, false],
  [app, `${R}/anna/fridge/telemetry`, false],
  [helpdesk, `${R}/+/+/telemetry`, true],
  [helpdesk, `${R}/+/+/event`, true],
  [helpdesk, `${R}/+/+/availability`, true],
  [helpdesk, `${R}/+/_app/request`, true],
  [helpdesk, `${R}/anna/+/telemetry`, true],
  [helpdesk, `${R}/anna/fridge/telemetry`, true],
  [helpdesk, `${R}/+/+/command`, false],
  [helpdesk, `${R}/+/+/+`, false],
  [helpdesk, `${R}/#`, false],
  [helpdesk, '#', false],
  [helpdesk, `${R}/+/_helpdesk/answer`, false],
  [helpdesk, `${R}/anna/#`, false],
  [helpdesk, '$SYS/#', false],
  [helpdesk, `${R}/+/+/tele#`, false],
  [admin, '#', true],
  [admin, '$SYS/#', true],
];

describe('acl', () => {
  it.each(publishTable.map(([i, t, a]) => [i.username, t, a, i] as const))('%s publishing to %s: allowed=%s', (_name, topic, allowed, identity) => {
    const d = canPublish(identity, topic);
    expect(d.allowed).toBe(allowed);
    if (!d.allowed) expect(d.code).toBe('EVN_ERR_ACL_PUBLISH');
  });

  it.each(subscribeTable.map(([i, t, a]) => [i.username, t, a, i] as const))('%s subscribing to %s: allowed=%s', (_name, filter, allowed, identity) => {
    const d = canSubscribe(identity, filter);
    expect(d.allowed).toBe(allowed);
    if (!d.allowed) expect(d.code).toBe('EVN_ERR_ACL_SUBSCRIBE');
  });

  it('says why a wildcard subscription of a device is denied', () => {
    expect(canSubscribe(fridge, `${R}/anna/+/command`)).toMatchObject({ allowed: false, reason: expect.stringContaining('wildcards are for the helpdesk only') });
  });

  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/+/c', true],
    ['a/b/c', 'a/+/c', false],
    ['a/+/c', 'a/#', false],
    ['a/#', 'a/b/#', true],
    ['a/+', 'a/b/c', false],
    ['#', '$SYS/x', true],
  ])('pattern %s covers filter %s: %s', (pattern, filter, expected) => {
    expect(covers(pattern, filter)).toBe(expected);
  });
});
