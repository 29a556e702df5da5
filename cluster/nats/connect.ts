/**
 * One way to connect to evernet's NATS cluster (docs/scale.md, "The NATS cluster"): any of the given
 * nodes, and once connected the client reconnects forever (to any node it knows, including those the
 * cluster told it about). A cluster where no node answers at start is EVN_ERR_CLUSTER_CONNECT, naming
 * the URLs without credentials, before the caller consumes or acknowledges anything.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { CLUSTER_ERR, ClusterError, redactNatsUrl } from './errors.js';

export interface ConnectClusterOptions {
  /** the connection's name on the servers' monitoring pages; default 'evernet' */
  name?: string;
  /** reconnects, disconnects and server errors are logged here */
  log?: Logger;
  /** ms to wait for a node at start; default 5000 */
  timeoutMs?: number;
  /** ms between reconnect attempts to one node; default 250 */
  reconnectTimeWaitMs?: number;
}

/** Connects to any of `urls`; throws ClusterError EVN_ERR_CLUSTER_CONNECT where none answers. */
export async function connectCluster(urls: string | string[], options: ConnectClusterOptions = {}): Promise<NatsConnection> {
  const servers = (Array.isArray(urls) ? urls : urls.split(',')).map((u) => u.trim()).filter(Boolean);
  const shown = servers.map(redactNatsUrl).join(', ');
  if (servers.length === 0) throw new ClusterError(CLUSTER_ERR.CONNECT, 'no NATS URL given');
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: options.name ?? 'evernet',
      timeout: options.timeoutMs ?? 5000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
      reconnectJitter: 100,
    });
  } catch (e) {
    const reason = (e as Error).message.split(/\r?\n/)[0] ?? 'no answer';
    // the client names the server it tried last: keep the reason, drop anything with credentials
    throw new ClusterError(CLUSTER_ERR.CONNECT, `cannot connect to the NATS cluster at ${shown}: ${reason.replace(/[a-z]+:\/\/[^@\s]*@/gi, '')}`);
  }
  const log = options.log;
  if (log) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') log.warn({ server: redactNatsUrl(s.server) }, 'nats: disconnected');
        else if (s.type === 'reconnect') log.info({ server: redactNatsUrl(s.server) }, 'nats: reconnected');
        else if (s.type === 'error') log.warn({ err: s.error.message }, 'nats: server error');
        else if (s.type === 'ldm') log.info({ server: redactNatsUrl(s.server) }, 'nats: server entering lame duck mode');
      }
    })();
  }
  return nc;
}
