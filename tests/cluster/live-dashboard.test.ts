/**
 * Live helpdesk workers on the cluster and the dashboard across partitions (docs/scale.md, "Running
 * workers"): three nats-server nodes, PostgreSQL, two `evernet helpdesk --cluster` processes (one with
 * --http), on one scaled clock. Two fridges of customers whose partitions the two workers serve hold
 * their doors open over MQTT (mqtt.js on two nodes); each worker opens its customer's ticket. The
 * dashboard of ONE worker lists both tickets (and its live stream carried both), shows the other
 * worker's ticket whole, and a staff action on it is applied by that worker (asked over NATS) and seen
 * on the next read; a chart of the other worker's device is read from it; a second dashboard on
 * the database is EVN_ERR_DB_LOCKED at start. A third worker joins and takes that partition over: the
 * dashboard reads it again and the next action goes to the new owner. SIGTERM stops them
 * with a checkpoint of every partition. Real processes on loopback; skipped without nats-server or PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pgLib from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic, FridgeReadings, partitionOf } from '../../contracts/index.js';
import { scaledClock } from '../../contracts/clock.js';
import { connectCluster } from '../../cluster/nats/connect.js';
import { heartbeatSubject } from '../../cluster/worker.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { partitionSchema } from '../../cluster/partition-db.js';
import { viewSubject } from '../../cluster/view-serve.js';
import { ownerOf } from '../../cluster/worker.js';
import { openStaffStore } from '../../helpdesk/staff/store.js';
import { silentLogger } from '../../log/logger.js';
import { openPostgresDb } from '../../stack/postgres-db.js';
import { natsAvailable, natsSkipReason } from '../helpers/nats.js';
import { pgBinaries, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { until } from '../helpers/until.js';
import { openStream, type SseStream } from '../helpdesk/web/sse-client.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const P = 4;
const PASSWORD = 'correct horse battery';
const RATE = 60;
const START = Date.parse('2026-11-30T08:00:00Z');

const ready = natsAvailable && pgBinaries !== null;
const why = !natsAvailable ? natsSkipReason : pgBinaries ? '' : ' (skipped: PostgreSQL is not installed)';

/** two worker names that share the 4 partitions (rendezvous hashing could give one all of them) */
function workerIds(): [string, string] {
  for (let i = 0; ; i++) {
    const ids = [`live-a${i}`, `live-b${i}`] as const;
    const owners = Array.from({ length: P }, (_, p) => ownerOf(p, [...ids]));
    if (ids.every((w) => owners.includes(w))) return [ids[0], ids[1]];
  }
}

/** a customer id whose partition `worker` serves */
function customerOf(worker: string, ids: string[], not: string[] = []): string {
  for (let i = 0; ; i++) {
    const c = `home-${i}`;
    if (!not.includes(c) && ownerOf(partitionOf(c, P), ids) === worker) return c;
  }
}

/** what these tests read of the API's answers */
interface TicketJson {
  id: string;
  customerId: string;
  deviceId: string;
  kind: string;
  state: string;
  assignee: string | null;
  timeline: unknown[];
}
interface Answer {
  tickets: TicketJson[];
  ticket: TicketJson;
  devices: Array<{ customerId: string }>;
  error: { code: string };
  /** a telemetry chart */
  points: unknown[];
}

interface Worker {
  child: ChildProcess;
  err: () => string;
  exited: Promise<number | null>;
}

describe.skipIf(!ready)(`live workers and the dashboard across partitions${why}`, () => {
  let pg: TestPostgres;
  let nats: LocalCluster;
  let db: string;
  const workers: Worker[] = [];
  const devices: MqttClient[] = [];
  let stream: SseStream | null = null;

  beforeAll(async () => {
    [pg, nats] = await Promise.all([startTestPostgres(), startLocalCluster({ nodes: 3, partitions: P })]);
    const nc = await connectCluster(nats.natsUrls);
    await ensurePartitionStream(nc, { partitions: P });
    await nc.close();
    db = await pg.createDatabase('live');
    // a staff account where `evernet staff add --db postgres://…` puts it: the database's public schema
    const mirror = await openPostgresDb({ url: db, log: silentLogger(), onFailure: () => {} });
    const staff = mirror.wrap(openStaffStore({ path: mirror.path, check: false }));
    expect((await staff.add('alice', PASSWORD)).ok).toBe(true);
    await mirror.flushed();
    staff.close();
    await mirror.close();
  }, 120_000);

  afterAll(async () => {
    stream?.close();
    await Promise.all(devices.map((d) => d.endAsync().catch(() => undefined)));
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await nats?.stop();
    pg?.stop();
  });

  it('one worker\'s dashboard lists, shows and acts on the tickets of both workers\' partitions', async () => {
    const [a, b] = workerIds();
    const origin = new Date().toISOString();
    const clock = scaledClock({ startMs: START, rate: RATE, originMs: Date.parse(origin) });
    const start = (id: string, http: boolean): Worker => {
      const child = spawn(process.execPath, [
        '--import', 'tsx', CLI, 'helpdesk', '--cluster', nats.natsUrls.join(','), '--cluster-mqtt', nats.mqttUrls.join(','), '--db', db,
        '--partitions', String(P), '--worker-id', id, '--registration', 'trust-broker', '--time-zone', 'Europe/Berlin',
        '--clock-start', new Date(START).toISOString(), '--clock-rate', String(RATE), '--clock-origin', origin, '--log-level', 'warn',
        ...(http ? ['--http', '127.0.0.1:0'] : []),
      ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (c) => (err += String(c)));
      child.stdout!.resume();
      const w = { child, err: () => err, exited: new Promise<number | null>((r) => child.once('exit', (code) => r(code))) };
      workers.push(w);
      return w;
    };
    const wa = start(a, true);
    const wb = start(b, false);
    await until(() => /dashboard at (http:\S+):/.test(wa.err()), 60_000, () => `worker ${a}'s dashboard; stderr: ${wa.err()}`);
    const url = /dashboard at (http:\S+):/.exec(wa.err())![1]!;

    // each worker serves its share: heard in their heartbeats
    const nc = await connectCluster(nats.natsUrls);
    const owned = new Map<string, number[]>();
    const hb = nc.subscribe(heartbeatSubject('default'), { callback: (_e, m) => void owned.set(m.json<{ worker: string }>().worker, m.json<{ owned: number[] }>().owned) });
    await until(async () => (await new Promise((r) => setTimeout(r, 100)), (owned.get(a)?.length ?? 0) + (owned.get(b)?.length ?? 0) === P && (owned.get(a)?.length ?? 0) > 0), 60_000, () => `both workers serving: ${JSON.stringify([...owned])}; ${wa.err()} ${wb.err()}`);
    hb.unsubscribe();
    const ca = customerOf(a, [a, b]);
    const cb = customerOf(b, [a, b]);
    expect(owned.get(a)).toContain(partitionOf(ca, P));
    expect(owned.get(b)).toContain(partitionOf(cb, P));

    // staff log in on worker a's dashboard and watch its live stream
    const login = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrf } = (await login.json()) as { csrf: string };
    const api = async (path: string, init: RequestInit = {}) => {
      const r = await fetch(`${url}/api/v1${path}`, { ...init, headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf, ...(init.headers as Record<string, string>) } });
      return { status: r.status, body: (await r.json()) as Answer };
    };
    stream = await openStream(`${url}/api/v1/events`, { cookie });

    // two fridges, on two nodes, their doors held open (3 min opens a ticket): 15 s of event time every 250 ms
    for (const [i, c] of [ca, cb].entries()) {
      const d = await mqtt.connectAsync(nats.mqttUrls[i]!, { clientId: `fridge-${c}`, clean: true, connectTimeout: 15_000 });
      devices.push(d);
      await d.publishAsync(deviceTopic(c, 'fridge', 'announce'), JSON.stringify({ v: 1, ts: clock.now(), seq: 1, kind: 'fridge', name: `${c}'s fridge`, measures: Object.keys(FridgeReadings.shape), reportEveryS: 3600, source: 'other' }), { qos: 1 });
    }
    let seq = 1;
    const readings: FridgeReadings = { cabinetTempC: 7.5, ambientTempC: 21, setpointC: 4, doorOpen: true, compressorOn: true, powerW: 90 };
    const send = setInterval(() => {
      seq++;
      for (const [i, c] of [ca, cb].entries()) {
        void devices[i]!.publishAsync(deviceTopic(c, 'fridge', 'telemetry'), JSON.stringify({ v: 1, ts: clock.now(), seq, kind: 'fridge', readings }), { qos: 1 }).catch(() => undefined);
      }
    }, 250);
    let ta: TicketJson | undefined;
    let tb: TicketJson | undefined;
    let last: unknown = null;
    try {
      await until(async () => {
        await new Promise((r) => setTimeout(r, 200));
        const { body } = await api('/tickets');
        last = body;
        const list = body.tickets;
        ta = list.find((t) => t.customerId === ca && t.kind === 'fridge-door-open');
        tb = list.find((t) => t.customerId === cb && t.kind === 'fridge-door-open');
        return ta !== undefined && tb !== undefined;
      }, 60_000, () => `both tickets on ${a}'s dashboard: ${JSON.stringify(last)}; ${wa.err()} ${wb.err()}`);
    } finally {
      clearInterval(send);
    }
    // both came live too, on the one stream; the page's clock moved with this worker's own partitions' telemetry
    for (const t of [ta!, tb!]) await stream.next((e) => e.event === 'ticket' && (e.data as { ticket: { id: string } }).ticket.id === t.id, 10_000);
    await stream.next((e) => e.event === 'clock', 5000);

    // the other worker's ticket, whole
    const detail = await api(`/tickets/${tb!.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.ticket).toMatchObject({ id: tb!.id, customerId: cb, deviceId: 'fridge', kind: 'fridge-door-open' });
    expect(detail.body.ticket.timeline.length).toBeGreaterThan(0);

    // a staff action on it: applied by its owner, answered with its result, seen on the next read
    const assigned = await api(`/tickets/${tb!.id}/assign`, { method: 'POST', body: JSON.stringify({ to: 'alice' }) });
    expect(assigned.status).toBe(200);
    expect(assigned.body.ticket.assignee).toBe('alice');
    const owner = await nc.request(viewSubject(partitionOf(cb, P), 'get'), JSON.stringify({ what: 'tickets' }), { timeout: 5000 });
    const atOwner = owner.json<{ worker: string; value: { items: Array<{ ticket: { id: string; timeline: Array<{ by?: string; detail?: { kind?: string; to?: string } }> } }> } }>();
    expect(atOwner.worker).toBe(b);
    const mine = atOwner.value.items.find((x) => x.ticket.id === tb!.id)!.ticket;
    expect(mine.timeline.some((e) => e.detail?.kind === 'assigned' && e.detail.to === 'alice' && e.by === 'alice')).toBe(true);
    expect((await api(`/tickets/${tb!.id}`)).body.ticket.assignee).toBe('alice');
    expect((await api('/tickets')).body.tickets.find((t) => t.id === tb!.id)!.assignee).toBe('alice');
    // and one on its own partition's ticket, applied here
    const resolved = await api(`/tickets/${ta!.id}/resolve`, { method: 'POST', body: JSON.stringify({ note: 'door closed by the customer' }) });
    expect(resolved.status).toBe(200);
    expect(resolved.body.ticket.state).toBe('resolved');

    // a chart of either worker's device: the other's read from its owner, with the readings that opened its ticket
    expect((await api(`/tickets/${ta!.id}/telemetry`)).status).toBe(200);
    const chart = await api(`/tickets/${tb!.id}/telemetry`);
    expect(chart.status).toBe(200);
    expect(chart.body).toMatchObject({ ticketId: tb!.id, customerId: cb });
    expect(chart.body.points.length).toBeGreaterThan(0);
    // the devices of both partitions are listed: read again from their owners every syncEveryMs (5 s), so a
    // device that registered after the last read is listed by the next one (the tickets came on the live stream)
    let listed: string[] = [];
    await until(async () => {
      listed = (await api('/devices')).body.devices.map((d) => d.customerId);
      return listed.includes(ca) && listed.includes(cb);
    }, 15_000, () => `both partitions' devices listed: ${JSON.stringify(listed)}`);
    expect(listed).toEqual(expect.arrayContaining([ca, cb]));
    // a third worker joins and takes the other customer's partition over: the dashboard reads it again
    // from its new owner, still lists both tickets, and the next action goes to the new owner
    const moved = partitionOf(cb, P);
    const third = (() => {
      for (let i = 0; ; i++) if (ownerOf(moved, [a, b, `live-c${i}`]) === `live-c${i}`) return `live-c${i}`;
    })();
    const wc = start(third, false);
    const hb2 = nc.subscribe(heartbeatSubject('default'), { callback: (_e, m) => void owned.set(m.json<{ worker: string }>().worker, m.json<{ owned: number[] }>().owned) });
    await until(async () => (await new Promise((r) => setTimeout(r, 100)), owned.get(third)?.includes(moved) === true), 60_000, () => `${third} serving partition ${moved}: ${JSON.stringify([...owned])}; ${wc.err()}`);
    hb2.unsubscribe();
    let acked: { status: number; body: Answer } | null = null;
    await until(async () => {
      await new Promise((r) => setTimeout(r, 250));
      acked = await api(`/tickets/${tb!.id}/acknowledge`, { method: 'POST', body: '{}' });
      if (acked.status === 200) return true;
      // while the partition changes hands: nobody answers for it, said so
      expect(acked.body.error.code).toBe('EVN_ERR_CLUSTER_UNSERVED');
      return false;
    }, 30_000, () => `the acknowledgement through the new owner: ${JSON.stringify(acked)}; ${wc.err()}`);
    const atNew = (await nc.request(viewSubject(moved, 'get'), JSON.stringify({ what: 'tickets' }), { timeout: 5000 })).json<{ worker: string; value: { items: Array<{ ticket: { id: string; timeline: Array<{ by?: string; detail?: { kind?: string } }> } }> } }>();
    expect(atNew.worker).toBe(third);
    const there = atNew.value.items.find((x) => x.ticket.id === tb!.id)!.ticket;
    expect(there.timeline.filter((e) => e.by === 'alice').map((e) => e.detail?.kind)).toEqual(['assigned', 'acknowledged']);
    await until(async () => {
      await new Promise((r) => setTimeout(r, 250));
      const list = (await api('/tickets')).body.tickets;
      return [ta!.id, tb!.id].every((id) => list.some((t) => t.id === id)) && list.find((t) => t.id === tb!.id)!.assignee === 'alice';
    }, 15_000, 'both tickets listed after the takeover');
    await nc.close();

    // one dashboard a database: a second worker with --http is refused at start, before it takes a partition
    const second = start('live-second', true);
    expect(await second.exited).toBe(1);
    expect(second.err()).toMatch(/EVN_ERR_DB_LOCKED/);

    // SIGTERM: each stops, its partitions checkpointed once more
    for (const w of [wa, wb, wc]) w.child.kill('SIGTERM');
    expect(await Promise.all([wa.exited, wb.exited, wc.exited])).toEqual([0, 0, 0]);
    const c = new pgLib.Client({ connectionString: db });
    await c.connect();
    try {
      for (let p = 0; p < P; p++) {
        const row = (await c.query(`SELECT worker FROM ${partitionSchema(p)}.cluster_checkpoint`)).rows[0] as { worker: string } | undefined;
        expect([a, b, third]).toContain(row?.worker);
      }
      // the assignment is in PostgreSQL, stored by the owner
      const notes = await c.query(`SELECT count(*) AS n FROM ${partitionSchema(partitionOf(cb, P))}.timeline WHERE ticket_id = $1 AND "by" = 'alice'`, [tb!.id]);
      expect(Number(notes.rows[0].n)).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  }, 120_000);
});
