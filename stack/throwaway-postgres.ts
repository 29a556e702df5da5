/**
 * A throw-away PostgreSQL server for tests and benches: Debian's binaries (`apt-get install
 * postgresql`), a new cluster (`initdb`) in a temp folder, started with `pg_ctl` on a free loopback
 * port, run as the `postgres` user when the caller is root (initdb refuses root). With a password the
 * cluster asks for it (scram-sha-256); without one it trusts its loopback clients (nothing else can
 * reach it, and it is removed at stop). Not for production data: fsync is off.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-ports.js';

const isRoot = process.getuid?.() === 0;

function hasPostgresUser(): boolean {
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The folder of initdb and pg_ctl (the newest version installed), or null: PostgreSQL is not
 * installed, or the caller is root and there is no `postgres` user to run it as
 */
export function findPostgres(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  if (!versions.length || (isRoot && !hasPostgresUser())) return null;
  return path.join(root, versions[0]!, 'bin');
}


export interface ThrowawayPostgresOptions {
  /** the superuser's password; default none: trust authentication */
  password?: string;
  /** default 40 */
  maxConnections?: number;
  /** the temp folder's prefix; default 'evernet-pg-' */
  prefix?: string;
}

export interface ThrowawayPostgres {
  port: number;
  /** a URL of database `db` (default 'postgres') as the superuser `postgres` */
  url(db?: string): string;
  /** creates a new, empty database and returns its URL */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back when this returns */
  restart(): void;
  /** `pg_ctl stop -m fast` (the server is down until startServer()) */
  stopServer(): void;
  startServer(): void;
  /** the postmaster's process id (its backends are its children), or null while it is down */
  pid(): number | null;
  /** stops the server and removes the cluster; also done when this process exits */
  stop(): void;
}

/** Starts a new cluster (a few seconds). Throws where findPostgres() is null. */
export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const bin = findPostgres();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), options.prefix ?? 'evernet-pg-'));
  const data = path.join(dir, 'data');
  const auth = ['-A', 'trust'];
  if (options.password !== undefined) {
    const pwfile = path.join(dir, 'pw');
    fs.writeFileSync(pwfile, options.password + '\n');
    auth.splice(0, 2, '--auth=scram-sha-256', `--pwfile=${pwfile}`);
  }
  if (isRoot) execFileSync('chown', ['-R', 'postgres:', dir]);
  const run = (tool: string, args: string[]): void => {
    const cmd = path.join(bin, tool);
    if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', cwd: dir });
    else execFileSync(cmd, args, { stdio: 'pipe', cwd: dir });
  };
  run('initdb', ['-D', data, '-U', 'postgres', ...auth, '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=${options.maxConnections ?? 40}`;
  const startServer = (): void => run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-w', 'start']);
  startServer();
  const who = options.password !== undefined ? `postgres:${encodeURIComponent(options.password)}` : 'postgres';
  const url = (db = 'postgres'): string => `postgres://${who}@127.0.0.1:${port}/${db}`;
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already down
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // a run that fails half-way leaves no server behind
  process.once('exit', stop);
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
    pid() {
      try {
        return Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      } catch {
        return null;
      }
    },
    stop,
  };
}
