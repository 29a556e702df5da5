/** A minimal server-sent-events client over node:http, for tests. */
import http from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  /** resolves with the first event (already received or coming) that matches */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  closed: Promise<void>;
  close(): void;
}

export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const waiters: Array<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: SseEvent = { event: 'message', data: null };
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!data) continue;
          e.data = JSON.parse(data);
          events.push(e);
          for (const w of [...waiters]) if (w.match(e)) waiters.splice(waiters.indexOf(w), 1)[0]!.resolve(e);
        }
      });
      const closed = new Promise<void>((r) => res.on('close', () => r()));
      resolve({
        status: res.statusCode ?? 0,
        events,
        closed,
        next(match, timeoutMs = 5000) {
          const seen = events.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`no matching event within ${timeoutMs} ms; got ${events.map((x) => x.event).join(', ')}`)), timeoutMs);
            waiters.push({ match, resolve: (e) => (clearTimeout(timer), ok(e)) });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
