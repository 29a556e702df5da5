/**
 * A real HTTP server on 127.0.0.1 (port 0) that plays a day-ahead price feed: it answers every GET with
 * the reply the test set (a recorded body from tests/fixtures/awattar, a status, or no answer at all)
 * and records the requests it got. awattarBody() writes a body in aWATTar's `marketdata` format, for
 * prices of any day (e.g. today on an injected clock).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply = { status?: number; body: string; contentType?: string } | { hang: true };

export interface PriceServer {
  /** the feed's URL: http://127.0.0.1:PORT/v1/marketdata */
  readonly url: string;
  /** what each GET got asked, in order */
  readonly requests: URL[];
  /** the reply from now on */
  reply(r: Reply | ((req: URL) => Reply)): void;
  close(): Promise<void>;
}

export async function startPriceServer(first: Reply | ((req: URL) => Reply)): Promise<PriceServer> {
  let current = first;
  const requests: URL[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    const r = typeof current === 'function' ? current(url) : current;
    if ('hang' in r) {
      hanging.add(res);
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': r.contentType ?? 'application/json' });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/marketdata`,
    requests,
    reply: (r) => void (current = r),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** aWATTar `marketdata` for consecutive slots of `slotMs` from `startMs`, prices in EUR/MWh. */
export function awattarBody(startMs: number, slotMs: number, eurPerMwh: readonly number[]): string {
  const data = eurPerMwh.map((p, i) => ({ start_timestamp: startMs + i * slotMs, end_timestamp: startMs + (i + 1) * slotMs, marketprice: p, unit: 'Eur/MWh' }));
  return JSON.stringify({ object: 'list', data, url: '/at/v1/marketdata' });
}

/** A port nothing listens on (bound, then closed): connections to it are refused. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
