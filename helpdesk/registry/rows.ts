/**
 * The devices as the dashboard lists them (GET /api/v1/devices): every device in the registry,
 * active, pending or rejected, with its owner and the owner's time zone, its state and how it came
 * in, availability, last reading, when it was last heard (any message, its announce too), and its
 * last coded problem.
 */
import { deviceKey } from '../../contracts/index.js';
import { zoneOf } from '../contact/choose-channel.js';
import type { Registry } from './registry.js';

/** what the core knows of an active device: availability in event-time order, its newest reading */
export interface Seen<R> {
  online(key: string): boolean | undefined;
  last(key: string): { ts: number; readings: R } | undefined;
}

export function deviceRows<R>(registry: Registry, seen: Seen<R>) {
  return registry.devices().map((d) => {
    const key = deviceKey(d.customerId, d.id);
    const c = registry.customer(d.customerId);
    const last = seen.last(key);
    const heard = registry.observed(d.customerId, d.id);
    const lastSeenAt = Math.max(last?.ts ?? -Infinity, heard?.lastSeenAt ?? -Infinity, d.lastAnnounceAt ?? -Infinity);
    return {
      customerId: d.customerId,
      customer: c?.name ?? d.customerId,
      timeZone: zoneOf({ timeZone: c?.timeZone ?? undefined, timeZoneOffsetMinutes: c?.preferences.timeZoneOffsetMinutes }),
      deviceId: d.id,
      kind: d.kind,
      name: d.name,
      state: d.state,
      origin: d.origin,
      online: seen.online(key) ?? heard?.online ?? null,
      lastTs: last?.ts ?? null,
      last: last?.readings ?? null,
      lastSeenAt: Number.isFinite(lastSeenAt) ? lastSeenAt : null,
      registeredAt: d.registeredAt,
      lastAnnounceAt: d.lastAnnounceAt,
      decidedBy: d.decidedBy,
      decidedAt: d.decidedAt,
      measures: d.measures,
      extra: d.extra,
      reportEveryS: d.reportEveryS,
      model: d.model,
      source: d.source,
      problem: d.problem,
    };
  });
}
