/**
 * The authenticate hook of a secured broker: CONNECT credentials -> identity, with the throttle in
 * front of scrypt and the checks that need the broker's state after it.
 *
 *   1. no username or secret: refused at once (nothing to verify)
 *   2. throttle: an address or identity locked after failed logins is refused before any scrypt work
 *      (EVN_ERR_AUTH_THROTTLED, CONNACK 3 "server unavailable": try again later)
 *   3. verification queue: a bounded number of scrypt runs at once, per source and in all, clean
 *      sources first; checked against the throttle again when its turn comes
 *   4. credentials (authenticate.ts); a wrong secret or unknown username counts as a failure
 *   5. client id in use by another identity's live connection, or its persistent session owned by
 *      another identity (EVN_ERR_AUTH_CLIENT_ID_IN_USE, EVN_ERR_AUTH_SESSION_OWNER, CONNACK 2)
 */
import type { AuthenticateError, Client } from 'aedes';
import { AUTH_ERR, RETURN_CODE, authenticate } from './auth/authenticate.js';
import type { CredentialStore } from './auth/credentials.js';
import type { Identity } from './auth/identity.js';
import type { LoginThrottle } from './auth/login-throttle.js';
import type { SecretHash } from './auth/secret.js';
import type { VerifyQueue } from './auth/verify-queue.js';
import { bounded } from './log-guard.js';
import type { SessionOwners } from './persistence/owners.js';
import { codeTable } from '../contracts/errors.js';

export const THROTTLE_ERR = codeTable({
  THROTTLED: 'EVN_ERR_AUTH_THROTTLED',
  SESSION_OWNER: 'EVN_ERR_AUTH_SESSION_OWNER',
});
/** CONNACK 3, "server unavailable": the one MQTT 3.1.1 code that means "not now" */
export const THROTTLED_RETURN_CODE = 3;

export interface Session {
  client: Client;
  identity: Identity;
  secret: SecretHash;
}

export interface ConnectHookContext {
  credentials: CredentialStore;
  throttle: LoginThrottle;
  queue: VerifyQueue;
  owners?: SessionOwners | undefined;
  sessions: Map<string, Session>;
  wills: WeakMap<Client, string>;
  remoteOf(client: Client): string | undefined;
  /** records a refusal (count + log line) and returns the error */
  refuse(client: Client, code: string, reason: string, extra?: Record<string, unknown>): Error & { code: string };
  accepted(client: Client, identity: Identity): void;
  /** hold a throttled refusal back this long (ms, wall time; default 2 s, at most the lockout left) */
  throttledDelayMs?: number | undefined;
}

type Done = (err: AuthenticateError | null, ok: boolean | null) => void;

/** how long a throttled refusal is held back (ms, wall time): a client that reconnects at once is slowed */
export const DEFAULT_THROTTLED_DELAY_MS = 2000;

export function createConnectHook(ctx: ConnectHookContext) {
  const { credentials, throttle, queue } = ctx;
  const throttledDelayMs = ctx.throttledDelayMs ?? DEFAULT_THROTTLED_DELAY_MS;

  return (client: Client, username: string | undefined, password: Buffer | undefined, done: Done): void => {
    const remote = ctx.remoteOf(client) ?? 'unknown';
    const refuse = (code: string, reason: string, returnCode: number, extra: Record<string, unknown> = {}, delayMs = 0) => {
      const err = Object.assign(ctx.refuse(client, code, reason, { username, returnCode, ...extra }), { returnCode }) as unknown as AuthenticateError;
      if (delayMs <= 0) return done(err, null);
      // a tarpit for a throttled client: the refusal costs a timer, and a storm that reconnects as soon
      // as it is refused cannot keep the broker busy with CONNECTs
      setTimeout(() => done(err, null), delayMs).unref();
    };
    const throttled = (reason: string, retryAfterMs: number) =>
      refuse(THROTTLE_ERR.THROTTLED, reason, THROTTLED_RETURN_CODE, {}, Math.min(throttledDelayMs, retryAfterMs));
    const verify = () =>
      authenticate(credentials, { clientId: client.id, username, password, willTopic: ctx.wills.get(client) }).then((r) => {
        if (!r.ok) {
          if (username && (r.code === AUTH_ERR.BAD_SECRET || r.code === AUTH_ERR.UNKNOWN_USER)) throttle.failed(remote, username);
          return refuse(r.code, r.reason, r.returnCode);
        }
        throttle.succeeded(remote, r.identity.username);
        const who = r.identity.username;
        const holder = ctx.sessions.get(client.id);
        if (holder && !holder.client.closed && holder.identity.username !== who) {
          return refuse(AUTH_ERR.CLIENT_ID_IN_USE, `client id '${bounded(client.id)}' is in use by '${holder.identity.username}'`, RETURN_CODE.IDENTIFIER_REJECTED, { username: who });
        }
        const owner = ctx.owners?.ownerOf(client.id);
        if (owner !== undefined && owner !== who) {
          const reason = `client id '${bounded(client.id)}' holds a persistent session of '${owner}'`;
          return refuse(THROTTLE_ERR.SESSION_OWNER, reason, RETURN_CODE.IDENTIFIER_REJECTED, { username: who });
        }
        if (client.clean === false) ctx.owners?.own(client.id, who);
        else if (owner !== undefined) ctx.owners?.release(client.id); // its owner starts clean: the session ends
        ctx.sessions.set(client.id, { client, identity: r.identity, secret: r.secret });
        ctx.accepted(client, r.identity);
        done(null, true);
      });
    const failed = (err: Error) => done(Object.assign(err, { returnCode: 3 }) as unknown as AuthenticateError, null);

    if (!username || !password || password.length === 0) return void verify().catch(failed); // refused without scrypt
    const locked = (): [string, number] | null => {
      const d = throttle.check(remote, username);
      return d.ok ? null : [`too many failed logins from this ${d.by}: try again in ${Math.ceil(d.retryAfterMs / 1000)} s`, d.retryAfterMs];
    };
    const before = locked();
    if (before) return throttled(...before);
    queue.enter(remote, () => throttle.clean(remote, username)).then((release) => {
      if (!release) return throttled('too many logins waiting from this address', throttledDelayMs);
      if (client.closed) return release(); // gave up while waiting: no work for it
      const now = locked();
      if (now) {
        release();
        return throttled(...now);
      }
      verify().then(release, (err: Error) => {
        release();
        failed(err);
      });
    }, failed);
  };
}
