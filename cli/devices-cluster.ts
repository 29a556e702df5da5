/**
 * `evernet devices list|accept|reject|add|remove … --cluster NATS_URLS`: the device registry of a
 * running cluster (docs/scale.md, "Running workers"). Each partition's owner answers for its devices,
 * decides a device of its customers, and adds or removes one (`changeOnCluster`, customers too), as
 * for the cluster's dashboard (cluster/registry-remote.ts); the partition count is the cluster's
 * stream's. A partition nobody answers for is EVN_ERR_CLUSTER_UNSERVED (exit 1; a list still prints
 * what the others answered).
 */
import { connectCluster } from '../cluster/nats/connect.js';
import { streamPartitions } from '../cluster/nats/stream.js';
import { remoteRegistry, UnservedError, type DeviceRow, type RemoteRegistry } from '../cluster/registry-remote.js';
import type { RegistryOp } from '../cluster/view-serve.js';
import { silentLogger } from '../log/logger.js';
import { failed } from './errors.js';
import { table } from './table.js';

export interface DevicesClusterArgs {
  verb: 'list' | 'accept' | 'reject';
  natsUrls: string[];
  customerId?: string;
  deviceId?: string;
  state?: string;
  by: string;
  json: boolean;
}

const time = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function printRows(rows: DeviceRow[], json: boolean): void {
  if (json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  if (!rows.length) return void process.stdout.write('no devices\n');
  const lines = rows.map((d) => [
    `${d.customerId}/${d.deviceId}`, d.kind, d.state, d.origin, d.name, d.online === null ? '-' : d.online ? 'online' : 'offline', time(d.lastSeenAt), d.problem ? `${d.problem.code}: ${d.problem.detail}` : '-',
  ]);
  process.stdout.write(`${table([['DEVICE', 'KIND', 'STATE', 'ORIGIN', 'NAME', 'ONLINE', 'LAST SEEN', 'PROBLEM'], ...lines])}\n`);
}

/** connects to the cluster, reads its partition count from its stream, runs fn, disconnects */
export async function withRemoteRegistry<T>(natsUrls: string[], fn: (registry: RemoteRegistry) => Promise<T>): Promise<T> {
  const nc = await connectCluster(natsUrls, { name: 'evernet-cli', log: silentLogger() });
  try {
    return await fn(remoteRegistry({ nc, partitions: await streamPartitions(nc) }));
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/** partitions nobody answered for: one coded line, exit code 1 (what the others answered is printed) */
export function unservedExit(unserved: number[], what: string): number {
  if (!unserved.length) return 0;
  const e = new UnservedError(unserved);
  process.stderr.write(`evernet: ${e.code}: ${e.message}; the list lacks their ${what}\n`);
  return 1;
}

/**
 * A customer or device added or removed by the owner of the customer's partition (its registry
 * checks the input as on a database file); `said` tells what was done from the registry's answer.
 */
export async function changeOnCluster<T>(natsUrls: string[], op: RegistryOp, said: (value: T) => string): Promise<number> {
  return withRemoteRegistry(natsUrls, async (registry) => {
    const r = await registry.change<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>(op);
    if (!r.ok) return failed(r);
    process.stderr.write(`${said(r.value)} on the cluster: its partition's worker made the change\n`);
    return 0;
  });
}

export async function devicesOnCluster(a: DevicesClusterArgs): Promise<number> {
  return withRemoteRegistry(a.natsUrls, async (registry) => {
    if (a.verb === 'list') {
      const { rows, unserved } = await registry.devices();
      printRows(rows.filter((d) => a.state === undefined || d.state === a.state), a.json);
      return unservedExit(unserved, 'devices');
    }
    const r = await registry.decide({ customerId: a.customerId!, deviceId: a.deviceId!, verdict: a.verb, by: a.by });
    if (!r.ok) return failed(r);
    process.stderr.write(`${r.value.kind} ${r.value.customerId}/${r.value.id} ${a.verb}ed by ${a.by} on the cluster (now ${r.value.state}): its partition's worker decided it\n`);
    return 0;
  });
}
