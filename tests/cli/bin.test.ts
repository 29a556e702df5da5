/**
 * The `evernet` command's entry (cli/bin.mjs): `replay` runs in a node started with the runner's V8 flags
 * (RUNNER_START_FLAGS: V8 sizes its young generation only at a start), restarted in one when the command's
 * own node was started without them; a signal for the command reaches the replay, and the replay's exit code
 * and messages are the command's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RUNNER_START_FLAGS } from '../../scenarios/engine/node-flags.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));

/** the processes whose parent is `pid`, with their command lines (Linux /proc) */
function childrenOf(pid: number): Array<{ pid: number; argv: string[] }> {
  const out: Array<{ pid: number; argv: string[] }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      out.push({ pid: Number(name), argv: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('the evernet command’s entry', () => {
  it('holds the flags it starts a replay with to the runner’s', () => {
    const literal = /const REPLAY_START_FLAGS = (\[[^\]]*\]);/.exec(readFileSync(BIN, 'utf8'))![1]!;
    expect(JSON.parse(literal.replaceAll("'", '"'))).toEqual(RUNNER_START_FLAGS);
  });

  it.skipIf(process.platform !== 'linux')('runs a replay in a node started with the runner’s flags, and hands a signal on to it', async () => {
    const cmd = spawn(process.execPath, [BIN, 'replay', 'scenarios/day-in-2020.yaml', '--speed', '600'], { cwd: ROOT, stdio: 'ignore' });
    let replay: { pid: number; argv: string[] } | undefined;
    for (let i = 0; i < 300 && !replay; i++) {
      await new Promise((r) => setTimeout(r, 100));
      replay = childrenOf(cmd.pid!).find((c) => c.argv.includes('replay'));
    }
    expect(replay).toBeDefined();
    expect(replay!.argv).toEqual(expect.arrayContaining([...RUNNER_START_FLAGS, BIN, 'replay', 'scenarios/day-in-2020.yaml', '--speed', '600']));
    const exited = new Promise<[number | null, string | null]>((r) => cmd.once('exit', (code, signal) => r([code, signal])));
    cmd.kill('SIGTERM');
    // the replay ends on the signal (it takes SIGTERM's default), and the command with it: 128 + 15
    expect(await exited).toEqual([143, null]);
    expect(existsSync(`/proc/${replay!.pid}`)).toBe(false);
  }, 60_000);

  it('answers a failed replay with its exit code and message, restarted or not', () => {
    const run = (pre: string[]) => spawnSync(process.execPath, [...pre, BIN, 'replay', 'no-such-scenario.yaml'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    const restarted = run([]);
    const direct = run([...RUNNER_START_FLAGS]);
    expect(direct.status).not.toBe(0);
    expect(direct.stderr).toMatch(/EVN_ERR_SCENARIO/);
    expect(restarted.status).toBe(direct.status);
    expect(restarted.stderr).toBe(direct.stderr);
  }, 60_000);

  it('runs every other command in its own process', () => {
    const r = spawnSync(process.execPath, [BIN, 'help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/replay/);
  }, 60_000);
});
