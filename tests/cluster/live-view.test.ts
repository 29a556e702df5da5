/**
 * The cluster's dashboard view (cluster/view.ts) against a partition served over real NATS
 * (cluster/view-serve.ts): a real helpdesk with the dashboard fixture's tickets and load (the day in
 * 2020 sliced to 18:35–19:00) serves Maria's partition; the view, on another connection, answers the
 * dashboard's API as that helpdesk does (the queue in several sorts and pages, a ticket, loads, charts,
 * the customer's consent, offers and export), groups problems across partitions, hands its events on,
 * has staff actions, device decisions and an erasure applied by the owner, says
 * EVN_ERR_CLUSTER_UNSERVED while nobody serves the partition and EVN_ERR_CLUSTER_VIEW for an answer too
 * large to send, and reads the partition whole again when a new owner (a new epoch) serves it.
 * Skipped without nats-server.
 */
import type { FastifyInstance } from 'fastify';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { deviceTopic, encode, partitionOf, stamp } from '../../contracts/index.js';
import { connectCluster } from '../../cluster/nats/connect.js';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { servePartitionView, viewSubject } from '../../cluster/view-serve.js';
import { causesOf, DEFAULT_GROUP_OPTIONS } from '../../helpdesk/problems/group.js';
import { regroup } from '../../helpdesk/problems/regroup.js';
import { createClusterView, type ClusterView } from '../../cluster/view.js';
import type { HelpdeskEvent } from '../../helpdesk/events.js';
import { buildApp } from '../../helpdesk/web/app.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../stack/helpdesk-stack.js';
import { natsAvailable, natsSkipReason } from '../helpers/nats.js';
import { until } from '../helpers/until.js';
import { login, startFixture, type Fixture } from '../helpdesk/web/fixture.js';
import { openStream, type SseStream } from '../helpdesk/web/sse-client.js';

const P = 4;
const p = partitionOf('maria', P);

describe.skipIf(!natsAvailable)(`the cluster's dashboard view of a partition served over NATS${natsSkipReason}`, () => {
  let f: Fixture;
  let nats: LocalCluster;
  let owner: NatsConnection;
  let viewer: NatsConnection;
  let view: ClusterView;
  let direct: FastifyInstance;
  let viaView: FastifyInstance;
  let s1: { cookie: string; csrf: string };
  let s2: { cookie: string; csrf: string };
  let unserve: () => void;
  const seen: HelpdeskEvent[] = [];

  beforeAll(async () => {
    [f, nats] = await Promise.all([startFixture(), startLocalCluster({ nodes: 2, partitions: P })]);
    // the owner and the dashboard are two processes in a cluster: two connections, to two nodes
    owner = await connectCluster(nats.natsUrls[0]!);
    viewer = await connectCluster(nats.natsUrls[1]!);
    // pages of one item: the view reads the partition page by page
    unserve = servePartitionView({ nc: owner, partition: p, helpdesk: f.helpdesk, worker: 'w-owner', log: f.log, maxPageBytes: 1 });
    view = createClusterView({ partitions: P, clock: { now: () => f.helpdesk.now() }, log: f.log, syncEveryMs: 600_000 });
    await view.start({ nc: viewer, local: () => undefined });
    // the owner's subscriptions reach the viewer's node within milliseconds (route interest)
    await until(async () => view.served().includes(p) || (await view.sync(), false), 5000, 'the partition read');
    view.on((e) => void seen.push(e));
    direct = buildApp({ helpdesk: f.helpdesk, staff: f.staff, tariff: f.tariff, log: f.log });
    viaView = buildApp({ helpdesk: view, staff: f.staff, tariff: f.tariff, log: f.log });
    s1 = await login(direct);
    s2 = await login(viaView, 'bob');
  }, 120_000);
  afterAll(async () => {
    view?.stop();
    await direct?.close();
    await viaView?.close();
    await owner?.close();
    await viewer?.close();
    await nats?.stop();
    await f?.close();
  });

  const get = (app: FastifyInstance, s: { cookie: string }, url: string) => app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { cookie: s.cookie } });
  const post = (url: string, payload: object) => viaView.inject({ method: 'POST', url: `/api/v1${url}`, headers: { cookie: s2.cookie, 'x-csrf-token': s2.csrf }, payload });

  it('reads the partition whole and answers the queue, a ticket and the loads as its helpdesk does', async () => {
    expect(view.served()).toEqual([p]);
    expect(f.helpdesk.tickets()).toHaveLength(3);
    const first = await get(viaView, s2, '/tickets?limit=1&sort=severity&order=asc');
    const cursor = (first.json() as { nextCursor: string }).nextCursor;
    expect(cursor).not.toBeNull();
    for (const url of ['/tickets', '/tickets?state=open', '/tickets?sort=sla&order=asc', '/tickets?sort=severity&order=asc&limit=1', `/tickets?sort=severity&order=asc&limit=1&cursor=${cursor}`, '/tickets?limit=0']) {
      const a = await get(direct, s1, url);
      const b = await get(viaView, s2, url);
      expect(b.statusCode, url).toBe(200);
      expect(b.json(), url).toEqual(a.json());
    }
    for (const t of f.helpdesk.tickets()) {
      const b = await get(viaView, s2, `/tickets/${t.id}`);
      expect(b.statusCode).toBe(200);
      expect(b.json()).toEqual((await get(direct, s1, `/tickets/${t.id}`)).json());
    }
    // loads: numbered id × P + p across partitions, the rest as the helpdesk has them
    const mine = f.helpdesk.loads({ slots: true }).loads;
    expect(mine.length).toBeGreaterThan(0);
    expect(view.loads({ slots: true }).loads).toEqual(mine.map((l) => ({ ...l, id: l.id * P + p })));
    expect((await get(viaView, s2, `/loads/maria/${mine[0]!.offerId}`)).json().load.offerId).toBe(mine[0]!.offerId);
    expect((await get(viaView, s2, '/devices')).json().devices).toEqual((await get(direct, s1, '/devices')).json().devices);
  });

  it('groups the facts of two partitions into one problem, as one helpdesk holding both would, and tells it live', async () => {
    const t = f.helpdesk.tickets();
    const q = (p + 1) % P;
    type Fact = { ticketId: string; openedAt: number };
    const fact = (x: Fact) => ({ ticketId: x.ticketId, kind: 'fridge-warm', deviceKind: 'fridge' as const, openedAt: x.openedAt, causes: causesOf({ kind: 'fridge', model: 'KF-1' }, undefined) });
    // this partition's three tickets (their facts told again, as of fridges of one model), and a fourth in another partition
    const here = t.map((x) => fact({ ticketId: x.id, openedAt: x.openedAt }));
    const there = [fact({ ticketId: 'T-of-partition-q', openedAt: t[2]!.openedAt + 60_000 })];
    const options = { ...DEFAULT_GROUP_OPTIONS, threshold: 4 };
    const share = (facts: ReturnType<typeof fact>[]) => ({ facts, census: { 'fridge|model|KF-1': facts.length }, options });
    // apart, neither reaches the threshold
    for (const part of [here, there]) expect(regroup(part, new Map([['fridge|model|KF-1', part.length]]), () => 'opened', options)).toEqual([]);
    owner.publish(viewSubject(p, 'events'), JSON.stringify({ epoch: 'x', type: 'fact', at: t[2]!.openedAt, share: share(here) }));
    owner.publish(viewSubject(q, 'events'), JSON.stringify({ epoch: 'x', type: 'fact', at: there[0]!.openedAt, share: share(there) }));
    await until(() => seen.some((e) => e.type === 'problem'), 5000, 'the problem event');
    expect(seen.filter((e) => e.type === 'problem').map((e) => e.note)).toEqual(['opened']);
    // the id one helpdesk holding all four would give (no partition in it), states as the tickets are
    const expected = regroup([...here, ...there], new Map([['fridge|model|KF-1', 4]]), (id) => f.helpdesk.ticket(id)?.state, options);
    expect(expected).toHaveLength(1);
    expect(view.problems!()).toEqual(expected);
    const ids = [...t.map((x) => x.id), 'T-of-partition-q'];
    const list = (await get(viaView, s2, '/problems')).json().problems as Array<{ id: string; ticketIds: string[] }>;
    expect(list.map((x) => [x.id, x.ticketIds])).toEqual([[expected[0]!.id, ids]]);
    const detail = await get(viaView, s2, `/problems/${expected[0]!.id}`);
    expect(detail.statusCode).toBe(200);
    // its tickets in full: those the view holds (the fourth's partition has no owner in this test)
    expect((detail.json().problem.tickets as Array<{ id: string }>).map((x) => x.id)).toEqual(t.map((x) => x.id));
    // a linked ticket resolved: its problem told again with the link's new state
    const open = expected[0]!.openTickets;
    const contacted = t.find((x) => x.state === 'contacted')!;
    expect((await post(`/tickets/${contacted.id}/resolve`, { note: 'fixed' })).statusCode).toBe(200);
    await until(() => seen.filter((e) => e.type === 'problem').length === 2, 5000, 'the problem told again');
    const again = seen.filter((e) => e.type === 'problem')[1] as Extract<HelpdeskEvent, { type: 'problem' }>;
    expect(again.note).toBe('its tickets changed state');
    expect(again.problem.links.find((l) => l.ticketId === contacted.id)!.state).toBe('resolved');
    expect(again.problem.openTickets).toBe(open - 1);
    expect(view.problems!()).toEqual([again.problem]);
  });

  it('has a staff action applied by the partition\'s helpdesk, answers with its result, and hands the event on', async () => {
    const t = f.helpdesk.tickets().find((x) => x.kind === 'fridge-warm')!;
    const r = await post(`/tickets/${t.id}/assign`, { to: 'alice' });
    expect(r.statusCode).toBe(200);
    expect(r.json().ticket.assignee).toBe('alice');
    expect(f.helpdesk.ticket(t.id)!.timeline.at(-1)).toMatchObject({ by: 'bob', detail: { kind: 'assigned', to: 'alice' } });
    await until(() => seen.some((e) => e.type === 'ticket' && e.ticket.id === t.id && e.ticket.timeline.length === f.helpdesk.ticket(t.id)!.timeline.length), 5000, 'the ticket event through the view');
    // the helpdesk's refusal is the API's answer: a resolved ticket cannot be resolved again
    const done = f.helpdesk.tickets().find((x) => x.state === 'resolved')!;
    const refused = await post(`/tickets/${done.id}/resolve`, { note: 'again' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('EVN_ERR_TICKET_STATE');
    // what it cannot do for another worker's partition: coded
    // a chart is read from the owner: the same answer as on its helpdesk
    const chart = await get(viaView, s2, `/tickets/${t.id}/telemetry`);
    expect(chart.statusCode).toBe(200);
    expect(chart.json()).toEqual((await get(direct, s1, `/tickets/${t.id}/telemetry`)).json());
    expect(chart.json().points.length).toBeGreaterThan(0);
    const device = await get(viaView, s2, '/devices/maria/fridge/telemetry?minutes=60');
    expect(device.json()).toEqual((await get(direct, s1, '/devices/maria/fridge/telemetry?minutes=60')).json());
    // the customer's consent, offers and export are read from the owner, and audited there
    const audited = f.helpdesk.customers.auditOf('maria').length;
    for (const url of ['/customers/maria/consent', '/customers/maria/offers']) {
      const b = await get(viaView, s2, url);
      expect(b.statusCode, url).toBe(200);
      expect(b.json(), url).toEqual((await get(direct, s1, url)).json());
    }
    const exported = await get(viaView, s2, '/customers/maria/export');
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toBe('attachment; filename="evernet-customer-maria.json"');
    expect(exported.json()).toMatchObject({ customerId: 'maria' });
    expect(exported.json().tickets.map((x: { id: string }) => x.id).sort()).toEqual(f.helpdesk.tickets().map((x) => x.id).sort());
    const trail = f.helpdesk.customers.auditOf('maria').slice(audited);
    expect(trail.filter((e) => e.by === 'bob').map((e) => e.action)).toEqual(['GET /api/v1/customers/:id/consent', 'GET /api/v1/customers/:id/offers', 'GET /api/v1/customers/:id/export']);
    // a customer the owner does not know: its answer (a customer of an unserved partition would be EVN_ERR_CLUSTER_UNSERVED)
    const stranger = Array.from({ length: 64 }, (_, i) => `nobody-${i}`).find((c) => partitionOf(c, P) === p)!;
    expect((await get(viaView, s2, `/customers/${stranger}/consent`)).statusCode).toBe(404);
    // a device rejected and accepted again through the view: decided by the owner, shown at once
    const state = () => f.helpdesk.devices().find((d) => d.customerId === 'maria' && d.deviceId === 'fridge')!.state;
    expect(state()).toBe('active');
    const rejected = await post('/devices/maria/fridge/reject', {});
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json().device).toMatchObject({ deviceId: 'fridge', state: 'rejected', decidedBy: 'bob' });
    expect(state()).toBe('rejected');
    const accepted = await post('/devices/maria/fridge/accept', {});
    expect(accepted.json().device).toMatchObject({ state: 'active', decidedBy: 'bob' });
    expect(state()).toBe('active');
    expect((await post('/devices/maria/no-such-device/accept', {})).json().error.code).toBe('EVN_ERR_DEVICE_NOT_FOUND');
    // a ticket view is audited by the owner before it is answered
    const before = f.helpdesk.customers.auditOf('maria').length;
    expect((await get(viaView, s2, `/tickets/${t.id}`)).statusCode).toBe(200);
    expect(f.helpdesk.customers.auditOf('maria').length).toBe(before + 1);
  });

  it("streams a device's readings to a dashboard in another process while a stream shows it, asked of the partition's owner", async () => {
    const url = await viaView.listen({ port: 0, host: '127.0.0.1' });
    const device = await mqtt.connectAsync(f.broker.url, { clientId: 'live-view-fridge' });
    // what the owner sends, on its own connection: each publish arrives here before its flush() answers
    let forwarded = 0;
    const counted = owner.subscribe(viewSubject(p, 'telemetry'), { callback: () => void forwarded++ });
    const topic = deviceTopic('maria', 'fridge', 'telemetry');
    let at = f.helpdesk.now();
    let seq = 0;
    let s: SseStream | null = null;
    /** one reading of Maria's fridge, taken by the owner's helpdesk; whether the owner sent it on */
    const reading = async (cabinetTempC: number): Promise<boolean> => {
      at += 60_000;
      const before = { received: f.helpdesk.stats().received, forwarded };
      const readings = { cabinetTempC, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: true, powerW: 85 };
      await device.publishAsync(topic, encode(topic, stamp({ kind: 'fridge', readings }, at, ++seq)), { qos: 1 });
      await until(() => f.helpdesk.stats().received > before.received, 5000, 'the reading received');
      f.helpdesk.advance(at);
      await owner.flush();
      return forwarded > before.forwarded;
    };
    try {
      // nobody looks: the owner sends nothing
      expect(await reading(4.1)).toBe(false);
      s = await openStream(`${url}/api/v1/events?device=maria/fridge`, { cookie: s2.cookie });
      const stream = s;
      await stream.next((e) => e.event === 'hello');
      // the stream's watch reaches the owner a moment later
      await until(async () => (await reading(4.3), stream.events.some((e) => e.event === 'telemetry')), 10_000, 'a reading on the stream');
      const first = stream.events.find((e) => e.event === 'telemetry')!;
      expect(first.data).toMatchObject({ customerId: 'maria', deviceId: 'fridge', readings: { cabinetTempC: 4.3, compressorOn: true } });
      expect(await reading(4.6)).toBe(true);
      await stream.next((e) => e.event === 'telemetry' && (e.data as { readings: { cabinetTempC: number } }).readings.cabinetTempC === 4.6);
      // the stream ends: the view tells the owner, which stops sending
      stream.close();
      await until(async () => !(await reading(4.8)), 10_000, 'the owner no longer sending');
      expect(await reading(5.0)).toBe(false);
    } finally {
      s?.close();
      counted.unsubscribe();
      await device.endAsync();
    }
  });

  it('says EVN_ERR_CLUSTER_UNSERVED while nobody serves the partition, and reads it whole again from a new owner', async () => {
    unserve();
    const t = f.helpdesk.tickets()[0]!;
    const r = await post(`/tickets/${t.id}/acknowledge`, {});
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('EVN_ERR_CLUSTER_UNSERVED');
    for (const res of [await post('/devices/maria/fridge/reject', {}), await get(viaView, s2, `/tickets/${t.id}/telemetry`)]) {
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('EVN_ERR_CLUSTER_UNSERVED');
    }
    // a ticket view is not answered when its audit entry cannot be written
    expect((await get(viaView, s2, `/tickets/${t.id}`)).statusCode).toBe(500);
    await view.sync();
    expect(view.served()).toEqual([]);
    // what it read stays on the page meanwhile
    expect((await get(viaView, s2, '/tickets')).json().total).toBe(3);

    // another helpdesk serves the partition now (a new epoch): what the view held of it is replaced
    let other: HelpdeskStack | null = null;
    try {
      other = await startHelpdeskStack({ clock: { now: () => f.helpdesk.now() }, log: f.log, connect: false });
      const off = servePartitionView({ nc: owner, partition: p, helpdesk: other.helpdesk, worker: 'w-new', log: f.log });
      // the new subscription reaches the viewer's node within milliseconds (route interest): until then, unserved
      await until(async () => (await view.sync(), view.served().includes(p)), 5000, 'the partition served again');
      expect((await get(viaView, s2, '/tickets')).json()).toMatchObject({ total: 0, tickets: [] });
      expect(view.loads().total).toBe(0);
      off();
    } finally {
      await other?.stop();
    }
  });

  it("erases a customer of another worker's partition through its owner: their tickets leave the view at once, the pseudonymised copies come with the next read", async () => {
    let off = servePartitionView({ nc: owner, partition: p, helpdesk: f.helpdesk, worker: 'w-local', log: f.log });
    const local = createClusterView({ partitions: P, clock: { now: () => f.helpdesk.now() }, log: f.log, syncEveryMs: 600_000 });
    const app = buildApp({ helpdesk: local, staff: f.staff, tariff: f.tariff, log: f.log });
    try {
      // this process serves no partition: the erasure is the owner's, over NATS
      await local.start({ nc: owner, local: () => undefined });
      await until(async () => local.served().includes(p) || (await local.sync(), false), 5000, 'the partition read');
      const s = await login(app, 'alice');
      const tickets = async () => (await app.inject({ method: 'GET', url: '/api/v1/tickets', headers: { cookie: s.cookie } })).json().tickets as Array<{ customerId: string }>;
      // an export larger than the owner may send between workers: said, with the worker to ask instead
      off();
      const tiny = servePartitionView({ nc: owner, partition: p, helpdesk: f.helpdesk, worker: 'w-tiny', log: f.log, maxReplyBytes: 2000 });
      try {
        const big = await app.inject({ method: 'GET', url: '/api/v1/customers/maria/export', headers: { cookie: s.cookie } });
        expect(big.statusCode).toBe(409);
        expect(big.json().error).toMatchObject({ code: 'EVN_ERR_CLUSTER_VIEW', message: expect.stringContaining('ask the worker that serves partition') });
        expect(big.json().error.message).toContain('(w-tiny)');
      } finally {
        tiny();
      }
      off = servePartitionView({ nc: owner, partition: p, helpdesk: f.helpdesk, worker: 'w-local', log: f.log });
      expect((await tickets()).map((t) => t.customerId)).toEqual(['maria', 'maria', 'maria']);
      const r = await app.inject({ method: 'POST', url: '/api/v1/customers/maria/erase', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: {} });
      expect(r.statusCode).toBe(200);
      expect(r.json().erased).toMatchObject({ ticketsPseudonymised: 3, devices: 3 });
      expect(f.helpdesk.tickets().some((t) => t.customerId === 'maria')).toBe(false);
      expect(await tickets()).toEqual([]);
      await until(async () => (await local.sync(), (await tickets()).length === 3), 5000, 'the pseudonymised tickets');
      expect((await tickets()).some((t) => t.customerId === 'maria')).toBe(false);
    } finally {
      local.stop();
      off();
      await app.close();
    }
  });
});
