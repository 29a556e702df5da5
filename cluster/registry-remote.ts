/**
 * The registry and the customers' data of a running cluster, from outside it (`evernet devices …
 * --cluster`, `evernet customers … --cluster`): every partition's devices and customers, a device
 * accepted or rejected, a customer's consent read, their data exported or erased, each asked of
 * whichever worker serves the customer's partition, on the subjects the cluster's dashboard uses
 * (view-serve.ts). Nothing here writes PostgreSQL: the partition's owner does, as for the dashboard.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { partitionOf } from '../contracts/index.js';
import type { Helpdesk } from '../helpdesk/service.js';
import { customerOfOp, viewSubject, type CustomerOp, type RegistryOp, type DeviceDecision, type Page, type ViewCustomer, type ViewReply, type ViewVerb } from './view-serve.js';
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
  async function ask<T>(p: number, verb: Exclude<ViewVerb, 'events'>, body: unknown): Promise<ViewReply<T> | null> {
    try {
      return (await o.nc.request(viewSubject(p, verb), JSON.stringify(body), { timeout })).json<ViewReply<T>>();
    } catch {
      return null;
    }
  }
  const failed = (r: ViewReply<unknown> & { ok: false }): Error => Object.assign(new Error(r.error.message), { code: r.error.code });

  /** the owner's answer for a customer's partition (UnservedError when nobody answers) */
  async function owner<T>(customerId: string, verb: Exclude<ViewVerb, 'events'>, body: unknown): Promise<T> {
    const p = partitionOf(customerId, o.partitions);
    const r = await ask<T>(p, verb, body);
    if (!r) throw new UnservedError([p]);
    if (!r.ok) throw failed(r);
    return r.value;
  }

  return {
    /** every partition's customers (with their device counts), by partition; the partitions nobody answered for */
    async customers(): Promise<{ rows: ViewCustomer[]; unserved: number[] }> {
      const rows: ViewCustomer[] = [];
      const unserved: number[] = [];
      for (let p = 0; p < o.partitions; p++) {
        for (let offset: number | null = 0; offset !== null; ) {
          const r: ViewReply<Page<ViewCustomer, number>> | null = await ask<Page<ViewCustomer, number>>(p, 'get', { what: 'customers', offset });
          if (!r) {
            unserved.push(p);
            break;
          }
          if (!r.ok) throw failed(r);
          rows.push(...r.value.items);
          offset = r.value.next;
        }
      }
      return { rows, unserved };
    },
    /** a customer's consent read, their data exported or erased, by their partition's owner (who audits export and erasure) */
    customer: <T>(op: CustomerOp): Promise<T> => owner<T>(op.customerId, 'customer', op),
    /** a customer or device added or removed by the owner of the customer's partition: the registry's answer */
    change: <T>(op: RegistryOp): Promise<T> => owner<T>(customerOfOp(op), 'registry', op),
    /** an entry in the customer's audit log, written by their partition's owner */
    audit: (customerId: string, by: string, action: string, detail: Record<string, unknown> = {}): Promise<null> => owner<null>(customerId, 'audit', { customerId, by, action, detail }),
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
    decide: (d: DeviceDecision): Promise<Decided> => owner<Decided>(d.customerId, 'device', d),
  };
}
export type RemoteRegistry = ReturnType<typeof remoteRegistry>;
