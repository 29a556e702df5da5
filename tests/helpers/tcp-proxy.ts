/** A TCP proxy on loopback, for tests of connections lost under a client. */
import net from 'node:net';

/** a TCP proxy on loopback to the broker whose connections can be cut (a broker node gone, for its clients) */
/** `onUp`: every chunk the client sends towards the broker */
export async function tcpProxy(target: number, onUp?: (chunk: Buffer) => void): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(target, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    if (onUp) inbound.on('data', onUp);
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    cut,
    close: () => {
      cut();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
