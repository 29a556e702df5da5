/**
 * The device registry of a running cluster, from outside it (`evernet devices … --cluster`): every
 * partition's devices, and a device accepted or rejected, asked of whichever worker serves its
 * customer's partition, on the subjects the cluster's dashboard uses (view-serve.ts). Nothing here
 * writes PostgreSQL: the partition's owner decides, as it does for the dashboard.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { partitionOf } from '../contracts/index.js';
import type { Helpdesk } from '../helpdesk/service.js';
import { viewSubject, type DeviceDecision, type ViewReply } from './view-serve.js';
import { VIEW_ERR } from './view.js';

export type DeviceRow = ReturnType<Helpdesk['devices']>[number];
export type Decided = ReturnType<Helpdesk['decideDevice']>;

export interface RemoteRegistryOptions {
  nc: NatsConnection;
  /** the cluster's partition count (its stream's: stream.ts streamPartitions) */
  partitions: number;
  /** ms a partition's owner has to answer; default 3000 */
  timeoutMs?: number;
}

/** a partition nobody answers for (no worker serves it now, or it did not answer in time) */
export class UnservedError extends Error {
  readonly code = VIEW_ERR.UNSERVED;
  constructor(readonly partitions: number[]) {
    super(`no worker answers for partition${partitions.length > 1 ? 's' : ''} ${partitions.join(', ')} now (a takeover takes a few seconds, or no worker runs): try again`);
  }
}

export function remoteRegistry(o: RemoteRegistryOptions) {
  const timeout = o.timeoutMs ?? 3000;
  async function ask<T>(p: number, verb: 'get' | 'device', body: unknown): Promise<ViewReply<T> | null> {
    try {
      return (await o.nc.request(viewSubject(p, verb), JSON.stringify(body), { timeout })).json<ViewReply<T>>();
    } catch {
      return null;
    }
  }
  const failed = (r: ViewReply<unknown> & { ok: false }): Error => Object.assign(new Error(r.error.message), { code: r.error.code });

  return {
    /** every partition's devices, by partition; the partitions nobody answered for */
    async devices(): Promise<{ rows: DeviceRow[]; unserved: number[] }> {
      const answers = await Promise.all(Array.from({ length: o.partitions }, (_, p) => ask<DeviceRow[]>(p, 'get', { what: 'devices' })));
      const rows: DeviceRow[] = [];
      const unserved: number[] = [];
      for (const [p, r] of answers.entries()) {
        if (!r) unserved.push(p);
        else if (!r.ok) throw failed(r);
        else rows.push(...r.value);
      }
      return { rows, unserved };
    },
    /** staff accept or reject a device: its partition's owner decides (UnservedError when nobody answers) */
    async decide(d: DeviceDecision): Promise<Decided> {
      const p = partitionOf(d.customerId, o.partitions);
      const r = await ask<Decided>(p, 'device', d);
      if (!r) throw new UnservedError([p]);
      if (!r.ok) throw failed(r);
      return r.value;
    },
  };
}
