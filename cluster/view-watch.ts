/**
 * A device's readings live on the cluster's dashboard (docs/scale.md, "The dashboard across
 * partitions"). The dashboard's live stream names one device (`GET /events?device=c/d`: its chart
 * moves as readings come). A partition's readings are not sent around the cluster on their own (every
 * reading of every device, for a chart nobody may be looking at), so the view asks the owner of the
 * device's partition for that device's (`…view.<p>.watch` {customerId, deviceId, forMs}) and asks
 * again every `renewMs` while a stream shows it; the owner sends each of its readings on
 * `…view.<p>.telemetry` until the lease runs out, or until `forMs: 0` says nobody looks any more.
 * A lease, not a subscription: a view that dies costs the owner nothing after `leaseMs`, and a new
 * owner (a takeover) hears the next renewal.
 *
 * createWatched is the owner's side, createViewWatch the view's; both pure but for the renewal timer
 * (wall time, an I/O edge: leases are about processes, not event time).
 */
import { deviceKey } from '../contracts/index.js';
import type { HelpdeskEvent } from '../helpdesk/events.js';

/** a lease the view asks for; default */
export const WATCH_LEASE_MS = 15_000;
/** how often the view renews its leases; default */
export const WATCH_RENEW_MS = 5_000;
/** the longest lease an owner grants, whatever is asked */
export const WATCH_MAX_LEASE_MS = 60_000;
/** devices an owner sends at most at once (the oldest renewal gives way) */
export const MAX_WATCHED = 1_000;

/** `…view.<p>.watch`: send this device's readings for forMs (0: no longer) */
export interface WatchRequest {
  customerId: string;
  deviceId: string;
  forMs: number;
}

/** `…view.<p>.telemetry`: one reading of a watched device, as the partition's helpdesk took it */
export interface ViewReading {
  epoch: string;
  at: number;
  customerId: string;
  deviceId: string;
  readings: Record<string, unknown>;
}

/** The owner's side: which devices' readings go out, until when (wall ms). */
export function createWatched(options: { maxWatched?: number } = {}) {
  const max = options.maxWatched ?? MAX_WATCHED;
  const until = new Map<string, number>();
  return {
    watch(r: WatchRequest, now: number): void {
      if (typeof r.customerId !== 'string' || typeof r.deviceId !== 'string') return;
      const key = deviceKey(r.customerId, r.deviceId);
      until.delete(key);
      if (!(r.forMs > 0)) return;
      if (until.size >= max) until.delete(until.keys().next().value!);
      until.set(key, now + Math.min(r.forMs, WATCH_MAX_LEASE_MS));
    },
    /** whether this device's reading goes out now (an expired lease is forgotten) */
    wants(customerId: string, deviceId: string, now: number): boolean {
      if (!until.size) return false;
      const key = deviceKey(customerId, deviceId);
      const t = until.get(key);
      if (t === undefined) return false;
      if (now <= t) return true;
      until.delete(key);
      return false;
    },
    size: (): number => until.size,
  };
}
export type Watched = ReturnType<typeof createWatched>;

export interface ViewWatchOptions {
  /** tells the owner of partition p (a NATS publish; lost when nobody serves it: the next renewal says it again) */
  send: (p: number, r: WatchRequest) => void;
  partitionOf: (customerId: string) => number;
  /** hands a reading of a device shown on to the view's listeners */
  emit: (e: Extract<HelpdeskEvent, { type: 'telemetry' }>) => void;
  leaseMs?: number;
  renewMs?: number;
}

/** The view's side: how many streams show each device, and their leases kept. */
export function createViewWatch(o: ViewWatchOptions) {
  const leaseMs = o.leaseMs ?? WATCH_LEASE_MS;
  const shown = new Map<string, { customerId: string; deviceId: string; streams: number }>();
  let timer: NodeJS.Timeout | null = null;
  const ask = (w: { customerId: string; deviceId: string }, forMs: number): void => o.send(o.partitionOf(w.customerId), { customerId: w.customerId, deviceId: w.deviceId, forMs });
  const renew = (): void => {
    for (const w of shown.values()) ask(w, leaseMs);
  };
  return {
    /** a stream shows this device from now on; the function returned says it no longer does */
    watch(customerId: string, deviceId: string): () => void {
      const key = deviceKey(customerId, deviceId);
      let w = shown.get(key);
      if (!w) shown.set(key, (w = { customerId, deviceId, streams: 0 }));
      if (w.streams++ === 0) ask(w, leaseMs);
      if (!timer) {
        timer = setInterval(renew, o.renewMs ?? WATCH_RENEW_MS);
        timer.unref();
      }
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        if (--w.streams > 0) return;
        shown.delete(key);
        ask(w, 0);
        if (!shown.size && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
    /** whether a stream shows this device now */
    shows: (customerId: string, deviceId: string): boolean => shown.has(deviceKey(customerId, deviceId)),
    /** a reading an owner sent (JSON): handed on if a stream shows its device; anything else is dropped */
    take(json: string): void {
      let r: ViewReading;
      try {
        r = JSON.parse(json) as ViewReading;
      } catch {
        return;
      }
      if (typeof r?.customerId !== 'string' || typeof r.deviceId !== 'string' || !shown.has(deviceKey(r.customerId, r.deviceId))) return;
      o.emit({ type: 'telemetry', at: r.at, customerId: r.customerId, deviceId: r.deviceId, readings: r.readings });
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
      shown.clear();
    },
  };
}
