/**
 * The broker's security hooks for aedes: authenticate (credentials -> identity, client id, last will),
 * authorizeSubscribe (ACL), authorizePublish (edge limits, rate limit, ACL, contract validation).
 * Every refusal is logged with its code and counted; payloads and secrets are never logged.
 *
 * A PUBLISH that breaks a limit or the ACL disconnects the client (MQTT 3.1.1 cannot refuse one
 * message). A schema-invalid PUBLISH is acknowledged and diverted to $evernet/rejected/<code>, which
 * no wildcard matches: not forwarded, and the device is not thrown into a reconnect-and-resend loop.
 */
import type { AedesOptions, Aedes, AuthenticateError, Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { Clock } from '../contracts/clock.js';
import { decode } from '../contracts/validate.js';
import { ACL_ERR, canPublish, canSubscribe, hasWildcard } from './auth/acl.js';
import { AUTH_ERR, authenticate } from './auth/authenticate.js';
import type { CredentialStore } from './auth/credentials.js';
import type { Identity } from './auth/identity.js';
import type { SecretHash } from './auth/secret.js';
import { LIMIT_ERR, checkPayload, checkTopic, type EdgeLimits } from './limits/limits.js';
import { createRateLimiter } from './limits/token-bucket.js';

export const REJECTED_TOPIC_PREFIX = '$evernet/rejected/';

export interface SecurityOptions {
  /** authentication and ACL; without it every client is anonymous and unrestricted */
  credentials?: CredentialStore | undefined;
  limits?: EdgeLimits | undefined;
  /** check each publish on evernet/ topics against the contract */
  validate: boolean;
  clock: Clock;
  log?: Logger | undefined;
}

type Hooks = Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>;
interface Session {
  client: Client;
  identity: Identity;
  secret: SecretHash;
}

export function createSecurity(options: SecurityOptions) {
  const { credentials, limits, validate, log } = options;
  const byCode = new Map<string, number>();
  const sessions = new Map<string, Session>();
  const identities = new WeakMap<Client, Identity>();
  const wills = new WeakMap<Client, string>();
  const limiter = limits ? createRateLimiter({ perSecond: limits.publishPerSecond, burst: limits.publishBurst, now: () => options.clock.now() }) : null;

  function record(code: string, reason: string, client: Client | null, extra: Record<string, unknown> = {}): void {
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
    const who = client ? identities.get(client)?.username : undefined;
    const remote = (client?.conn as { remoteAddress?: string } | undefined)?.remoteAddress;
    log?.warn({ code, clientId: client?.id, username: who, remote, reason, ...extra }, 'denied');
  }

  /** records a refusal and returns the error that makes aedes refuse (CONNACK code) or disconnect */
  function refuse(client: Client | null, code: string, reason: string, extra: Record<string, unknown> = {}): Error & { code: string } {
    record(code, reason, client, extra);
    return Object.assign(new Error(`${code}: ${reason}`), { code });
  }

  /** rate-limited roles: devices and apps (and anonymous clients); the helpdesk and admins are trusted */
  function overRate(client: Client): boolean {
    if (!limiter || client.closed) return false;
    const identity = identities.get(client);
    if (identity && (identity.role === 'helpdesk' || identity.role === 'admin')) return false;
    return !limiter.take(identity?.username ?? `client:${client.id}`);
  }

  const hooks: Hooks = {};
  if (credentials) {
    hooks.preConnect = (client, packet, done) => {
      if (packet.will) wills.set(client, packet.will.topic);
      done(null, true);
    };
    hooks.authenticate = (client, username, password, done) => {
      authenticate(credentials, { clientId: client.id, username, password, willTopic: wills.get(client) }).then((r) => {
        if (!r.ok) {
          const err = refuse(client, r.code, r.reason, { username: username?.slice(0, 128), returnCode: r.returnCode });
          return done(Object.assign(err, { returnCode: r.returnCode }) as unknown as AuthenticateError, null);
        }
        const holder = sessions.get(client.id);
        if (holder && !holder.client.closed && holder.identity.username !== r.identity.username) {
          const reason = `client id '${client.id}' is in use by '${holder.identity.username}'`;
          const err = refuse(client, AUTH_ERR.CLIENT_ID_IN_USE, reason, { username: r.identity.username });
          return done(Object.assign(err, { returnCode: 2 }) as unknown as AuthenticateError, null);
        }
        sessions.set(client.id, { client, identity: r.identity, secret: r.secret });
        identities.set(client, r.identity);
        log?.info({ clientId: client.id, username: r.identity.username, role: r.identity.role }, 'client authenticated');
        done(null, true);
      }, (err: Error) => done(Object.assign(err, { returnCode: 3 }) as unknown as AuthenticateError, null));
    };
    hooks.authorizeSubscribe = (client, sub, done) => {
      if (limits) {
        const t = checkTopic(sub.topic, limits);
        if (!t.ok) return done(refuse(client, t.code, t.reason, { topic: sub.topic }));
      }
      if (overRate(client)) return done(refuse(client, LIMIT_ERR.RATE_LIMIT, 'subscribe rate exceeded', { topic: sub.topic }));
      const identity = identities.get(client);
      const acl = identity ? canSubscribe(identity, sub.topic) : null;
      if (!acl || !acl.allowed) {
        record(acl?.code ?? ACL_ERR.SUBSCRIBE, acl && !acl.allowed ? acl.reason : 'no identity', client, { topic: sub.topic, wildcard: hasWildcard(sub.topic) });
        return done(null, null); // SUBACK 128 for this filter; the connection stays
      }
      done(null, sub);
    };
  }

  hooks.authorizePublish = (client, packet, done) => {
    const topic = packet.topic;
    const reject = (code: string, reason: string) => done(refuse(client, code, reason, { topic }));
    if (limits) {
      const t = checkTopic(topic, limits);
      if (!t.ok) return reject(t.code, t.reason);
      const p = checkPayload(packet.payload.length, limits);
      if (!p.ok) return reject(p.code, p.reason);
    }
    if (client && overRate(client)) return reject(LIMIT_ERR.RATE_LIMIT, `more than ${limits!.publishPerSecond}/s (burst ${limits!.publishBurst})`);
    const identity = client ? identities.get(client) : undefined;
    if (credentials && client) {
      if (!identity) return reject(AUTH_ERR.ANONYMOUS, 'publish without an identity');
      const acl = canPublish(identity, topic);
      if (!acl.allowed) return reject(acl.code, acl.reason);
    } else if (topic.startsWith('$')) return reject(ACL_ERR.PUBLISH, '$-topics belong to the broker');
    if (validate && topic.startsWith('evernet/') && !(identity?.role === 'admin' && packet.retain && packet.payload.length === 0)) {
      const r = decode(topic, packet.payload as Buffer);
      if (!r.ok) {
        record(r.error.code, r.error.reason, client, { topic });
        divert(packet, r.error.code);
      }
    }
    done(null);
  };

  return {
    hooks,
    /** aedes options the limits translate to */
    aedesLimits: (): Partial<AedesOptions> => (limits ? { keepaliveLimit: limits.keepaliveLimitS } : {}),
    attach(aedes: Aedes): void {
      aedes.on('clientDisconnect', (client) => {
        if (sessions.get(client.id)?.client === client) sessions.delete(client.id);
        if (!identities.get(client)) limiter?.forget(`client:${client.id}`);
      });
      aedes.on('keepaliveTimeout', (client) => record(LIMIT_ERR.KEEPALIVE, 'no packet within 1.5 x keep-alive', client));
      aedes.on('connectionError', (client, err) => {
        if (err.message === 'keep alive limit exceeded') record(LIMIT_ERR.KEEPALIVE, `keep-alive 0 or above ${limits?.keepaliveLimitS} s`, client);
      });
    },
    /** counts a connection cut by the packet guard */
    packetTooLarge(size: number, remote: string | undefined): void {
      record(LIMIT_ERR.PACKET_TOO_LARGE, `packet of ${size} bytes exceeds ${limits?.maxPacketBytes}`, null, { remote });
    },
    /** After a credentials reload: drops sessions whose identity is gone, revoked or rotated. */
    revalidate(): number {
      let dropped = 0;
      for (const s of [...sessions.values()]) {
        const now = credentials?.get(s.identity.username);
        if (now && !now.revoked && now.secret.hash === s.secret.hash && now.identity.role === s.identity.role) continue;
        record(AUTH_ERR.REVOKED, `'${s.identity.username}' was revoked, rotated or removed`, s.client);
        sessions.delete(s.client.id);
        s.client.close();
        dropped++;
      }
      return dropped;
    },
    stats: () => {
      const codes = Object.fromEntries([...byCode.entries()].sort(([a], [b]) => a.localeCompare(b)));
      return { rejected: [...byCode.values()].reduce((a, b) => a + b, 0), byCode: codes };
    },
  };
}
export type Security = ReturnType<typeof createSecurity>;

function divert(packet: PublishPacket, code: string): void {
  packet.topic = `${REJECTED_TOPIC_PREFIX}${code}`;
  packet.retain = false;
}
