/**
 * The stream that keeps every partition's messages (docs/scale.md, "The NATS cluster"): EVERNET on
 * `evernet.part.*.>`, file storage, limits retention (messages stay until max age, whoever has read
 * them: a worker replays its partition from any acknowledged point), replicated on up to three nodes.
 *
 * The partition count is part of the stream: the server's mapping and every worker must agree on it,
 * or a customer's messages would be read by the wrong worker. NATS 2.9 streams have no metadata, so
 * the count is written in the description (`evernet partitions=4`); a worker or runner started with
 * another count gets EVN_ERR_CLUSTER_PARTITIONS from ensurePartitionStream, before it consumes
 * anything.
 */
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CLUSTER_ERR, ClusterError } from './errors.js';
import { partitionFilter, partitionOfSubject, STREAM, STREAM_SUBJECTS } from './subjects.js';

const DAY_MS = 86_400_000;
const nanos = (ms: number): number => ms * 1_000_000;

export interface PartitionStreamOptions {
  /** the partition count the caller was started with (the server's mapping must say the same) */
  partitions: number;
  /** copies of each message; default min(3, nodes of the cluster) */
  replicas?: number;
  /** how long messages are kept; default 7 days */
  maxAgeMs?: number;
  /** the window in which a publish with the same Nats-Msg-Id is stored once; default 2 minutes */
  duplicateWindowMs?: number;
}

/** `evernet partitions=4`: the stream's description, where the partition count is kept */
export const streamDescription = (partitions: number): string => `evernet partitions=${partitions}`;

/** the partition count a description records, or null if it records none */
export function partitionsOfDescription(description: string | undefined): number | null {
  const m = /\bpartitions=(\d+)\b/.exec(description ?? '');
  return m ? Number(m[1]) : null;
}

/** the nodes of the cluster the connection is on (the client URLs the server advertises), at least 1 */
export function clusterSize(nc: NatsConnection): number {
  const urls = new Set(nc.info?.connect_urls ?? []);
  return Math.max(1, urls.size);
}

const isNotFound = (e: unknown): boolean => e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound;

async function manager(nc: NatsConnection): Promise<JetStreamManager> {
  try {
    return await jetstreamManager(nc);
  } catch (e) {
    throw new ClusterError(CLUSTER_ERR.STREAM, `JetStream is not available on the NATS cluster: ${(e as Error).message}`);
  }
}

/**
 * Creates the stream if it is missing, or checks the one there: same subjects and the same partition
 * count. Returns its info. Throws EVN_ERR_CLUSTER_PARTITIONS (another count) or EVN_ERR_CLUSTER_STREAM.
 */
export async function ensurePartitionStream(nc: NatsConnection, options: PartitionStreamOptions): Promise<StreamInfo> {
  const { partitions } = options;
  if (!Number.isInteger(partitions) || partitions < 1) throw new ClusterError(CLUSTER_ERR.PARTITIONS, `the partition count must be a positive integer, not ${partitions}`);
  const jsm = await manager(nc);
  let info: StreamInfo | null = null;
  try {
    info = await jsm.streams.info(STREAM);
  } catch (e) {
    if (!isNotFound(e)) throw new ClusterError(CLUSTER_ERR.STREAM, `cannot read stream ${STREAM}: ${(e as Error).message}`);
  }
  if (!info) {
    try {
      info = await jsm.streams.add({
        name: STREAM,
        description: streamDescription(partitions),
        subjects: STREAM_SUBJECTS,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        max_age: nanos(options.maxAgeMs ?? 7 * DAY_MS),
        duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
        num_replicas: options.replicas ?? Math.min(3, clusterSize(nc)),
      });
    } catch (e) {
      // two workers starting at once: the other one made it first; check that one instead
      try {
        info = await jsm.streams.info(STREAM);
      } catch {
        throw new ClusterError(CLUSTER_ERR.STREAM, `cannot create stream ${STREAM}: ${(e as Error).message}`);
      }
    }
  }
  checkStream(info, partitions);
  return info;
}

/** throws unless the stream is evernet's, made for `partitions` partitions */
export function checkStream(info: StreamInfo, partitions: number): void {
  const subjects = info.config.subjects ?? [];
  if (subjects.length !== STREAM_SUBJECTS.length || subjects.some((s, i) => s !== STREAM_SUBJECTS[i])) {
    throw new ClusterError(CLUSTER_ERR.STREAM, `stream ${STREAM} keeps ${JSON.stringify(subjects)}, not ${JSON.stringify(STREAM_SUBJECTS)}: it was not made by evernet`);
  }
  const recorded = partitionsOfDescription(info.config.description);
  if (recorded === null) {
    throw new ClusterError(CLUSTER_ERR.STREAM, `stream ${STREAM} does not say its partition count (description ${JSON.stringify(info.config.description ?? '')})`);
  }
  if (recorded !== partitions) {
    throw new ClusterError(
      CLUSTER_ERR.PARTITIONS,
      `the cluster's stream ${STREAM} was made for ${recorded} partitions, this process was started with ${partitions}: start it with ${recorded}, or make a new cluster for ${partitions}`,
    );
  }
}

/** messages held per partition (`[p] = count`), from the stream's per-subject counts */
export async function partitionCounts(nc: NatsConnection, partitions: number): Promise<number[]> {
  const jsm = await manager(nc);
  const counts = new Array<number>(partitions).fill(0);
  const info = await jsm.streams.info(STREAM, { subjects_filter: '>' });
  for (const [subject, n] of Object.entries(info.state.subjects ?? {})) {
    const p = partitionOfSubject(subject);
    if (p !== null && p < partitions) counts[p]! += n;
  }
  return counts;
}

/**
 * The sequence of partition p's newest message in the stream, or 0 if it has none. With `timeoutMs`:
 * asked at once, waiting at most that long (no check of the JetStream API first, which needs the meta
 * leader: a partition's watchdog asks while a node may be down).
 */
export async function lastSeqOfPartition(nc: NatsConnection, p: number, o: { timeoutMs?: number } = {}): Promise<number> {
  const jsm = o.timeoutMs === undefined ? await manager(nc) : await jetstreamManager(nc, { checkAPI: false, timeout: o.timeoutMs });
  try {
    const m = await jsm.streams.getMessage(STREAM, { last_by_subj: partitionFilter(p) });
    return m?.seq ?? 0;
  } catch (e) {
    if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.NoMessageFound) return 0;
    throw e;
  }
}

/**
 * The partition count of the cluster's stream, read without creating anything (a command that joins
 * a running cluster): EVN_ERR_CLUSTER_STREAM when there is no evernet stream yet.
 */
export async function streamPartitions(nc: NatsConnection): Promise<number> {
  const jsm = await manager(nc);
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(STREAM);
  } catch (e) {
    if (isNotFound(e)) throw new ClusterError(CLUSTER_ERR.STREAM, `the cluster has no stream ${STREAM} yet: start a helpdesk worker on it first (evernet helpdesk --cluster …)`);
    throw new ClusterError(CLUSTER_ERR.STREAM, `cannot read stream ${STREAM}: ${(e as Error).message}`);
  }
  const recorded = partitionsOfDescription(info.config.description);
  checkStream(info, recorded ?? 0);
  return recorded!;
}
