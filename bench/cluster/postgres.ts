/**
 * A throw-away PostgreSQL for the `cluster` bench: Debian's binaries (`apt-get install postgresql`),
 * `initdb` in a temp folder and `pg_ctl` on a free loopback port, as the `postgres` user when the bench
 * runs as root (initdb refuses root). The tests have their own starter (tests/helpers/postgres.ts);
 * bench/ may not import tests/, so this is the bench's, reduced to what it needs. Trust authentication:
 * nothing but this process's loopback clients ever reach it, and it is removed at stop.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface BenchPostgres {
  /** a URL of database `db` (default 'postgres') */
  url(db?: string): string;
  /** a new, empty database; returns its URL */
  createDatabase(name: string): Promise<string>;
  /** the postmaster's process id (its backends are its children): the bench samples their CPU */
  pid(): number | null;
  /** stops the server and removes its folder */
  stop(): void;
}

/** the folder of initdb and pg_ctl (the newest version installed), or null */
export function findPostgres(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0]!, 'bin') : null;
}

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

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const bin = findPostgres();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql)');
  const isRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evernet-bench-pg-'));
  const data = path.join(dir, 'data');
  if (isRoot) execFileSync('chown', ['-R', 'postgres:', dir]);
  const run = (tool: string, args: string[]): void => {
    const cmd = path.join(bin, tool);
    if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', cwd: dir });
    else execFileSync(cmd, args, { stdio: 'pipe', cwd: dir });
  };
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-w', 'start']);
  const url = (db = 'postgres'): string => `postgres://postgres@127.0.0.1:${port}/${db}`;
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already down
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // a bench that fails half-way leaves no server behind
  process.once('exit', stop);
  return {
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
