/**
 * Real processes for the fault tests: the broker is `evernet broker` itself (cli/main.ts), the
 * helpdesk is tests/reliability/bin/helpdesk.ts. Both run under `node --import tsx`; both can be
 * killed with SIGKILL and started again on the same port, data directory and database. Every
 * process started here is tracked, and killAll() (afterEach) ends whatever is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Ticket } from '../../helpdesk/tickets/lifecycle.js';
import type { IngestStats } from '../../helpdesk/ingest/ingest.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const HELPDESK_BIN = fileURLToPath(new URL('./bin/helpdesk.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const running = new Set<ChildProcess>();

export interface Proc {
  child: ChildProcess;
  /** everything it wrote to stderr so far (for failure messages) */
  stderr(): string;
  /** resolves with the signal (or exit code) once the process is gone */
  exited: Promise<NodeJS.Signals | number | null>;
  kill9(): Promise<void>;
}

function track(child: ChildProcess): Proc {
  running.add(child);
  let err = '';
  child.stderr?.on('data', (c) => (err += String(c)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(signal ?? code);
    }),
  );
  return {
    child,
    stderr: () => err,
    exited,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}

function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

export interface BrokerProc extends Proc {
  url: string;
  port: number;
}

/** `evernet broker --allow-anonymous --data-dir DIR --port PORT` (port 0: any free one) */
export async function startBroker(dataDir: string, port = 0): Promise<BrokerProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'broker', '--allow-anonymous', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const p = track(child);
  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', () => {
        const m = /listening on (mqtt:\/\/[^,\s]+)/.exec(p.stderr());
        if (m) resolve(m[1]!);
      });
      void p.exited.then((how) => reject(new Error(`broker exited (${String(how)}): ${p.stderr()}`)));
    }),
    20_000,
    () => `broker start: ${p.stderr()}`,
  );
  return { ...p, url, port: Number(new URL(url).port) };
}

export interface HelpdeskState {
  stats: IngestStats & { published: number };
  /** "<customer>/<device>" -> sequence numbers of the telemetry and events it processed, in order */
  processed: Record<string, number[]>;
  tickets: Ticket[];
}

export interface HelpdeskProc extends Proc {
  state(): Promise<HelpdeskState>;
  /** processes everything up to event time w (its clock moves to w) */
  advance(w: number): Promise<HelpdeskState>;
  /** moves its clock to the devices' event time, without processing */
  clock(w: number): Promise<HelpdeskState>;
}

export async function startHelpdesk(opts: { brokerUrl: string; db: string; startAt: number; crashAfterTicketOpened?: boolean; clientId?: string }): Promise<HelpdeskProc> {
  const args = ['--import', 'tsx', HELPDESK_BIN, '--broker', opts.brokerUrl, '--db', opts.db, '--start-at', String(opts.startAt)];
  if (opts.clientId) args.push('--client-id', opts.clientId);
  const env = { ...process.env, ...(opts.crashAfterTicketOpened ? { EVERNET_TEST_CRASH_AFTER_TICKET_OPENED: '1' } : {}) };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const p = track(child);
  let next = 0;
  const pending = new Map<number, { resolve: (s: HelpdeskState) => void; reject: (e: Error) => void }>();
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  child.on('message', (m: { type?: string; id?: number } & Partial<HelpdeskState>) => {
    if (m.type === 'ready') return ready();
    const waiting = m.id === undefined ? undefined : pending.get(m.id);
    if (!waiting) return;
    pending.delete(m.id!);
    waiting.resolve(m as HelpdeskState);
  });
  void p.exited.then((how) => {
    for (const w of pending.values()) w.reject(new Error(`helpdesk exited (${String(how)})`));
    pending.clear();
  });
  const ask = (msg: object): Promise<HelpdeskState> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      child.send({ id, ...msg }, (err) => {
        if (!err) return;
        pending.delete(id);
        reject(err);
      });
    });
  await withTimeout(
    Promise.race([isReady, p.exited.then((how) => Promise.reject(new Error(`helpdesk exited (${String(how)}): ${p.stderr()}`)))]),
    20_000,
    () => `helpdesk start: ${p.stderr()}`,
  );
  return { ...p, state: () => ask({ type: 'state' }), advance: (w: number) => ask({ type: 'advance', w }), clock: (w: number) => ask({ type: 'clock', w }) };
}

/** what the devices sent and what the helpdesk got, for a failure message */
export function diagnose(fleet: { agents: Array<{ deviceId: string; stats(): object; outboxStats(): object }> }, expected: number, h: HelpdeskState | null): string {
  const devices = fleet.agents.map((a) => ({ device: a.deviceId, ...a.stats(), outbox: a.outboxStats() }));
  const got = h ? Object.fromEntries(Object.entries(h.processed).map(([k, v]) => [k, { n: v.length, last: v[v.length - 1] }])) : null;
  return `helpdesk accepted ${h?.stats.accepted} of ${expected}; helpdesk ${JSON.stringify(h?.stats)} processed ${JSON.stringify(got)}; devices ${JSON.stringify(devices)}`;
}
