/**
 * Is an MQTT broker listening at a URL? A TCP connect with a short timeout, before a device starts:
 * without it, a board pointed at a broker that is not running would retry silently for ever. Only
 * plain mqtt:// and tcp:// URLs are probed (TLS and WebSocket brokers are left to mqtt.js).
 */
import net from 'node:net';

export const PROBE_ERR = 'EVN_ERR_BROKER_UNREACHABLE';

/** resolves if something accepts a connection at the URL's host and port; rejects with PROBE_ERR otherwise */
export async function probeBroker(url: string, hint: string, timeoutMs = 2000): Promise<void> {
  const u = new URL(url);
  if (u.protocol !== 'mqtt:' && u.protocol !== 'tcp:') return;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 1883);
  const why = await new Promise<string | null>((resolve) => {
    const socket = net.connect({ host, port });
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'connection refused' : e.message));
  });
  if (why !== null) throw Object.assign(new Error(`${PROBE_ERR}: no MQTT broker at ${url} (${why}): ${hint}`), { code: PROBE_ERR });
}
