/**
 * `evernet helpdesk --cluster …` (cli/helpdesk-cluster.ts) as a real process: what cannot work is a
 * coded error at start, before any partition is taken (no partition's checkpoint is written, nothing is
 * read from the stream): a wrong postgres:// URL, a cluster no node of which answers, a partition count
 * other than the stream's. Usage mistakes (--workers, a flag without --cluster) are exit 2 before
 * anything starts. A worker with --world seeds each partition with its own customers, and SIGINT stops it
 * with a last checkpoint of each. Skipped without nats-server or PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import pgLib from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../cluster/nats/local-cluster.js';
import { connectCluster } from '../../cluster/nats/connect.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { partitionOf } from '../../contracts/index.js';
import { partitionSchema } from '../../cluster/partition-db.js';
import { evernet } from '../helpers/cli-capture.js';
import { natsAvailable, natsSkipReason } from '../helpers/nats.js';
import { pgBinaries, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** the CLI as a child process until it exits (at most 60 s) */
function run(args: string[]): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'helpdesk', ...args, '--log-level', 'error'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err += String(c)));
  child.stdout.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    }),
  );
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('evernet helpdesk --cluster: usage', () => {
  it('refuses --workers (one process is one worker), a cluster flag without --cluster, and --broker with it', async () => {
    const base = ['--cluster', 'nats://127.0.0.1:4222', '--cluster-mqtt', 'mqtt://127.0.0.1:1883', '--db', 'postgres://u@127.0.0.1:5432/x'];
    expect(await evernet('helpdesk', ...base, '--workers', '2')).toMatchObject({ code: 2, err: expect.stringMatching(/--workers belongs to evernet replay --cluster/) });
    expect(await evernet('helpdesk', '--partitions', '4')).toMatchObject({ code: 2, err: expect.stringMatching(/--partitions goes with --cluster/) });
    expect(await evernet('helpdesk', '--worker-id', 'w1')).toMatchObject({ code: 2, err: expect.stringMatching(/--worker-id goes with --cluster/) });
    expect(await evernet('helpdesk', ...base, '--broker', 'mqtt://127.0.0.1:1883')).toMatchObject({ code: 2, err: expect.stringMatching(/--broker and --mqtt-port do not go with it/) });
    expect(await evernet('helpdesk', ...base.slice(0, 4), '--db', 'x.db')).toMatchObject({ code: 2, err: expect.stringMatching(/--cluster needs --db postgres:\/\//) });
    expect(await evernet('helpdesk', ...base, '--worker-id', 'a b')).toMatchObject({ code: 2, err: expect.stringMatching(/--worker-id must be/) });
  });
});

const ready = natsAvailable && pgBinaries !== null;
const why = !natsAvailable ? natsSkipReason : pgBinaries ? '' : ' (skipped: PostgreSQL is not installed)';

describe.skipIf(!ready)(`evernet helpdesk --cluster: coded errors at start${why}`, () => {
  let pg: TestPostgres;
  let nats: LocalCluster;
  beforeAll(async () => {
    [pg, nats] = await Promise.all([startTestPostgres(), startLocalCluster({ nodes: 2, partitions: 4 })]);
    // the cluster's stream, made for 4 partitions (as evernet cluster up makes it)
    const nc = await connectCluster(nats.natsUrls);
    await ensurePartitionStream(nc, { partitions: 4 });
    await nc.close();
  }, 120_000);
  afterAll(async () => {
    await nats?.stop();
    pg?.stop();
  });

  /** partitions with a checkpoint in database `url` (none: nothing was taken) */
  async function checkpoints(url: string): Promise<number> {
    const c = new pgLib.Client({ connectionString: url });
    await c.connect();
    try {
      const r = await c.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'cluster_checkpoint'");
      return Number(r.rows[0].n);
    } finally {
      await c.end();
    }
  }

  const flags = (db: string, natsUrls = nats.natsUrls, extra: string[] = []) => ['--cluster', natsUrls.join(','), '--cluster-mqtt', nats.mqttUrls.join(','), '--db', db, '--worker-id', 'w-test', ...extra];

  it('a wrong postgres:// URL: EVN_ERR_DB_CONNECT, without the password', async () => {
    const wrongPassword = pg.url('postgres').replace(/:[^:@]*@/, ':not-the-password@');
    const r = await run(flags(wrongPassword));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/EVN_ERR_DB_CONNECT/);
    expect(r.err).not.toContain('not-the-password');
    const noDatabase = await run(flags(pg.url('no_such_db')));
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.err).toMatch(/EVN_ERR_DB_CONNECT/);
  }, 90_000);

  it('an unreachable NATS: EVN_ERR_CLUSTER_CONNECT naming the URL, and no partition taken', async () => {
    const db = await pg.createDatabase('unreachable');
    const port = await freePort();
    const r = await run(flags(db, [`nats://127.0.0.1:${port}`]));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/EVN_ERR_CLUSTER_CONNECT/);
    expect(r.err).toContain(`127.0.0.1:${port}`);
    expect(await checkpoints(db)).toBe(0);
  }, 90_000);

  it("a partition count other than the stream's: EVN_ERR_CLUSTER_PARTITIONS naming both, and no partition taken; with --http too", async () => {
    const db = await pg.createDatabase('mismatch');
    const r = await run(flags(db, nats.natsUrls, ['--partitions', '3']));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/EVN_ERR_CLUSTER_PARTITIONS/);
    expect(r.err).toMatch(/\b4\b/);
    expect(r.err).toMatch(/\b3\b/);
    expect(await checkpoints(db)).toBe(0);
    // the dashboard's database and port come first, and are let go again
    const withHttp = await run(flags(db, nats.natsUrls, ['--partitions', '3', '--http', '127.0.0.1:0']));
    expect(withHttp.code).toBe(1);
    expect(withHttp.err).toMatch(/EVN_ERR_CLUSTER_PARTITIONS/);
    expect(await checkpoints(db)).toBe(0);
  }, 90_000);

  it("--world seeds each partition with its own customers; SIGINT stops the worker with a checkpoint of every partition", async () => {
    const db = await pg.createDatabase('world');
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'helpdesk', ...flags(db), '--world', 'scenarios/day-in-2020.yaml', '--log-level', 'error'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += String(c)));
    child.stdout.resume();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const c = new pgLib.Client({ connectionString: db });
    await c.connect();
    try {
      expect(err).not.toMatch(/EVN_ERR/);
      // alone, the worker serves all four partitions: each writes its checkpoint table when it opens
      const deadline = Date.now() + 60_000;
      while ((await checkpoints(db)) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(await checkpoints(db), err).toBe(4);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      const devices = async (p: number) => (await c.query(`SELECT customer_id, id AS device_id FROM ${partitionSchema(p)}.registry_devices ORDER BY id`)).rows;
      for (let p = 0; p < 4; p++) {
        expect(await devices(p)).toEqual(p === partitionOf('maria', 4) ? ['car', 'fridge', 'washer'].map((d) => ({ customer_id: 'maria', device_id: d })) : []);
        expect((await c.query(`SELECT worker FROM ${partitionSchema(p)}.cluster_checkpoint`)).rows).toEqual([{ worker: 'w-test' }]);
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await c.end();
    }
  }, 90_000);
});
