/**
 * A helpdesk worker on the NATS cluster (docs/scale.md): it serves the partitions that are its share
 * and takes over those of a worker that died.
 *
 * Who serves what: every worker says it is alive every second (`evernet._cluster.heartbeat`); the
 * workers heard from in the last `deadAfterMs` share the partitions by rendezvous hashing (each
 * partition goes to the worker with the highest hash of worker and partition), so every worker
 * computes the same share without a coordinator, and a worker that joins or leaves moves only its
 * own share. The share is a wish; ownership is the partition's advisory lock in PostgreSQL
 * (partition-db.ts), so two workers never write one partition, even while their views of who is
 * alive differ: a worker opens a partition only when the lock is free, and a partition it should no
 * longer serve it closes after a last checkpoint, which frees the lock for the new owner.
 *
 * The worker that serves partition 0 also keeps the leaders of `$MQTT_msgs` and `EVERNET` on different
 * nodes (nats/leaders.ts): one worker of a group at a time, as the partition's lock has one owner.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { createHash } from 'node:crypto';
import type { Clock } from '../contracts/index.js';
import type { Helpdesk } from '../helpdesk/service.js';
import { startHelpdeskStack, type HelpdeskStackOptions } from '../stack/helpdesk-stack.js';
import { openCheckpointStore } from './checkpoint-store.js';
import { connectCluster } from './nats/connect.js';
import { createLeaderKeeper } from './nats/leaders.js';
import { ensurePartitionStream } from './nats/stream.js';
import { DEFAULT_GROUP } from './nats/subjects.js';
import { createPartitionSchemas, partitionDbUrl, partitionLock } from './partition-db.js';
import { openPartition, type ReplayMark, type RunningPartition } from './partition.js';

/** a group's heartbeats and status requests: the workers of one helpdesk (one database) share its partitions */
export const heartbeatSubject = (group: string): string => `evernet._cluster.${group}.heartbeat`;
export const statusSubject = (group: string): string => `evernet._cluster.${group}.status`;
/** every group's heartbeats (a watcher's subscription) */
export const HEARTBEAT_SUBJECT = heartbeatSubject('*');

export interface WorkerOptions {
  /** this worker's name, unique in the cluster (default: host and pid) */
  id: string;
  /**
   * the workers that share the partitions (one helpdesk, one database); default 'default'. A replay's
   * workers are a group of their own, so that they never count another helpdesk's workers in
   */
  group?: string;
  /** partitions without a checkpoint start after this stream sequence (a replay: where the stream ended when it began); default 0, from the start */
  startAfterSeq?: number;
  /** a replay's run: marks of any other run in the stream are passed over */
  run?: string;
  natsUrls: readonly string[];
  /** the cluster's MQTT listeners: what the helpdesk decides goes to the devices' sessions through them */
  mqttUrls: readonly string[];
  /** how many partitions the cluster has (the stream and every worker must agree: EVN_ERR_CLUSTER_PARTITIONS) */
  partitions: number;
  /** the PostgreSQL database; each partition uses a schema of its own */
  db: string;
  /** the stack of one partition, without db and transport (the worker adds them) */
  stackOptions: (p: number) => Omit<HelpdeskStackOptions, 'db'>;
  mode: 'live' | 'replay';
  /** replay: sets partition p's clock (the one its stackOptions gave) to a mark's time, or to its checkpoint's */
  setClock?: (p: number, t: number) => void;
  clock: Clock;
  log: Logger;
  /** a worker not heard from for this long is taken for dead (ms); default 3000 */
  deadAfterMs?: number;
  /** ms between heartbeats and between looks at the share; default 1000 and 500 */
  heartbeatMs?: number;
  rebalanceMs?: number;
  /** wall ms between a partition's checkpoints; default 2000 */
  checkpointEveryMs?: number;
  /** a replay mark processed by one of this worker's partitions */
  onMark?: (p: number, mark: ReplayMark, helpdesk: Helpdesk) => void;
  /**
   * partitions handed to other workers at once (a worker that joins gets its share a few at a time, each
   * unserved only while it moves); default 2. A worker that stops hands all of its partitions on, and
   * one that dies loses them all: those are taken at once
   */
  maxReleasing?: number;
  /** live, while serving partition 0: ms between looks at the leaders of `$MQTT_msgs` and `EVERNET` (nats/leaders.ts; a replay looks once); default 5000 */
  leadersEveryMs?: number;
  /** a partition this worker serves from now on (the cluster's dashboard view: cluster/view-serve.ts); what it returns is called when it is released */
  onPartition?: (part: RunningPartition, nc: NatsConnection) => (() => void) | void;
}

export interface RunningWorker {
  id: string;
  nc: NatsConnection;
  /** the partitions this worker serves now */
  owned(): number[];
  partition(p: number): RunningPartition | undefined;
  stop(): Promise<void>;
}

/** rendezvous hashing: the live worker with the highest weight for p serves it */
export function ownerOf(p: number, workers: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestW = -1n;
  for (const w of workers) {
    const weight = createHash('sha256').update(`${w}\u0000${p}`).digest().readBigUInt64BE(0);
    if (weight > bestW || (weight === bestW && best !== undefined && w < best)) {
      best = w;
      bestW = weight;
    }
  }
  return best;
}

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const log = o.log.child({ worker: o.id });
  const group = o.group ?? DEFAULT_GROUP;
  const deadAfter = o.deadAfterMs ?? 3000;
  // everything that can fail for good fails here, before a message is taken: the database, the cluster, the stream
  await createPartitionSchemas(o.db, o.partitions);
  const nc = await connectCluster([...o.natsUrls], { name: `evernet-worker-${o.id}`, log });
  let out: MqttClient | null = null;
  const subs: Subscription[] = [];
  try {
    await ensurePartitionStream(nc, { partitions: o.partitions });
    const [first, ...rest] = o.mqttUrls;
    out = await mqtt.connectAsync(first!, {
      clientId: `evernet-worker-${o.id}`,
      clean: true,
      reconnectPeriod: 500,
      // any node will do: a node that goes away is replaced by the next
      servers: [first!, ...rest].map((u) => {
        const url = new URL(u);
        return { host: url.hostname, port: Number(url.port || 1883) };
      }),
    });
  } catch (e) {
    await out?.endAsync().catch(() => undefined);
    await nc.close().catch(() => undefined);
    throw e;
  }
  const mqttOut = out;

  const seen = new Map<string, number>([[o.id, Date.now()]]);
  const open = new Map<number, RunningPartition>();
  /** what onPartition asked to be told when each partition is released */
  const detach = new Map<number, () => void>();
  const busy = new Set<number>();
  let stopping = false;
  const leaders = createLeaderKeeper(nc, { intervalMs: o.leadersEveryMs, once: o.mode === 'replay', log });

  const alive = (): string[] => {
    const now = Date.now();
    seen.set(o.id, now);
    return [...seen].filter(([, t]) => now - t <= deadAfter).map(([w]) => w).sort();
  };

  const heartbeat = (): void => {
    if (!nc.isClosed()) nc.publish(heartbeatSubject(group), JSON.stringify({ worker: o.id, owned: [...open.keys()] }));
  };
  const hb = nc.subscribe(heartbeatSubject(group), {
    callback: (err, m) => {
      if (err) return;
      try {
        const { worker } = m.json<{ worker: string }>();
        if (typeof worker === 'string') seen.set(worker, Date.now());
      } catch {
        // not a heartbeat of ours: ignored
      }
    },
  });
  subs.push(hb);
  subs.push(
    nc.subscribe(statusSubject(group), {
      callback: (err, m) => {
        if (!err) m.respond(JSON.stringify({ worker: o.id, owned: [...open.keys()].sort((a, b) => a - b), alive: alive() }));
      },
    }),
  );

  const close = async (p: number, why: string): Promise<void> => {
    const part = open.get(p);
    if (!part) return;
    open.delete(p);
    busy.add(p);
    if (p === 0) await leaders.stop();
    log.info({ partition: p, why }, 'partition released');
    try {
      detach.get(p)?.();
      detach.delete(p);
      await part.stop();
    } catch (e) {
      log.error({ partition: p, err: (e as Error).message }, 'releasing the partition failed');
    } finally {
      busy.delete(p);
    }
  };

  const take = async (p: number): Promise<void> => {
    busy.add(p);
    try {
      const part = await openPartition({
        partition: p, nc, worker: o.id, log, mode: o.mode, clock: o.clock, setClock: (t) => o.setClock?.(p, t), startAfterSeq: o.startAfterSeq, run: o.run, checkpointEveryMs: o.checkpointEveryMs, onMark: o.onMark,
        publish: (topic, payload, retain) => mqttOut.publish(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos: 1, retain }),
        // confirmations at QoS 0 (contracts AckBody): nothing for the server to store, and a lost one is repeated
        publishAck: (topic, payload) => mqttOut.publish(topic, payload, { qos: 0 }),
        stack: (add) => {
          const base = o.stackOptions(p);
          return startHelpdeskStack({
            ...base, ...add,
            db: partitionDbUrl(o.db, p),
            postgres: { ...base.postgres, lockName: partitionLock(p), flushOn: 'demand', schema: [...(base.postgres?.schema ?? []), (path) => openCheckpointStore({ path, check: false })] },
            // the cluster groups every partition's facts (helpdesk/problems/regroup.ts), not each partition its own
            helpdesk: { ...base.helpdesk, ...add.helpdesk, groupProblems: false },
            live: o.mode === 'live',
            connect: true,
          });
        },
        onFatal: (q, err) => {
          log.error({ partition: q, code: (err as { code?: string }).code, err: err.message }, 'the partition cannot go on: released');
          void close(q, 'fatal');
        },
      });
      if (stopping) await part.stop();
      else {
        open.set(p, part);
        if (p === 0) leaders.start();
        const off = o.onPartition?.(part, nc);
        if (off) detach.set(p, off);
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      // the lock still held by the owner that is handing it over (or by one we take for dead too early): later
      if (code === 'EVN_ERR_DB_LOCKED') log.debug({ partition: p }, 'partition still locked');
      else log.warn({ partition: p, code, err: (e as Error).message }, 'opening the partition failed: retried');
    } finally {
      busy.delete(p);
    }
  };

  /** partitions being handed to another worker now */
  const releasing = new Set<number>();
  const rebalance = (): void => {
    if (stopping) return;
    const workers = alive();
    for (let p = 0; p < o.partitions; p++) {
      if (busy.has(p)) continue;
      const mine = ownerOf(p, workers) === o.id;
      if (mine && !open.has(p)) void take(p);
      else if (!mine && open.has(p) && releasing.size < (o.maxReleasing ?? 2)) {
        releasing.add(p);
        void close(p, 'another worker serves it now').finally(() => releasing.delete(p));
      }
    }
  };

  heartbeat();
  const hbTimer = setInterval(heartbeat, o.heartbeatMs ?? 1000);
  // a newcomer hears the others before it takes a share: otherwise it would take every partition and give most back
  await new Promise((r) => setTimeout(r, Math.min(deadAfter, (o.heartbeatMs ?? 1000) * 1.5)));
  rebalance();
  const rbTimer = setInterval(rebalance, o.rebalanceMs ?? 500);
  log.info({ partitions: o.partitions }, 'worker started');

  return {
    id: o.id,
    nc,
    owned: () => [...open.keys()].sort((a, b) => a - b),
    partition: (p) => open.get(p),
    async stop() {
      stopping = true;
      clearInterval(hbTimer);
      clearInterval(rbTimer);
      while (busy.size) await new Promise((r) => setTimeout(r, 20));
      for (const p of [...open.keys()]) await close(p, 'worker stopping');
      await leaders.stop();
      for (const s of subs) s.unsubscribe();
      await mqttOut.endAsync().catch(() => undefined);
      await nc.drain().catch(() => undefined);
    },
  };
}
