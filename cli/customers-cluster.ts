/**
 * `evernet customers list|consent|export|erase … --cluster NATS_URLS` (add and remove: devices-cluster.ts
 * changeOnCluster): the customers of a running
 * cluster (docs/scale.md, "Running workers"). The owner of the customer's partition reads their
 * consent, exports or erases their data and writes the audit entry, as for the cluster's dashboard
 * (cluster/registry-remote.ts). A partition nobody serves is EVN_ERR_CLUSTER_UNSERVED (exit 1).
 */
import { writeFileSync } from 'node:fs';
import type { Helpdesk } from '../helpdesk/service.js';
import { printCustomers } from './customer-table.js';
import { failed } from './errors.js';
import { unservedExit, withRemoteRegistry } from './devices-cluster.js';

type C = Helpdesk['customers'];

export interface CustomersClusterArgs {
  verb: 'list' | 'consent' | 'export' | 'erase';
  natsUrls: string[];
  id?: string;
  by: string;
  json: boolean;
  out?: string;
}

export async function customersOnCluster(a: CustomersClusterArgs): Promise<number> {
  return withRemoteRegistry(a.natsUrls, async (registry) => {
    if (a.verb === 'list') {
      const { rows, unserved } = await registry.customers();
      printCustomers(rows, a.json);
      return unservedExit(unserved, 'customers');
    }
    const id = a.id!;
    if (a.verb === 'erase') {
      const r = await registry.customer<ReturnType<C['erase']>>({ op: 'erase', customerId: id, by: a.by, action: 'cli customers erase' });
      if (!r.ok) return failed(r);
      process.stderr.write(`customer '${id}' erased on the cluster by ${a.by} (by its partition's worker): ${Object.entries(r.value.counts).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      return 0;
    }
    let value: unknown;
    if (a.verb === 'consent') {
      const r = await registry.customer<ReturnType<C['consent']>>({ op: 'consent', customerId: id });
      if (!r.ok) return failed(r);
      // a staff view of the customer's data is in their audit log before it is shown
      await registry.audit(id, a.by, 'cli customers consent');
      value = r.value;
    } else {
      const r = await registry.customer<ReturnType<C['export']>>({ op: 'export', customerId: id, by: a.by, action: 'cli customers export' });
      if (!r.ok) return failed(r);
      value = r.value;
    }
    const json = `${JSON.stringify(value, null, 2)}\n`;
    if (a.out === undefined) process.stdout.write(json);
    else {
      writeFileSync(a.out, json, { mode: 0o600 });
      process.stderr.write(`${a.verb} of customer '${id}' written to ${a.out}\n`);
    }
    return 0;
  });
}
