/**
 * The webhook adapter: POSTs the notification as JSON, signed with HMAC-SHA256 over
 * `<timestamp>.<body>` with a shared secret (headers `x-evernet-timestamp`, `x-evernet-signature:
 * sha256=<hex>`), so the receiver can check who sent it and refuse replays of old timestamps.
 * A 2xx answer is a delivery; anything else, a timeout or an unreachable receiver is a coded error.
 */
import { createHmac } from 'node:crypto';
import { NOTIFY_ERR, NotifyError, type Notification, type NotifyAdapter } from './adapter.js';

export interface WebhookOptions {
  url: string;
  secret: string;
  /** ms before the request is abandoned; default 5000 */
  timeoutMs?: number;
  /** the timestamp header's value (ms); default wall time (a live receiver compares it with its own clock) */
  now?: () => number;
  /** which contacts go out here; default all */
  accepts?: (n: Notification) => boolean;
}

/** The signature a receiver recomputes: hex HMAC-SHA256 of `${timestamp}.${body}`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function createWebhookAdapter(options: WebhookOptions): NotifyAdapter {
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  return {
    name: 'webhook',
    accepts: options.accepts ?? (() => true),
    async send(n: Notification): Promise<void> {
      const body = JSON.stringify(n);
      const timestamp = String(now());
      let res: Response;
      try {
        res = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-evernet-timestamp': timestamp,
            'x-evernet-signature': `sha256=${signWebhook(options.secret, timestamp, body)}`,
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        const err = e as Error;
        if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new NotifyError(NOTIFY_ERR.TIMEOUT, `no answer from the webhook within ${timeoutMs} ms`);
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        throw new NotifyError(NOTIFY_ERR.UNREACHABLE, `webhook: ${cause ?? err.message}`);
      }
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status > 299) throw new NotifyError(NOTIFY_ERR.HTTP_STATUS, `the webhook answered ${res.status}`);
    },
  };
}
