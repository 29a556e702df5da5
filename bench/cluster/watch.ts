/**
 * The `cluster` bench's view of a cluster replay, from its own NATS connection: who serves which
 * partition (the workers' heartbeats: `{ worker, owned }` every second), and each partition's answers
 * to the runner's window marks (`evernet._replay.<run>.done`: `{ p, w }`).
 *
 * The drill: once armed with the killed worker, the partition and the window just completed (the
 * killed worker answered every mark up to it, and the runner publishes the next one only after the
 * kill), the first answer of the partition to a later mark can only come from the worker that took it
 * over, after it resumed from the last checkpoint and replayed the stream since. That is
 * `markSeconds`; `servedSeconds` is the first heartbeat of another worker that lists the partition
 * (a heartbeat a second: up to a second late).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { connectCluster } from '../../cluster/nats/connect.js';
import { HEARTBEAT_SUBJECT } from '../../cluster/worker.js';

export interface ClusterWatch {
  /** the worker whose latest heartbeat lists partition p (undefined while it moves) */
  ownerOf(p: number): string | undefined;
  /** partitions per worker now, largest first ("2+2") */
  split(ids: readonly string[]): string;
  /** the kill happened now: `victim` served `p`, whose answers up to window `w` (ms) were all in */
  killed(p: number, victim: string, w: number): void;
  /** seconds from the kill to the first answer to a later mark, and to the partition served by another worker */
  failover(): { markSeconds: number | null; servedSeconds: number | null };
  close(): Promise<void>;
}

export async function watchCluster(natsUrls: readonly string[]): Promise<ClusterWatch> {
  const nc: NatsConnection = await connectCluster([...natsUrls], { name: 'evernet-bench-watch' });
  const owned = new Map<string, { at: number; owned: number[] }>();
  let drill: { p: number; victim: string; w: number; at: number; mark: number | null; served: number | null } | null = null;
  nc.subscribe(HEARTBEAT_SUBJECT, {
    callback: (err, m) => {
      if (err) return;
      const hb = m.json<{ worker: string; owned: number[] }>();
      const now = performance.now();
      owned.set(hb.worker, { at: now, owned: hb.owned });
      if (drill && drill.served === null && hb.worker !== drill.victim && hb.owned.includes(drill.p)) drill.served = now;
    },
  });
  nc.subscribe('evernet._replay.*.done', {
    callback: (err, m) => {
      if (err || !drill || drill.mark !== null) return;
      const d = m.json<{ p: number; w: number }>();
      if (d.p === drill.p && d.w > drill.w) drill.mark = performance.now();
    },
  });
  return {
    ownerOf(p) {
      let best: { worker: string; at: number } | undefined;
      for (const [worker, s] of owned) if (s.owned.includes(p) && (!best || s.at > best.at)) best = { worker, at: s.at };
      return best?.worker;
    },
    split: (ids) => ids.map((id) => owned.get(id)?.owned.length ?? 0).sort((a, b) => b - a).join('+'),
    killed(p, victim, w) {
      drill = { p, victim, w, at: performance.now(), mark: null, served: null };
    },
    failover() {
      const since = (t: number | null | undefined): number | null => (drill && t !== null && t !== undefined ? (t - drill.at) / 1000 : null);
      return { markSeconds: since(drill?.mark), servedSeconds: since(drill?.served) };
    },
    close: () => nc.close().catch(() => undefined),
  };
}
