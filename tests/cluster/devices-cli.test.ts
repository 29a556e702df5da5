/**
 * `evernet devices list|accept|reject --cluster` (cli/devices-cluster.ts) against a running cluster:
 * a real two-node NATS cluster whose four partitions are served over its subjects (view-serve.ts),
 * Maria's by a helpdesk with the dashboard fixture's devices, the others by empty ones. The list is
 * every partition's devices (and customers); a decision is made by the owner of the device's partition,
 * and so are a customer's consent, export and erasure (and their audit entries), and a customer or
 * device added or removed (checked by the owner's registry); a partition
 * nobody serves is EVN_ERR_CLUSTER_UNSERVED, a cluster without evernet's stream EVN_ERR_CLUSTER_STREAM,
 * no NATS EVN_ERR_CLUSTER_CONNECT, usage mistakes exit 2. Skipped without nats-server.
 */
import { readFileSync } from 'node:fs';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../cluster/nats/connect.js';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { servePartitionView } from '../../cluster/view-serve.js';
import { partitionOf } from '../../contracts/index.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../stack/helpdesk-stack.js';
import { evernet } from '../helpers/cli-capture.js';
import { natsAvailable, natsSkipReason } from '../helpers/nats.js';
import { startFixture, type Fixture } from '../helpdesk/web/fixture.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const P = 4;
const mine = partitionOf('maria', P);

describe('evernet devices --cluster: usage', () => {
  it('checks what it is given before it asks the cluster: one of --db and --cluster, NATS URLs, a device key, a kind, a verb', async () => {
    expect(await evernet('devices', 'add', 'maria/x', '--cluster', 'nats://127.0.0.1:4222')).toMatchObject({ code: 2, err: expect.stringContaining('--kind is required') });
    expect(await evernet('devices', 'frobnicate', 'maria/x', '--cluster', 'nats://127.0.0.1:4222')).toMatchObject({ code: 2, err: expect.stringContaining("unknown verb 'frobnicate'") });
    expect(await evernet('devices', 'list', '--cluster', 'nats://127.0.0.1:4222', '--db', 'x.db')).toMatchObject({ code: 2, err: expect.stringContaining('--cluster and --db: one or the other') });
    expect(await evernet('devices', 'list', '--cluster', 'http://127.0.0.1:4222')).toMatchObject({ code: 2, err: expect.stringContaining("--cluster must be a comma-separated list of NATS URLs like nats://127.0.0.1:4222, got 'http://127.0.0.1:4222'") });
    expect(await evernet('devices', 'accept', 'maria', '--cluster', 'nats://127.0.0.1:4222')).toMatchObject({ code: 2, err: expect.stringContaining('name the device as CUSTOMER/DEVICE') });
  });
});

describe.skipIf(!natsAvailable)(`evernet devices --cluster on a running cluster${natsSkipReason}`, () => {
  let f: Fixture;
  let nats: LocalCluster;
  let owner: NatsConnection;
  const empty: HelpdeskStack[] = [];
  const served = new Map<number, () => void>();
  let url: string;
  const tmp = tempDirPerTest('evernet-customers-cli-');

  beforeAll(async () => {
    [f, nats] = await Promise.all([startFixture(), startLocalCluster({ nodes: 2, partitions: P })]);
    url = nats.natsUrls[1]!;
    owner = await connectCluster(nats.natsUrls[0]!);
  }, 120_000);
  afterAll(async () => {
    for (const off of served.values()) off();
    for (const s of empty) await s.stop();
    await owner?.close();
    await nats?.stop();
    await f?.close();
  });

  it('says the cluster has no stream of evernet\'s before a worker made it, and that no NATS answers', async () => {
    expect(await evernet('devices', 'list', '--cluster', url)).toMatchObject({ code: 1, err: expect.stringMatching(/^evernet: EVN_ERR_CLUSTER_STREAM: the cluster has no stream EVERNET yet/) });
    expect(await evernet('devices', 'list', '--cluster', 'nats://127.0.0.1:1')).toMatchObject({ code: 1, err: expect.stringMatching(/^evernet: EVN_ERR_CLUSTER_CONNECT: cannot connect to the NATS cluster at nats:\/\/127\.0\.0\.1:1/) });
  }, 30_000);

  it('lists every partition\'s devices and has a device rejected and accepted again by its partition\'s owner', async () => {
    await ensurePartitionStream(owner, { partitions: P });
    for (let p = 0; p < P; p++) {
      let helpdesk = f.helpdesk;
      if (p !== mine) {
        const s = await startHelpdeskStack({ clock: { now: () => f.helpdesk.now() }, log: f.log, connect: false });
        empty.push(s);
        helpdesk = s.helpdesk;
      }
      served.set(p, servePartitionView({ nc: owner, partition: p, helpdesk, worker: `w-${p}`, log: f.log }));
    }
    const listed = await evernet('devices', 'list', '--cluster', url, '--json');
    expect(listed.code, listed.err).toBe(0);
    expect(JSON.parse(listed.out)).toEqual(JSON.parse(JSON.stringify(f.helpdesk.devices())));

    const state = () => f.helpdesk.devices().find((d) => d.customerId === 'maria' && d.deviceId === 'fridge')!.state;
    const rejected = await evernet('devices', 'reject', 'maria/fridge', '--by', 'ops', '--cluster', url);
    expect(rejected).toMatchObject({ code: 0, err: expect.stringContaining('fridge maria/fridge rejected by ops on the cluster (now rejected)') });
    expect(state()).toBe('rejected');
    const table = await evernet('devices', 'list', '--state', 'rejected', '--cluster', url);
    expect(table.out).toMatch(/^maria\/fridge\s+fridge\s+rejected\s/m);
    expect(table.out.trim().split('\n')).toHaveLength(2);
    expect(await evernet('devices', 'accept', 'maria/fridge', '--by', 'ops', '--cluster', url)).toMatchObject({ code: 0 });
    expect(state()).toBe('active');
    const unknown = await evernet('devices', 'accept', 'maria/no-such-device', '--cluster', url);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^evernet: EVN_ERR_[A-Z_]+: /);
  }, 30_000);

  it("adds and removes a customer and a device through the owner of the customer's partition, which checks them as on a database file", async () => {
    const home = partitionOf('jonas', P);
    const registryOf = () => (home === mine ? f.helpdesk : empty[[0, 1, 2, 3].filter((q) => q !== mine).indexOf(home)]!.helpdesk).registry;
    const added = await evernet('customers', 'add', 'jonas', '--name', 'Jonas', '--time-zone', 'Europe/Berlin', '--channels', 'sms', '--phone', '+49 30 5550100', '--cluster', url);
    expect(added).toMatchObject({ code: 0, err: "customer 'jonas' added on the cluster: its partition's worker made the change\n" });
    expect(registryOf().customer('jonas')).toMatchObject({ name: 'Jonas', timeZone: 'Europe/Berlin' });
    const device = await evernet('devices', 'add', 'jonas/car', '--kind', 'car-battery', '--name', 'Car', '--cluster', url);
    expect(device).toMatchObject({ code: 0, err: "car-battery jonas/car added (now active) on the cluster: its partition's worker made the change\n" });
    expect(JSON.parse((await evernet('devices', 'list', '--cluster', url, '--json')).out).some((d: { customerId: string; deviceId: string }) => d.customerId === 'jonas' && d.deviceId === 'car')).toBe(true);
    // the owner's registry checks the input: a device of a customer it does not have, a kind it does not know
    expect(await evernet('devices', 'add', 'nobody-here/car', '--kind', 'car-battery', '--cluster', url)).toMatchObject({ code: 1, err: expect.stringMatching(/^evernet: EVN_ERR_[A-Z_]+: /) });
    expect(await evernet('devices', 'add', 'jonas/boat', '--kind', 'boat', '--cluster', url)).toMatchObject({ code: 1, err: expect.stringMatching(/^evernet: EVN_ERR_REGISTRY_INPUT: kind: /) });
    expect(await evernet('customers', 'remove', 'jonas', '--cluster', url)).toMatchObject({ code: 1 });
    expect(await evernet('customers', 'remove', 'jonas', '--with-devices', '--cluster', url)).toMatchObject({ code: 0, err: "customer 'jonas' removed with car on the cluster: its partition's worker made the change\n" });
    expect(registryOf().customer('jonas')).toBeUndefined();
    expect(await evernet('devices', 'remove', 'jonas/car', '--cluster', url)).toMatchObject({ code: 1 });
  }, 30_000);

  it("lists every partition's customers; reads one's consent, exports and erases their data through their partition's owner, who audits it", async () => {
    const listed = await evernet('customers', 'list', '--cluster', url, '--json');
    expect(listed.code, listed.err).toBe(0);
    const rows = JSON.parse(listed.out) as Array<{ id: string; devices: number }>;
    expect(rows.map((c) => [c.id, c.devices])).toEqual([['maria', f.helpdesk.devices().filter((d) => d.customerId === 'maria').length]]);
    const trail = f.helpdesk.customers.auditOf('maria').length;
    const consent = await evernet('customers', 'consent', 'maria', '--by', 'ops', '--cluster', url);
    expect(consent.code, consent.err).toBe(0);
    const c = f.helpdesk.customers.consent('maria');
    expect(c.ok && JSON.parse(consent.out)).toEqual(c.ok && JSON.parse(JSON.stringify(c.value)));
    const out = tmp.join('maria.json');
    const exported = await evernet('customers', 'export', 'maria', '--by', 'ops', '--out', out, '--cluster', url);
    expect(exported).toMatchObject({ code: 0, err: `export of customer 'maria' written to ${out}\n` });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ customerId: 'maria' });
    expect(f.helpdesk.customers.auditOf('maria').slice(trail).map((e) => [e.by, e.action])).toEqual([['ops', 'cli customers consent'], ['ops', 'cli customers export']]);
    expect(await evernet('customers', 'consent', 'nobody-at-all', '--cluster', url)).toMatchObject({ code: 1, err: expect.stringMatching(/^evernet: EVN_ERR_(UNKNOWN_CUSTOMER|CLUSTER_UNSERVED): /) });
    const erased = await evernet('customers', 'erase', 'maria', '--by', 'ops', '--cluster', url);
    expect(erased.code, erased.err).toBe(0);
    expect(erased.err).toMatch(/^customer 'maria' erased on the cluster by ops \(by its partition's worker\): ticketsPseudonymised 3, /);
    expect(f.helpdesk.tickets().some((t) => t.customerId === 'maria')).toBe(false);
  }, 30_000);

  it('says which partitions nobody answers for, and still lists the others', async () => {
    const other = (mine + 1) % P;
    served.get(other)!();
    served.delete(other);
    const listed = await evernet('devices', 'list', '--cluster', url, '--json');
    expect(listed.code).toBe(1);
    expect(listed.err).toContain(`EVN_ERR_CLUSTER_UNSERVED: no worker answers for partition ${other} now`);
    expect(JSON.parse(listed.out)).toEqual(JSON.parse(JSON.stringify(f.helpdesk.devices())));
    const customers = await evernet('customers', 'list', '--cluster', url);
    expect(customers.code).toBe(1);
    expect(customers.err).toContain(`EVN_ERR_CLUSTER_UNSERVED: no worker answers for partition ${other} now (a takeover takes a few seconds, or no worker runs): try again; the list lacks their customers`);
    served.get(mine)!();
    served.delete(mine);
    expect(await evernet('devices', 'reject', 'maria/fridge', '--cluster', url)).toMatchObject({ code: 1, err: expect.stringContaining(`EVN_ERR_CLUSTER_UNSERVED: no worker answers for partition ${mine} now`) });
  }, 30_000);
});
