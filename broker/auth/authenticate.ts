/**
 * CONNECT credentials -> identity, or a refusal with a code and the MQTT 3.1.1 CONNACK return code.
 * Unknown usernames are verified against a decoy hash, so they cost as much time as a wrong secret.
 */
import { canPublish } from './acl.js';
import type { CredentialStore } from './credentials.js';
import { clientIdAllowed, describeClientIdRule, type Identity } from './identity.js';
import { DECOY_HASH, verifySecret, type SecretHash } from './secret.js';
import { codeTable } from '../../contracts/errors.js';

export const AUTH_ERR = codeTable({
  ANONYMOUS: 'EVN_ERR_AUTH_ANONYMOUS',
  UNKNOWN_USER: 'EVN_ERR_AUTH_UNKNOWN_USER',
  BAD_SECRET: 'EVN_ERR_AUTH_BAD_SECRET',
  REVOKED: 'EVN_ERR_AUTH_REVOKED',
  CLIENT_ID: 'EVN_ERR_AUTH_CLIENT_ID',
  CLIENT_ID_IN_USE: 'EVN_ERR_AUTH_CLIENT_ID_IN_USE',
  WILL: 'EVN_ERR_AUTH_WILL',
});
export type AuthCode = (typeof AUTH_ERR)[keyof typeof AUTH_ERR];

/** CONNACK return codes of MQTT 3.1.1 */
export const RETURN_CODE = { IDENTIFIER_REJECTED: 2, BAD_USERNAME_OR_PASSWORD: 4, NOT_AUTHORIZED: 5 } as const;
export type ReturnCode = (typeof RETURN_CODE)[keyof typeof RETURN_CODE];

export type AuthOutcome =
  | { ok: true; identity: Identity; secret: SecretHash }
  | { ok: false; code: AuthCode; returnCode: ReturnCode; reason: string };

export interface ConnectAttempt {
  clientId: string;
  username?: string | undefined;
  password?: Buffer | undefined;
  /** the last will's topic, if the client set one: it must be a topic the identity may publish */
  willTopic?: string | undefined;
}

const refuse = (code: AuthCode, returnCode: ReturnCode, reason: string): AuthOutcome => ({ ok: false, code, returnCode, reason });

export async function authenticate(store: CredentialStore, attempt: ConnectAttempt): Promise<AuthOutcome> {
  const { clientId, username, password } = attempt;
  if (!username || !password || password.length === 0) {
    return refuse(AUTH_ERR.ANONYMOUS, RETURN_CODE.NOT_AUTHORIZED, 'anonymous connections are refused: give a username and secret');
  }
  const stored = store.get(username);
  const matches = await verifySecret(password.toString('utf8'), stored?.secret ?? DECOY_HASH);
  if (!stored) return refuse(AUTH_ERR.UNKNOWN_USER, RETURN_CODE.BAD_USERNAME_OR_PASSWORD, `unknown username '${username}'`);
  if (!matches) return refuse(AUTH_ERR.BAD_SECRET, RETURN_CODE.BAD_USERNAME_OR_PASSWORD, `wrong secret for '${username}'`);
  if (stored.revoked) return refuse(AUTH_ERR.REVOKED, RETURN_CODE.NOT_AUTHORIZED, `'${username}' is revoked`);
  const { identity } = stored;
  if (!clientIdAllowed(identity, clientId)) {
    return refuse(AUTH_ERR.CLIENT_ID, RETURN_CODE.IDENTIFIER_REJECTED, `client id '${clientId}' does not belong to '${username}' (expected ${describeClientIdRule(identity)})`);
  }
  if (attempt.willTopic !== undefined) {
    const acl = canPublish(identity, attempt.willTopic);
    if (!acl.allowed) return refuse(AUTH_ERR.WILL, RETURN_CODE.NOT_AUTHORIZED, `last will: ${acl.reason}`);
  }
  return { ok: true, identity, secret: stored.secret };
}
