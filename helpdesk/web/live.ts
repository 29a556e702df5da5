/**
 * The live side of the dashboard: helpdesk events become server-sent-event messages. Ticket,
 * availability and load messages get ids `<epoch>-<n>` and stay in a ring buffer, so a client that
 * reconnects with Last-Event-ID gets exactly what it missed; an id from another server instance
 * (other epoch) or one that fell out of the buffer gets a `reset` (the page then refetches).
 * Telemetry is not buffered: it goes live to the streams that asked for that device.
 */
import { randomBytes } from 'node:crypto';
import type { HelpdeskEvent } from '../events.js';
import type { DashboardHelpdesk } from './deps.js';

export interface LiveMessage {
  id?: string;
  event: string;
  data: unknown;
}

export type Subscriber = (m: LiveMessage, raw: HelpdeskEvent) => void;

export function formatSse(m: LiveMessage): string {
  const data = JSON.stringify(m.data).replace(/\n/g, '\\n');
  return `${m.id ? `id: ${m.id}\n` : ''}event: ${m.event}\ndata: ${data}\n\n`;
}

export function createLiveHub(options: { helpdesk: DashboardHelpdesk; render: (e: HelpdeskEvent) => unknown; bufferSize?: number }) {
  const size = options.bufferSize ?? 1000;
  const epoch = randomBytes(4).toString('hex');
  const buffer: Array<{ n: number; m: LiveMessage }> = [];
  const subscribers = new Set<Subscriber>();
  let n = 0;
  let off: (() => void) | null = null;

  function onEvent(e: HelpdeskEvent): void {
    let m: LiveMessage;
    if (e.type === 'telemetry') {
      m = { event: 'telemetry', data: { customerId: e.customerId, deviceId: e.deviceId, ts: e.at, readings: e.readings } };
    } else {
      n++;
      m = { id: `${epoch}-${n}`, event: e.type, data: options.render(e) };
      buffer.push({ n, m });
      if (buffer.length > size) buffer.shift();
    }
    for (const s of subscribers) s(m, e);
  }

  return {
    epoch,
    start(): void {
      off ??= options.helpdesk.on(onEvent);
    },
    stop(): void {
      off?.();
      off = null;
      subscribers.clear();
    },
    /** the id of the newest buffered message, or null */
    lastId: (): string | null => (n === 0 ? null : `${epoch}-${n}`),
    /** Messages after `lastEventId`, or null when they cannot be told (unknown epoch, malformed, or out of the buffer). */
    since(lastEventId: string): LiveMessage[] | null {
      const m = /^([0-9a-f]{8})-(\d{1,15})$/.exec(lastEventId);
      if (!m || m[1] !== epoch) return null;
      const after = Number(m[2]);
      if (after > n) return null;
      const oldest = buffer[0]?.n ?? n + 1;
      if (after < oldest - 1) return null;
      return buffer.filter((b) => b.n > after).map((b) => b.m);
    },
    subscribe(s: Subscriber): () => void {
      subscribers.add(s);
      return () => subscribers.delete(s);
    },
    get subscribers(): number {
      return subscribers.size;
    },
  };
}
export type LiveHub = ReturnType<typeof createLiveHub>;
