/**
 * The embedded broker: aedes on a TCP listener. Bind 127.0.0.1 by default; port 0 picks a free port.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';

export interface BrokerOptions {
  host?: string;
  port?: number;
  log?: Logger;
}

export interface RunningBroker {
  url: string;
  host: string;
  port: number;
  /** messages aedes routed from clients (excludes $SYS) */
  stats(): { clients: number; published: number };
  stop(): Promise<void>;
}

export function createBroker(options: BrokerOptions = {}) {
  const host = options.host ?? '127.0.0.1';
  const wantPort = options.port ?? 1883;
  let published = 0;

  return {
    async start(): Promise<RunningBroker> {
      const aedes = await Aedes.createBroker();
      aedes.on('publish', (packet, client) => {
        if (client) published++;
      });
      aedes.on('clientError', (client, err) => {
        options.log?.warn({ code: 'EVN_ERR_BROKER_CLIENT', clientId: client?.id, err: err.message }, 'client error');
      });
      const server = net.createServer((socket) => aedes.handle(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(wantPort, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as net.AddressInfo;
      const url = `mqtt://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      options.log?.info({ url }, 'broker listening');
      return {
        url,
        host,
        port: address.port,
        stats: () => ({ clients: aedes.connectedClients, published }),
        async stop() {
          await new Promise<void>((resolve) => aedes.close(() => resolve()));
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
  };
}
