/**
 * The embedded broker: aedes on a TCP listener (and optionally TLS and WebSocket listeners).
 * Bind 127.0.0.1 by default; port 0 picks a free port.
 *
 * Without `auth` it behaves as it always has: anonymous, no limits (replays and tests). With
 * `auth` security is on: authentication, ACL, edge limits and contract validation (see security.ts).
 * `limits` and `validate` turn the edge limits and contract checks on without `auth` (what
 * `evernet broker --allow-anonymous` does: only authentication and the ACL are off).
 * Without `dataDir` its state lives in memory; with it, in SQLite under that directory, so retained
 * messages, persistent sessions and their queued messages survive a restart, kill -9 included
 * (see persistence/sqlite-persistence.ts).
 */
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { Clock } from '../contracts/clock.js';
import type { CredentialStore } from './auth/credentials.js';
import { DEFAULT_LIMITS, type EdgeLimits } from './limits/limits.js';
import { guardPackets, type GuardedStream } from './limits/packet-guard.js';
import { bounded, boundedOpt } from './log-guard.js';
import { listenTcp, listenTls, listenWs, type Accept, type Listener, type TlsFiles } from './listeners.js';
import { openSqlitePersistence, PERSISTENCE_ERR, type SqlitePersistence } from './persistence/sqlite-persistence.js';
import type { SalvageReport } from './persistence/salvage.js';
import { REJECTED_TOPIC_PREFIX, createSecurity, type SecurityOptions } from './security.js';
import { realClock } from '../contracts/clock.js';
import { batchWrites } from '../contracts/write-batching.js';

export interface BrokerOptions {
  host?: string;
  port?: number;
  log?: Logger;
  /** turns security on: every client authenticates against these credentials and is held to the ACL */
  auth?: { credentials: CredentialStore };
  /** a TLS listener on tls.port (default 8883) and tls.host (default `host`) next to the plain one */
  tls?: TlsFiles & { port?: number; host?: string };
  /** a WebSocket listener for browser tools: wss on the TLS host when `tls` is given, else ws on `host` */
  wsPort?: number;
  /** edge limits; default DEFAULT_LIMITS when auth is on, none otherwise; false turns them off */
  limits?: Partial<EdgeLimits> | false;
  /** check every publish against the contract; default on when auth is on */
  validate?: boolean;
  /** time for the rate limiter, the failed-login throttle and the log's repeat windows; default the wall clock */
  clock?: Clock;
  /** failed-login throttle and scrypt queue (with auth); defaults in auth/login-throttle.ts and auth/verify-queue.ts */
  throttle?: SecurityOptions['throttle'];
  /** keep the broker's state (retained messages, persistent sessions, their queues, wills) in this directory */
  dataDir?: string;
  /** with dataDir: 'normal' (default) survives kill -9; 'full' also survives power loss (one fsync per commit) */
  sync?: 'normal' | 'full';
}

export interface BrokerStats {
  clients: number;
  /** messages aedes routed from clients (excludes $SYS and ones diverted as invalid) */
  published: number;
  /** refused connections, denied subscriptions and publishes, limit breaches, invalid payloads */
  rejected: number;
  byCode: Record<string, number>;
}

export interface RunningBroker {
  url: string;
  host: string;
  port: number;
  tlsUrl?: string;
  wsUrl?: string;
  /** the SQLite file of the broker's state, when it has a data directory */
  dataFile?: string;
  stats(): BrokerStats;
  /** after the credentials changed: drops connected clients whose identity was revoked or rotated */
  revalidate(): number;
  stop(): Promise<void>;
}

function resolveLimits(options: BrokerOptions): EdgeLimits | undefined {
  if (options.limits === false) return undefined;
  if (!options.auth && !options.limits) return undefined;
  return { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
}

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;

/** aedes' own rule when no security hook is set: clients may not publish to $SYS */
const defaultAuthorizePublish: AuthorizePublish = (_client, packet, done) =>
  done(packet.topic.startsWith('$SYS/') ? new Error('$SYS/ topic is reserved') : null);

/** what the persistence adds to the broker: journal before PUBACK, and hold live copies while a session's queue drains */
function persistenceHooks(persistence: SqlitePersistence, authorizePublish: AuthorizePublish | undefined): Partial<AedesOptions> {
  const inner = (authorizePublish ?? defaultAuthorizePublish) as unknown as Parameters<SqlitePersistence['guardPublish']>[0];
  return {
    persistence,
    authorizePublish: persistence.guardPublish(inner) as unknown as AuthorizePublish,
    authorizeForward: (client, packet) => (persistence.forwardable(client, packet) ? packet : null),
  };
}

export function createBroker(options: BrokerOptions = {}) {
  const host = options.host ?? '127.0.0.1';
  const wantPort = options.port ?? 1883;
  let published = 0;

  return {
    async start(): Promise<RunningBroker> {
      const limits = resolveLimits(options);
      // always this persistence: in memory without a data directory, so that a persistent session
      // that reconnects gets its queue before live messages either way
      const onSalvaged = (r: SalvageReport & { file: string }) =>
        options.log?.error({ code: PERSISTENCE_ERR.SALVAGED, file: r.file, movedTo: r.movedTo, kept: r.kept, lost: r.lost }, 'broker state was damaged: kept what could be read, moved the damaged file aside');
      const onUnreadable = (u: { clientId: string; rowId: number; reason: string }) =>
        options.log?.error({ code: PERSISTENCE_ERR.UNREADABLE, clientId: u.clientId, row: u.rowId, reason: u.reason }, 'a queued message could not be read back: moved aside');
      const persistence = openSqlitePersistence(options.dataDir ? { dir: options.dataDir, sync: options.sync, onSalvaged, onUnreadable } : { onUnreadable });
      const security = createSecurity({
        credentials: options.auth?.credentials,
        limits,
        validate: options.validate ?? Boolean(options.auth),
        clock: options.clock ?? realClock,
        log: options.log,
        owners: persistence.owners,
        throttle: options.throttle,
      });
      const secured = Boolean(options.auth || limits || options.validate);
      const aedesOptions = secured ? { ...security.hooks } : {};
      let aedes: Aedes;
      try {
        aedes = await Aedes.createBroker({ ...aedesOptions, ...persistenceHooks(persistence, aedesOptions.authorizePublish) });
      } catch (e) {
        await persistence.destroy();
        throw e;
      }
      if (secured) security.attach(aedes);
      if (options.dataDir) {
        try {
          const replayed = await persistence.replay((packet, done) => aedes.publish(packet as unknown as PublishPacket, done));
          options.log?.info({ file: persistence.file, replayed, ...persistence.stats() }, 'broker state loaded');
        } catch (e) {
          await new Promise<void>((resolve) => aedes.close(() => resolve()));
          await persistence.destroy();
          throw e;
        }
      }
      aedes.on('publish', (packet, client) => {
        if (client && !packet.topic.startsWith(REJECTED_TOPIC_PREFIX)) published++;
      });
      aedes.on('clientError', (client, err) => {
        if ((err as { code?: string }).code?.startsWith('EVN_ERR_')) return; // counted and logged by security
        options.log?.warn({ code: 'EVN_ERR_BROKER_CLIENT', clientId: boundedOpt(client?.id), err: bounded(err.message, 256) }, 'client error');
      });
      const accept: Accept = (stream: Duplex, remote, req) => {
        // a turn's packets to one client leave together (contracts/write-batching.ts)
        batchWrites(stream);
        if (!limits) return void aedes.handle(stream, req);
        const guarded: GuardedStream = guardPackets(stream, limits.maxPacketBytes, (size) => security.packetTooLarge(size, remote, guarded), remote);
        aedes.handle(guarded, req);
      };
      const listeners: Listener[] = [];
      try {
        listeners.push(await listenTcp(host, wantPort, accept));
        const secureHost = options.tls?.host ?? host;
        if (options.tls) listeners.push(await listenTls(secureHost, options.tls.port ?? 8883, options.tls, accept));
        if (options.wsPort !== undefined) listeners.push(await listenWs(options.tls ? secureHost : host, options.wsPort, accept, options.tls));
      } catch (e) {
        await Promise.all(listeners.map((l) => l.close()));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await persistence.destroy();
        throw e;
      }
      const [tcp] = listeners as [Listener, ...Listener[]];
      const tlsUrl = options.tls ? listeners[1]!.url : undefined;
      const wsUrl = options.wsPort !== undefined ? listeners[listeners.length - 1]!.url : undefined;
      options.log?.info({ url: tcp.url, tlsUrl, wsUrl, auth: Boolean(options.auth), limits: Boolean(limits) }, 'broker listening');
      return {
        url: tcp.url,
        host,
        port: tcp.port,
        ...(tlsUrl ? { tlsUrl } : {}),
        ...(wsUrl ? { wsUrl } : {}),
        ...(options.dataDir ? { dataFile: persistence.file } : {}),
        stats: () => {
          const { rejected, byCode } = security.stats();
          const unreadable = persistence.unreadableCount;
          return { clients: aedes.connectedClients, published, rejected, byCode: unreadable ? { ...byCode, [PERSISTENCE_ERR.UNREADABLE]: unreadable } : byCode };
        },
        revalidate: () => security.revalidate(),
        async stop() {
          await new Promise<void>((resolve) => aedes.close(() => resolve()));
          security.close();
          await Promise.all(listeners.map((l) => l.close()));
          // let the persistence calls of the closing clients (wills, acks) land before the file closes
          await new Promise((resolve) => setImmediate(resolve));
          await persistence.destroy();
        },
      };
    },
  };
}
