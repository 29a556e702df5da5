/**
 * A throw-away PostgreSQL cluster for tests: Debian's binaries (`apt-get install postgresql`), a new
 * cluster (`initdb`, password authentication) in a temp folder, started with `pg_ctl` on a free
 * loopback port, run as the `postgres` user when the tests run as root. `pgBinaries` is null where the
 * binaries are absent: such tests say they are skipped (`describe.skipIf(!pgBinaries)`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

function findBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0]!, 'bin') : null;
}

const isRoot = process.getuid?.() === 0;
function hasPostgresUser(): boolean {
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** the folder of initdb and pg_ctl, or null: PostgreSQL is not installed (or, as root, no `postgres` user to run it) */
export const pgBinaries: string | null = (() => {
  const bin = findBinaries();
  return bin && (!isRoot || hasPostgresUser()) ? bin : null;
})();

export const PG_PASSWORD = 'evernet-test';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  port: number;
  /** a URL of database `db` (default 'postgres') as the superuser `postgres` */
  url(db?: string): string;
  /** creates a new, empty database and returns its URL */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back when this returns */
  restart(): void;
  /** `pg_ctl stop -m fast` (the server is down until start()) */
  stopServer(): void;
  startServer(): void;
  /** stops the server and removes the cluster */
  stop(): void;
}

/** Starts a new cluster (a few seconds). Throws where pgBinaries is null. */
export async function startTestPostgres(): Promise<TestPostgres> {
  if (!pgBinaries) throw new Error('PostgreSQL binaries not found');
  const bin = pgBinaries;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evernet-pgtest-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, PG_PASSWORD + '\n');
  if (isRoot) execFileSync('chown', ['-R', 'postgres:', dir]);
  const run = (tool: string, args: string[]): void => {
    const cmd = path.join(bin, tool);
    if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', cwd: dir });
    else execFileSync(cmd, args, { stdio: 'pipe', cwd: dir });
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const startServer = () => run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-w', 'start']);
  startServer();
  const url = (db = 'postgres') => `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${port}/${db}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name}"`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    restart: () => run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-m', 'fast', '-w', 'restart']),
    stopServer: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    startServer,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already down
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
