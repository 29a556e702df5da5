/**
 * GET /events: the live stream (text/event-stream). Events: `hello` {epoch, now, lastId} first, then
 * `ticket`, `availability`, `load` (with ids, replayed after Last-Event-ID), `clock` {now} as event
 * time moves (at most every 10 s of event time), `telemetry` of the device named by ?device=c/d,
 * and `reset` when a reconnecting client's Last-Event-ID cannot be caught up (refetch everything).
 * A client that does not read (more than 1 MiB queued) is disconnected rather than buffered.
 * A stream belongs to the session that opened it: logout, a new login over that session, or its
 * expiry ends it (an `ended` event {reason} first; the browser's reconnect then meets a 401).
 */
import { deviceKey } from '../../../contracts/index.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { me } from '../auth.js';
import type { DashboardDeps } from '../deps.js';
import { parse } from '../errors.js';
import { formatSse, type LiveHub } from '../live.js';
import type { StreamRegistry } from '../streams.js';

const Query = z.object({
  device: z.string().regex(/^[a-z0-9-]{1,64}\/[a-z0-9-]{1,64}$/, 'customerId/deviceId').optional(),
  /** for clients that cannot set the Last-Event-ID header */
  lastEventId: z.string().max(40).optional(),
});
const CLOCK_EVERY_MS = 10_000;
const HEARTBEAT_MS = 20_000;
const MAX_QUEUED = 1 << 20;

export async function eventRoutes(app: FastifyInstance, deps: DashboardDeps & { hub: LiveHub; streams: StreamRegistry }): Promise<void> {
  const { hub, helpdesk } = deps;

  app.get('/events', (req, reply) => {
    const session = me(req);
    const q = parse(Query, req.query, 'query');
    const header = req.headers['last-event-id'];
    const lastEventId = (typeof header === 'string' ? header : undefined) ?? q.lastEventId;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let open = true;
    let lastClock = -Infinity;
    let unsubscribe = (): void => undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let forget = (): void => undefined;
    // a cluster's view asks the device's partition for its readings while this stream shows it
    const [c, d] = q.device?.split('/') ?? [];
    const unwatch = c && d && helpdesk.watch ? helpdesk.watch(c, d) : null;
    const close = (): void => {
      if (!open) return;
      open = false;
      unwatch?.();
      unsubscribe();
      clearInterval(heartbeat);
      forget();
      res.end();
    };
    const send = (text: string): void => {
      if (!open) return;
      if (res.writableLength > MAX_QUEUED) return close();
      res.write(text);
    };

    send('retry: 2000\n\n');
    if (lastEventId) {
      const missed = hub.since(lastEventId);
      if (missed) for (const m of missed) send(formatSse(m));
      else send(formatSse({ event: 'reset', data: { reason: 'cannot catch up from this event id; refetch' } }));
    }
    send(formatSse({ event: 'hello', data: { epoch: hub.epoch, now: helpdesk.now(), lastId: hub.lastId() } }));

    unsubscribe = hub.subscribe((m, e) => {
      if (e.type !== 'telemetry') return send(formatSse(m));
      if (q.device === deviceKey(e.customerId, e.deviceId)) send(formatSse(m));
      if (e.at - lastClock >= CLOCK_EVERY_MS) {
        lastClock = e.at;
        send(formatSse({ event: 'clock', data: { now: e.at } }));
      }
    });
    // a comment line now and then keeps proxies from closing an idle stream (wall time: an I/O edge)
    heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    forget = deps.streams.add(session.id, () => {
      send(formatSse({ event: 'ended', data: { reason: 'the session ended; log in again' } }));
      close();
    });
    req.raw.on('close', close);
    res.on('error', close);
  });
}
