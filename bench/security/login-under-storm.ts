/**
 * A valid dashboard login while a storm of wrong-password logins runs, against an unloaded baseline
 * in the same run: a real dashboard (startDashboard) on 127.0.0.1 port 0, a real staff store (SQLite
 * in memory) at the production scrypt cost (N=16384), real HTTP.
 *
 * The storm: `storm` POST /api/v1/session with wrong passwords, all sent at once, spread over ten
 * names (two real accounts, eight unknown), from 127.0.0.1: the same address the valid login comes
 * from, the hard case for a per-address throttle. The storm runs in a child process (this file, forked
 * with --login-storm-child), so the storm's client work does not run on the dashboard's event loop;
 * it still competes for the machine's cores, as a local attacker would. The valid login is one
 * request from this process once the storm is under way (its first answers have come back), timed
 * from sending to the answer.
 *
 *   validLoginUnloadedMs          median of logins with nothing else running
 *   validLoginUnderStormMs        'alice', who logged in from this address before (the unloaded
 *                                 logins): the usual case, staff logging in from their desk
 *   validLoginUnderStormNewNameMs 'carol', who never logged in from this address
 *   loginStorm.refused / .failed  what the storm's requests got: 429 before hashing / 401 after
 *
 * Each figure is the median over `rounds`, each round on a fresh dashboard (fresh throttle state).
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../log/logger.js';
import { VirtualClock } from '../../contracts/clock.js';
import { startHelpdeskStack } from '../../stack/helpdesk-stack.js';

const PASSWORD = 'correct horse battery';
const STORM_NAMES = ['bob', 'dave', 'admin', 'root', 'support', 'helpdesk', 'maria', 'test', 'staff', 'operator'];

interface StormRequest {
  url: string;
  count: number;
  names: string[];
}
type StormReply = { type: 'under-way' } | { type: 'done'; statuses: Record<string, number> };

/** POST /api/v1/session; resolves with the status and the ms from sending to the whole answer */
function post(url: string, body: unknown, agent: http.Agent | false = false): Promise<{ status: number; ms: number }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(`${url}/api/v1/session`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** the child: fires the storm, says when it is under way and what it got */
async function stormChild(r: StormRequest): Promise<void> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  let answered = 0;
  const statuses: Record<string, number> = {};
  const all = Array.from({ length: r.count }, (_, i) =>
    post(r.url, { name: r.names[i % r.names.length], password: `wrong password ${i}` }, agent).then(
      (x) => {
        statuses[x.status] = (statuses[x.status] ?? 0) + 1;
        if (++answered === 10) process.send!({ type: 'under-way' } satisfies StormReply);
      },
      () => {
        statuses.error = (statuses.error ?? 0) + 1;
      },
    ),
  );
  await Promise.all(all);
  process.send!({ type: 'done', statuses } satisfies StormReply);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function dashboard() {
  // the dashboard's read side; never connected (logins are the point, not tickets)
  const stack = await startHelpdeskStack({
    brokerUrl: 'mqtt://127.0.0.1:9', connect: false,
    directory: { customers: [], stores: [], workshops: [] },
    clock: new VirtualClock(Date.UTC(2020, 10, 2, 17)),
    log: silentLogger(),
    dashboard: { port: 0 },
  });
  for (const n of ['alice', 'bob', 'carol', 'dave']) await stack.staff.add(n, PASSWORD);
  return { url: stack.dashboard!.url, stop: () => stack.stop() };
}

/** one round: a fresh dashboard, `alice` logs in unloaded 3 times, then `who` logs in during a storm */
async function round(storm: number, who: 'alice' | 'carol'): Promise<{ unloaded: number[]; underStorm: number; statuses: Record<string, number> }> {
  const d = await dashboard();
  const child = fork(fileURLToPath(import.meta.url), ['--login-storm-child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const unloaded: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await post(d.url, { name: 'alice', password: PASSWORD });
      if (r.status !== 200) throw new Error(`unloaded login answered ${r.status}`);
      unloaded.push(r.ms);
    }
    const replies: StormReply[] = [];
    const next = (type: StormReply['type']) =>
      new Promise<StormReply>((resolve, reject) => {
        const seen = replies.find((x) => x.type === type);
        if (seen) return resolve(seen);
        const on = (m: StormReply) => m.type === type && (child.off('message', on), resolve(m));
        child.on('message', on);
        child.once('exit', (code) => reject(new Error(`storm child exited with ${code}`)));
      });
    child.on('message', (m: StormReply) => replies.push(m));
    child.send({ url: d.url, count: storm, names: STORM_NAMES } satisfies StormRequest);
    await next('under-way');
    const valid = await post(d.url, { name: who, password: PASSWORD });
    if (valid.status !== 200) throw new Error(`the valid login of ${who} under the storm answered ${valid.status}`);
    const done = (await next('done')) as Extract<StormReply, { type: 'done' }>;
    return { unloaded, underStorm: valid.ms, statuses: done.statuses };
  } finally {
    child.kill();
    await d.stop();
  }
}

export interface LoginUnderStormResult {
  unloadedMs: number;
  underStormMs: number;
  underStormNewNameMs: number;
  stormRefused: number;
  stormFailed: number;
}

export async function loginUnderStorm(opts: { storm: number; rounds: number }): Promise<LoginUnderStormResult> {
  const unloaded: number[] = [];
  const known: number[] = [];
  const fresh: number[] = [];
  const refused: number[] = [];
  const failed: number[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    for (const who of ['alice', 'carol'] as const) {
      const r = await round(opts.storm, who);
      unloaded.push(...r.unloaded);
      (who === 'alice' ? known : fresh).push(r.underStorm);
      refused.push(r.statuses['429'] ?? 0);
      failed.push(r.statuses['401'] ?? 0);
      const other = Object.keys(r.statuses).filter((s) => s !== '429' && s !== '401');
      if (other.length) process.stderr.write(`bench: login storm: unexpected answers ${JSON.stringify(r.statuses)}\n`);
    }
  }
  return { unloadedMs: median(unloaded), underStormMs: median(known), underStormNewNameMs: median(fresh), stormRefused: median(refused), stormFailed: median(failed) };
}

if (process.argv.includes('--login-storm-child')) {
  process.once('message', (r: StormRequest) => {
    void stormChild(r).then(() => process.disconnect());
  });
}
