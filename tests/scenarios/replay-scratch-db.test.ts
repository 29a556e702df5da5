/**
 * Where a replay's helpdesk keeps its database (scenarios/runner.ts): a fleet spread over device hosts
 * writes its telemetry to a temporary file, not the runner's memory, and removes it afterwards; the
 * report is the one of a replay in one process with the database in memory. A replay interrupted
 * (Ctrl-C, a stop) removes it too, and its broker shards' folder, and still ends by the signal.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import { tmpdirPerTest } from '../helpers/temp-dir.js';

const FILE = 'tests/fixtures/fleet/engine-12.yaml';

/** the processes started with this environment entry (Linux /proc): a replay's hosts and shards inherit the runner's TMPDIR */
function startedWith(entry: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) out.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

describe('the database of a fleet replay', () => {
  const tmp = tmpdirPerTest('evernet-tmp-');

  it('is a temporary file while device hosts run, removed afterwards, with the report of an in-memory one', async () => {
    const loaded = loadScenario(FILE);
    const inMemory = await replay({ scenario: loaded, log: silentLogger(), hosts: 0, shards: 0 });
    expect(readdirSync(tmp.path)).toEqual([]);
    let seen: { file: string; bytes: number } | null = null;
    const spread = await replay({
      scenario: loaded, log: silentLogger(), hosts: 1, shards: 1,
      onProgress: (done, total) => {
        if (seen || done < total / 2) return;
        const folder = readdirSync(tmp.path).find((f) => f.startsWith('evernet-replay-'));
        const file = folder && join(tmp.path, folder, 'helpdesk.db');
        if (file && existsSync(file)) seen = { file, bytes: statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0) };
      },
    });
    expect(seen).not.toBeNull();
    // half a day of the fleet's telemetry (the file and its write-ahead log)
    expect(seen!.bytes).toBeGreaterThan(100_000);
    expect(JSON.stringify(spread.report)).toBe(JSON.stringify(inMemory.report));
    expect(readdirSync(tmp.path).filter((f) => f.startsWith('evernet-replay-'))).toEqual([]);
  }, 300_000);

  it.skipIf(process.platform !== 'linux').each(['SIGINT', 'SIGTERM'] as const)('is removed, with the shards\' folder, when the replay is interrupted by %s', async (signal) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'replay', FILE, '--hosts', '1', '--shards', '1', '--speed', '600'], {
      stdio: 'ignore',
      env: { ...process.env, TMPDIR: tmp.path },
    });
    const exited = new Promise<[number | null, string | null]>((r) => child.once('exit', (code, sig) => r([code, sig])));
    try {
      const db = (): string | undefined => readdirSync(tmp.path).filter((f) => f.startsWith('evernet-replay-')).map((f) => join(tmp.path, f, 'helpdesk.db')).find((f) => existsSync(f));
      for (let i = 0; i < 600 && !db() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      expect(db()).toBeDefined();
      child.kill(signal);
      // the signal's own ending (a shell sees 128 + its number), with nothing of the replay left in the temporary folder
      expect(await exited).toEqual([null, signal]);
      // its host and shard end with it (a moment later): nothing of theirs written after this test's folder is gone
      for (let i = 0; i < 150 && startedWith(`TMPDIR=${tmp.path}`).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(startedWith(`TMPDIR=${tmp.path}`)).toEqual([]);
      expect(readdirSync(tmp.path).filter((f) => f.startsWith('evernet-'))).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
