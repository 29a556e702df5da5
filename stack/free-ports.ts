/**
 * Free TCP ports on a host, for the servers evernet starts as child processes (Mosquitto shards, a
 * throw-away PostgreSQL, NATS nodes), which cannot be told "port 0" and report back: each port is
 * bound, read and released, all at once so that the n ports are distinct. Another process may take
 * one in between; the caller's start then fails and says so.
 */
import net from 'node:net';

/** n distinct free ports on `host` (default 127.0.0.1) */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, host, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** one free port on `host` (default 127.0.0.1) */
export const freePort = async (host = '127.0.0.1'): Promise<number> => (await freePorts(1, host))[0]!;
