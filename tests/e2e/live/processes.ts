/**
 * Real `evernet` processes for the live end-to-end tests: each runs the real CLI (cli/main.ts under
 * `node --import tsx`), is tracked, and is ended by stopAll() (afterEach): SIGTERM first, as an
 * operator would, then SIGKILL if it does not go.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../cli/main.ts', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const running = new Set<ChildProcess>();

export interface EvernetProc {
  child: ChildProcess;
  /** everything it wrote to stderr so far */
  stderr(): string;
  /** resolves with the first match of `re` in stderr (rejects if the process ends first or after ms) */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  exited: Promise<number | NodeJS.Signals | null>;
}

export function evernet(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): EvernetProc {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let err = '';
  child.stderr!.on('data', (c) => (err += String(c)));
  child.stdout!.on('data', () => {});
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  else child.stdin!.end();
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(signal ?? code);
    }),
  );
  const waitFor = (re: RegExp, ms = 30_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = re.exec(err);
        if (!m) return false;
        done();
        resolve(m);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${ms} ms waiting for ${re} in: ${err.slice(-4000)}`));
      }, ms);
      const onData = () => check();
      const done = () => {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
      };
      if (check()) return;
      child.stderr!.on('data', onData);
      void exited.then((how) => {
        if (check()) return;
        done();
        reject(new Error(`evernet ${args[0]} exited (${String(how)}) before ${re}: ${err.slice(-4000)}`));
      });
    });
  return { child, stderr: () => err, waitFor, exited };
}

/** runs a command to its end; resolves with exit code and output */
export async function evernetRun(args: string[], stdin?: string): Promise<{ code: number | NodeJS.Signals | null; stderr: string }> {
  const p = evernet(args, { stdin });
  const code = await p.exited;
  return { code, stderr: p.stderr() };
}

export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const kill = setTimeout(() => c.kill('SIGKILL'), 5_000);
          c.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** a logged-in staff session on a running dashboard: JSON in, JSON out */
export async function staffSession(base: string, name: string, password: string) {
  const res = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrf } = (await res.json()) as { csrf: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
  return { get: (path: string) => call('GET', path), post: (path: string, body?: unknown) => call('POST', path, body ?? {}) };
}
