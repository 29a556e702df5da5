/** A device's readings live across partitions (cluster/view-watch.ts): the owner's leases and the view's streams, renewals and readings. */
import { describe, expect, it } from 'vitest';
import { createViewWatch, createWatched, WATCH_MAX_LEASE_MS, type WatchRequest } from '../../cluster/view-watch.js';
import type { HelpdeskEvent } from '../../helpdesk/events.js';

describe("the owner's leases", () => {
  it('sends a device for the lease asked for, at most the longest lease, and no longer after forMs 0 or the lease', () => {
    const w = createWatched();
    expect(w.wants('maria', 'fridge', 0)).toBe(false);
    w.watch({ customerId: 'maria', deviceId: 'fridge', forMs: 15_000 }, 1000);
    expect(w.wants('maria', 'fridge', 16_000)).toBe(true);
    expect(w.wants('maria', 'car', 16_000)).toBe(false);
    expect(w.wants('maria', 'fridge', 16_001)).toBe(false);
    expect(w.size()).toBe(0);
    w.watch({ customerId: 'maria', deviceId: 'fridge', forMs: 10 * WATCH_MAX_LEASE_MS }, 0);
    expect(w.wants('maria', 'fridge', WATCH_MAX_LEASE_MS)).toBe(true);
    expect(w.wants('maria', 'fridge', WATCH_MAX_LEASE_MS + 1)).toBe(false);
    w.watch({ customerId: 'maria', deviceId: 'fridge', forMs: 15_000 }, 0);
    w.watch({ customerId: 'maria', deviceId: 'fridge', forMs: 0 }, 1);
    expect(w.wants('maria', 'fridge', 2)).toBe(false);
  });

  it('holds at most maxWatched devices (the oldest renewal gives way) and ignores a request without ids', () => {
    const w = createWatched({ maxWatched: 2 });
    for (const d of ['a', 'b', 'c']) w.watch({ customerId: 'maria', deviceId: d, forMs: 1000 }, 0);
    expect(['a', 'b', 'c'].map((d) => w.wants('maria', d, 0))).toEqual([false, true, true]);
    w.watch({ deviceId: 'x', forMs: 1000 } as unknown as WatchRequest, 0);
    expect(w.size()).toBe(2);
  });
});

describe("the view's streams", () => {
  const setup = (renewMs = 1_000_000) => {
    const sent: Array<[number, WatchRequest]> = [];
    const seen: HelpdeskEvent[] = [];
    const v = createViewWatch({ send: (p, r) => void sent.push([p, r]), partitionOf: (c) => (c === 'maria' ? 2 : 0), emit: (e) => void seen.push(e), leaseMs: 15_000, renewMs });
    return { sent, seen, v };
  };

  it('asks the owner once for two streams of one device, and says forMs 0 when the last ends', () => {
    const { sent, v } = setup();
    const end1 = v.watch('maria', 'fridge');
    const end2 = v.watch('maria', 'fridge');
    expect(sent).toEqual([[2, { customerId: 'maria', deviceId: 'fridge', forMs: 15_000 }]]);
    end1();
    end1();
    expect(v.shows('maria', 'fridge')).toBe(true);
    end2();
    expect(v.shows('maria', 'fridge')).toBe(false);
    expect(sent.at(-1)).toEqual([2, { customerId: 'maria', deviceId: 'fridge', forMs: 0 }]);
    v.stop();
  });

  it('renews every lease while a stream shows its device, and stops renewing once none does', async () => {
    const { sent, v } = setup(20);
    const end = v.watch('maria', 'fridge');
    await new Promise((r) => setTimeout(r, 110));
    const renewals = sent.filter(([, r]) => r.forMs === 15_000).length;
    expect(renewals).toBeGreaterThanOrEqual(3);
    end();
    const after = sent.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(sent.length).toBe(after);
  });

  it('hands on the readings of devices shown, and drops the rest and what is not a reading', () => {
    const { seen, v } = setup();
    v.watch('maria', 'fridge');
    v.take(JSON.stringify({ epoch: 'e', at: 5, customerId: 'maria', deviceId: 'fridge', readings: { cabinetTempC: 4 } }));
    v.take(JSON.stringify({ epoch: 'e', at: 6, customerId: 'maria', deviceId: 'car', readings: {} }));
    v.take('{not json');
    v.take('null');
    expect(seen).toEqual([{ type: 'telemetry', at: 5, customerId: 'maria', deviceId: 'fridge', readings: { cabinetTempC: 4 } }]);
    v.stop();
  });
});
