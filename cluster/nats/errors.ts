/** The coded errors of evernet's NATS layer (docs/scale.md, "The NATS cluster"). */
import { codeTable } from '../../contracts/errors.js';

export const CLUSTER_ERR = codeTable({
  /** no node of the cluster answers at start (the URLs are named, without credentials) */
  CONNECT: 'EVN_ERR_CLUSTER_CONNECT',
  /** the stream was made for another partition count than the worker's or runner's */
  PARTITIONS: 'EVN_ERR_CLUSTER_PARTITIONS',
  /** a local cluster (tests, the bench, `evernet cluster up`) that did not start: no nats-server, a node that exits, no leader in time */
  START: 'EVN_ERR_CLUSTER_START',
  /** the partition stream cannot be created or read, or exists with another shape */
  STREAM: 'EVN_ERR_CLUSTER_STREAM',
});

export type ClusterErrorCode = (typeof CLUSTER_ERR)[keyof typeof CLUSTER_ERR];

export class ClusterError extends Error {
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClusterError';
  }
}

/** a URL as it may be shown: user and password removed (`nats://u:p@h:4222` -> `nats://h:4222`) */
export function redactNatsUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(.*)$/i.exec(url.trim());
  return m ? `${m[1] ?? ''}${m[2] ?? ''}` : '(not a URL)';
}
