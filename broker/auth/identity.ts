/**
 * Who a connection is. Pure: usernames, roles and the client ids each identity may use.
 *
 *   role      username                 client id
 *   device    <customerId>/<deviceId>  exactly evernet-<customerId>-<deviceId>
 *   app       <customerId>/_app        exactly evernet-app-<customerId>
 *   helpdesk  <name>                   evernet-helpdesk or evernet-helpdesk-<anything>
 *   admin     <name>                   evernet-admin or evernet-admin-<anything>
 *
 * The username mirrors the identity's place in the topic tree (evernet/v1/<customerId>/<deviceId>/...).
 * Device ids are unique per customer only, so a device username needs both. A customer id may not be
 * (or start with) app-, helpdesk- or admin-: otherwise a device's client id could fall into another
 * role's client-id space (customer "app-x", device "y" would be evernet-app-x-y, the app of "x-y").
 */
import { deviceKey, isId } from '../../contracts/topics.js';

export const ROLES = ['device', 'app', 'helpdesk', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Identity =
  | { role: 'device'; username: string; customerId: string; deviceId: string }
  | { role: 'app'; username: string; customerId: string }
  | { role: 'helpdesk' | 'admin'; username: string };

export const RESERVED_CUSTOMER_PREFIXES = ['app', 'helpdesk', 'admin'] as const;
export const APP_SEGMENT = '_app';

export type IdentityResult = { ok: true; identity: Identity } | { ok: false; reason: string };

export function isCustomerIdAllowed(customerId: string): boolean {
  if (!isId(customerId)) return false;
  return !RESERVED_CUSTOMER_PREFIXES.some((p) => customerId === p || customerId.startsWith(`${p}-`));
}

export function deviceUsername(customerId: string, deviceId: string): string {
  return deviceKey(customerId, deviceId);
}

export function appUsername(customerId: string): string {
  return `${customerId}/${APP_SEGMENT}`;
}

/** The role a username implies: device and app usernames have a slash, staff names do not. */
export function impliedRole(username: string): Role | null {
  const parts = username.split('/');
  if (parts.length === 2) return parts[1] === APP_SEGMENT ? 'app' : 'device';
  return null;
}

/** Builds the identity a username stands for; `role` is required for staff names (helpdesk, admin). */
export function identityOf(username: string, role?: Role): IdentityResult {
  if (username.split('/').length > 2) return { ok: false, reason: `a username has at most one '/', got '${username}'` };
  const implied = impliedRole(username);
  const effective = role ?? implied;
  if (!effective) return { ok: false, reason: `'${username}' is a staff name: give its role (helpdesk or admin)` };
  if (effective === 'device' || effective === 'app') {
    if (implied !== effective) {
      const form = effective === 'device' ? '<customerId>/<deviceId>' : `<customerId>/${APP_SEGMENT}`;
      return { ok: false, reason: `a ${effective} username has the form ${form}, got '${username}'` };
    }
    const [customerId, second] = username.split('/') as [string, string];
    if (!isCustomerIdAllowed(customerId)) {
      return { ok: false, reason: `customer id '${customerId}' must be a lower-case slug and not be or start with app-, helpdesk- or admin-` };
    }
    if (effective === 'app') return { ok: true, identity: { role: 'app', username, customerId } };
    if (!isId(second)) return { ok: false, reason: `device id '${second}' must be a lower-case slug (a-z, 0-9, -)` };
    return { ok: true, identity: { role: 'device', username, customerId, deviceId: second } };
  }
  if (implied !== null || !isId(username)) {
    return { ok: false, reason: `a ${effective} name is a lower-case slug without '/', got '${username}'` };
  }
  return { ok: true, identity: { role: effective, username } };
}

/** The client id an identity must use, or the prefix its client ids start with (staff). */
export function clientIdRule(identity: Identity): { exact: string } | { prefix: string } {
  switch (identity.role) {
    case 'device':
      return { exact: `evernet-${identity.customerId}-${identity.deviceId}` };
    case 'app':
      return { exact: `evernet-app-${identity.customerId}` };
    case 'helpdesk':
      return { prefix: 'evernet-helpdesk' };
    case 'admin':
      return { prefix: 'evernet-admin' };
  }
}

export function clientIdAllowed(identity: Identity, clientId: string): boolean {
  const rule = clientIdRule(identity);
  if ('exact' in rule) return clientId === rule.exact;
  return clientId === rule.prefix || (clientId.startsWith(`${rule.prefix}-`) && clientId.length <= 128);
}

export function describeClientIdRule(identity: Identity): string {
  const rule = clientIdRule(identity);
  return 'exact' in rule ? rule.exact : `${rule.prefix} or ${rule.prefix}-<suffix>`;
}
