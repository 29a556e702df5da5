/**
 * The broker's security hooks for aedes: preConnect (notes keep-alive and last will), authenticate
 * (keep-alive within the limit, CONNACK 2 if not; then connect-hook.ts: throttle, verification queue,
 * credentials, session owners), authorizeSubscribe
 * (ACL), authorizePublish (edge limits, rate limit, ACL, retain rule, contract validation).
 * Every refusal is counted; its log line holds only bounded strings from the client (log-guard.ts),
 * and repeats (same code, same source) are collapsed into one summary line. Payloads and secrets are
 * never logged.
 *
 * A PUBLISH that breaks a limit or the ACL disconnects the client (MQTT 3.1.1 cannot refuse one
 * message). A schema-invalid PUBLISH is acknowledged and diverted to $evernet/rejected/<code>, which
 * no wildcard matches: not forwarded, and the device is not thrown into a reconnect-and-resend loop.
 * A retained PUBLISH on a topic the contract never retains (everything but availability and announce) is forwarded
 * with its retain flag cleared (EVN_ERR_RETAIN).
 */
import type { AedesOptions, Aedes, AuthenticateError, Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { Clock } from '../contracts/clock.js';
import { parseTopic } from '../contracts/topics.js';
import { decode } from '../contracts/validate.js';
import { ACL_ERR, canPublish, canSubscribe, hasWildcard } from './auth/acl.js';
import { AUTH_ERR, RETURN_CODE } from './auth/authenticate.js';
import type { CredentialStore } from './auth/credentials.js';
import type { Identity } from './auth/identity.js';
import { createLoginThrottle, type ThrottleOptions } from './auth/login-throttle.js';
import { createVerifyQueue, type VerifyQueueOptions } from './auth/verify-queue.js';
import { createConnectHook, type Session } from './connect-hook.js';
import { LIMIT_ERR, checkPayload, checkTopic, type EdgeLimits } from './limits/limits.js';
import { createRateLimiter } from './limits/token-bucket.js';
import { bounded, boundedOpt, createRepeatGate, type RepeatGateOptions, type Summary } from './log-guard.js';
import type { SessionOwners } from './persistence/owners.js';
import { codeTable } from '../contracts/errors.js';

export const REJECTED_TOPIC_PREFIX = '$evernet/rejected/';
export const CONTRACT_ERR = codeTable({ RETAIN: 'EVN_ERR_RETAIN' });

export interface SecurityOptions {
  /** authentication and ACL; without it every client is anonymous and unrestricted */
  credentials?: CredentialStore | undefined;
  limits?: EdgeLimits | undefined;
  /** check each publish on evernet/ topics against the contract (and its retain rule) */
  validate: boolean;
  /** time for the rate limiter, the login throttle and the log's repeat windows */
  clock: Clock;
  log?: Logger | undefined;
  /** who owns each persistent session (kept by the persistence) */
  owners?: SessionOwners | undefined;
  /** failed-login throttle and scrypt queue; defaults in login-throttle.ts, verify-queue.ts, connect-hook.ts */
  throttle?: (ThrottleOptions & VerifyQueueOptions & { throttledDelayMs?: number }) | undefined;
  /** collapsing of repeated log lines; default a 10 s window */
  logRepeats?: RepeatGateOptions | undefined;
}

type Hooks = Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>;

/** the contract retains only availability and announce (docs/topics.md) */
const retainAllowed = (topic: string) => {
  const channel = parseTopic(topic)?.channel;
  return channel === 'availability' || channel === 'announce';
};

export function createSecurity(options: SecurityOptions) {
  const { credentials, limits, validate, log, clock } = options;
  const byCode = new Map<string, number>();
  const sessions = new Map<string, Session>();
  const identities = new WeakMap<Client, Identity>();
  const wills = new WeakMap<Client, string>();
  const badKeepalive = new WeakMap<Client, number>();
  const conns = new WeakMap<object, Client>();
  // an infinite rate means no rate limit (an anonymous broker: no identities to hold buckets)
  const limiter = limits && Number.isFinite(limits.publishPerSecond) ? createRateLimiter({ perSecond: limits.publishPerSecond, burst: limits.publishBurst, now: () => clock.now() }) : null;
  const repeats = createRepeatGate(options.logRepeats);
  const queue = createVerifyQueue(options.throttle);
  let timer: NodeJS.Timeout | null = null;

  const remoteOf = (client: Client | null | undefined): string | undefined =>
    (client?.conn as { remoteAddress?: string } | undefined)?.remoteAddress ?? (client as { req?: { socket?: { remoteAddress?: string } } } | null)?.req?.socket?.remoteAddress;

  function summarise(summaries: Summary[]): void {
    for (const s of summaries) log?.warn({ ...s.fields, suppressed: s.suppressed }, `denied: ${s.suppressed} more like this`);
  }

  function record(code: string, reason: string, client: Client | null, extra: Record<string, unknown> = {}): void {
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
    if (!log) return;
    const { clientId, username, topic, ...rest } = extra as { clientId?: string; username?: string; topic?: string };
    const remote = remoteOf(client) ?? (rest as { remote?: string }).remote;
    const fields = {
      ...rest,
      code,
      clientId: boundedOpt(client?.id ?? clientId),
      username: boundedOpt((client ? identities.get(client)?.username : undefined) ?? username),
      remote,
      reason: bounded(reason, 256),
      ...(topic !== undefined ? { topic: bounded(topic) } : {}),
    };
    const r = repeats.note(`${code}|${remote ?? fields.clientId ?? '-'}`, clock.now(), { code, ...(remote ? { remote } : {}) });
    summarise(r.summaries);
    if (r.log) log.warn(fields, 'denied');
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
  hooks.preConnect = (client, packet, done) => {
    conns.set(client.conn, client);
    if (limits && (!packet.keepalive || packet.keepalive > limits.keepaliveLimitS)) badKeepalive.set(client, packet.keepalive ?? 0);
    if (packet.will) wills.set(client, packet.will.topic);
    done(null, true);
  };
  const verify: NonNullable<Hooks['authenticate']> = credentials
    ? createConnectHook({
      credentials,
      throttle: createLoginThrottle(clock, options.throttle),
      throttledDelayMs: options.throttle?.throttledDelayMs,
      queue,
      owners: options.owners,
      sessions,
      wills,
      remoteOf: (c) => remoteOf(c),
      refuse: (c, code, reason, extra) => refuse(c, code, reason, extra),
      accepted(client, identity) {
        identities.set(client, identity);
        log?.info({ clientId: client.id, username: identity.username, role: identity.role }, 'client authenticated');
      },
    })
    : (_client, _username, _password, done) => done(null, true);
  hooks.authenticate = (client, username, password, done) => {
    const keepalive = badKeepalive.get(client);
    if (keepalive === undefined) return verify(client, username, password, done);
    // before any scrypt work. MQTT 3.1.1 has no CONNACK code for an unacceptable keep-alive (aedes'
    // own refusal sends 6, which the standard does not define): 2, "identifier rejected", as
    // mosquitto answers a 3.1.1 client over its max_keepalive
    const reason = `keep-alive ${keepalive} s: give 1 to ${limits!.keepaliveLimitS} s`;
    const err = refuse(client, LIMIT_ERR.KEEPALIVE, reason, { username, returnCode: RETURN_CODE.IDENTIFIER_REJECTED });
    done(Object.assign(err, { returnCode: RETURN_CODE.IDENTIFIER_REJECTED }) as unknown as AuthenticateError, null);
  };
  if (credentials) {
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
    const adminClears = identity?.role === 'admin' && packet.retain && packet.payload.length === 0;
    if (validate && topic.startsWith('evernet/') && !adminClears) {
      if (packet.retain && !retainAllowed(topic)) {
        record(CONTRACT_ERR.RETAIN, 'only availability and announce are retained: forwarded with the retain flag cleared', client, { topic });
        packet.retain = false;
      }
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
    attach(aedes: Aedes): void {
      aedes.on('clientDisconnect', (client) => {
        if (sessions.get(client.id)?.client === client) sessions.delete(client.id);
        if (!identities.get(client)) limiter?.forget(`client:${client.id}`);
      });
      aedes.on('keepaliveTimeout', (client) => record(LIMIT_ERR.KEEPALIVE, 'no packet within 1.5 x keep-alive', client));
      const windowMs = options.logRepeats?.windowMs ?? 10_000;
      timer = setInterval(() => summarise(repeats.due(clock.now())), windowMs);
      timer.unref();
    },
    /** counts a connection cut by the packet guard; `conn` names the client when it has connected */
    packetTooLarge(size: number, remote: string | undefined, conn?: object): void {
      const client = conn ? (conns.get(conn) ?? null) : null;
      record(LIMIT_ERR.PACKET_TOO_LARGE, `packet of ${size} bytes exceeds ${limits?.maxPacketBytes}`, client, { remote });
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
    /** broker stopping: sums up what the log collapsed */
    close(): void {
      if (timer) clearInterval(timer);
      timer = null;
      summarise(repeats.flush());
    },
  };
}
export type Security = ReturnType<typeof createSecurity>;

function divert(packet: PublishPacket, code: string): void {
  packet.topic = `${REJECTED_TOPIC_PREFIX}${code}`;
  packet.retain = false;
}
