/**
 * The embedded broker: aedes on a TCP listener (and optionally TLS and WebSocket listeners).
 * Bind 127.0.0.1 by default; port 0 picks a free port.
 *
 * Without `auth` it behaves as it always has: anonymous, no limits (replays and tests). With
 * `auth` security is on: authentication, ACL, edge limits and contract validation (see security.ts).
 */
import type { Duplex } from 'node:stream';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { Clock } from '../contracts/clock.js';
import type { CredentialStore } from './auth/credentials.js';
import { DEFAULT_LIMITS, type EdgeLimits } from './limits/limits.js';
import { guardPackets } from './limits/packet-guard.js';
import { listenTcp, listenTls, listenWs, type Accept, type Listener, type TlsFiles } from './listeners.js';
import { REJECTED_TOPIC_PREFIX, createSecurity } from './security.js';
import { realClock } from '../scenarios/clock/real-clock.js';

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
  /** time for the rate limiter; default the wall clock */
  clock?: Clock;
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

export function createBroker(options: BrokerOptions = {}) {
  const host = options.host ?? '127.0.0.1';
  const wantPort = options.port ?? 1883;
  let published = 0;

  return {
    async start(): Promise<RunningBroker> {
      const limits = resolveLimits(options);
      const security = createSecurity({
        credentials: options.auth?.credentials,
        limits,
        validate: options.validate ?? Boolean(options.auth),
        clock: options.clock ?? realClock,
        log: options.log,
      });
      const secured = Boolean(options.auth || limits || options.validate);
      const aedes = await Aedes.createBroker(secured ? { ...security.hooks, ...security.aedesLimits() } : {});
      if (secured) security.attach(aedes);
      aedes.on('publish', (packet, client) => {
        if (client && !packet.topic.startsWith(REJECTED_TOPIC_PREFIX)) published++;
      });
      aedes.on('clientError', (client, err) => {
        if ((err as { code?: string }).code?.startsWith('EVN_ERR_')) return; // counted and logged by security
        options.log?.warn({ code: 'EVN_ERR_BROKER_CLIENT', clientId: client?.id, err: err.message }, 'client error');
      });
      const accept: Accept = (stream: Duplex, remote, req) => {
        if (!limits) return void aedes.handle(stream, req);
        aedes.handle(guardPackets(stream, limits.maxPacketBytes, (size) => security.packetTooLarge(size, remote), remote), req);
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
        stats: () => ({ clients: aedes.connectedClients, published, ...security.stats() }),
        revalidate: () => security.revalidate(),
        async stop() {
          await new Promise<void>((resolve) => aedes.close(() => resolve()));
          await Promise.all(listeners.map((l) => l.close()));
        },
      };
    },
  };
}
