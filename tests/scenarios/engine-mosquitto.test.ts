/**
 * Broker shards on Mosquitto (scenarios/engine/mosquitto.ts): a fleet replayed with its devices on two
 * hosts and two Mosquitto shards gives the report it gives on aedes shards and in one process; the
 * shards go with the replay, and with a runner killed outright (kill -9). Skipped, saying so, where
 * mosquitto is not installed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { findMosquitto, mosquittoConfig, startMosquittoShards } from '../../scenarios/engine/mosquitto.js';
import { resolveShardBroker } from '../../scenarios/engine/shards.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import { until } from '../helpers/until.js';
import mqtt from 'mqtt';

const FILE = 'tests/fixtures/fleet/engine-12.yaml';
const installed = findMosquitto() !== null;

/** process ids of the mosquitto children of a process (this one by default) */
function mosquittoPids(parent = process.pid): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), '-x', 'mosquitto'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** polls every 100 ms (pgrep is a process of its own) */
const waitFor = (pred: () => boolean, ms: number, what: string): Promise<void> => until(async () => pred() || (await new Promise((r) => setTimeout(r, 100)), false), ms, what);

describe('the shard broker choice', () => {
  it('auto is mosquitto where it is installed, else aedes; a named one is kept', () => {
    expect(resolveShardBroker('auto')).toBe(installed ? 'mosquitto' : 'aedes');
    expect(resolveShardBroker()).toBe(resolveShardBroker('auto'));
    expect(resolveShardBroker('aedes')).toBe('aedes');
    expect(resolveShardBroker('mosquitto')).toBe('mosquitto');
  });

  it('configures a loopback listener without limits on messages in flight or queued', () => {
    const conf = mosquittoConfig(18830, false);
    expect(conf).toMatch(/^listener 18830 127\.0\.0\.1$/m);
    expect(conf).toMatch(/^max_inflight_messages 0$/m);
    expect(conf).toMatch(/^max_queued_messages 0$/m);
    expect(conf).toMatch(/^persistence false$/m);
    // as root it stays root (a change of user would clear its parent-death signal); else it has no user to change to
    expect(mosquittoConfig(1, true)).toMatch(/^user root$/m);
    expect(mosquittoConfig(1, false)).not.toMatch(/^user /m);
  });
});

describe.skipIf(!installed)(`a fleet on Mosquitto shards${installed ? '' : ' (skipped: mosquitto is not installed)'}`, () => {
  it('gives the report of aedes shards and of one process, and leaves no shard behind', async () => {
    const loaded = loadScenario(FILE);
    const one = await replay({ scenario: loaded, log: silentLogger(), hosts: 0, shards: 0 });
    const onAedes = await replay({ scenario: loaded, log: silentLogger(), hosts: 2, shards: 2, shardBroker: 'aedes' });
    let during: number[] = [];
    const onMosquitto = await replay({
      scenario: loaded, log: silentLogger(), hosts: 2, shards: 2, shardBroker: 'mosquitto',
      onProgress: () => void (during.length || (during = mosquittoPids())),
    });
    expect(during).toHaveLength(2);
    expect(JSON.stringify(onMosquitto.report)).toBe(JSON.stringify(one.report));
    expect(JSON.stringify(onAedes.report)).toBe(JSON.stringify(one.report));
    expect(one.report.tickets!.length).toBeGreaterThanOrEqual(4);
    expect(during.filter(alive)).toEqual([]);
  }, 600_000);

  it('routes QoS 1 both ways and keeps a persistent session’s queue while its client is away', async () => {
    const shards = await startMosquittoShards(1);
    try {
      const url = shards.urls[0]!;
      const helpdesk = await mqtt.connectAsync(url, { clientId: 'hd', clean: false });
      await helpdesk.subscribeAsync('evernet/v1/+/+/telemetry', { qos: 1 });
      await helpdesk.endAsync();
      // away: a burst of 2,500 (over mosquitto's default queue of 1,000) waits for it
      const device = await mqtt.connectAsync(url, { clientId: 'dev' });
      for (let i = 0; i < 2500; i++) device.publish('evernet/v1/c1/d1/telemetry', String(i), { qos: 1 });
      await device.endAsync();
      const got: string[] = [];
      const back = mqtt.connect(url, { clientId: 'hd', clean: false });
      back.on('message', (_t, p) => got.push(String(p)));
      await until(() => got.length >= 2500, 20_000);
      expect(got.slice(0, 3)).toEqual(['0', '1', '2']);
      expect(new Set(got).size).toBe(2500);
      await back.endAsync();
    } finally {
      await shards.stop();
    }
  }, 60_000);

  it('are stopped when the runner is killed with SIGKILL', async () => {
    // what a runner killed outright cannot remove (its scratch folders) lands in a folder of this test's, removed after it
    const tmp = mkdtempSync(join(tmpdir(), 'evernet-killed-runner-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'replay', FILE, '--hosts', '2', '--shards', '2', '--shard-broker', 'mosquitto', '--speed', '60'], { stdio: 'ignore', env: { ...process.env, TMPDIR: tmp } });
    try {
      let shards: number[] = [];
      await waitFor(() => (shards = mosquittoPids(child.pid)).length === 2, 60_000, 'two mosquitto shards');
      child.kill('SIGKILL');
      await waitFor(() => shards.every((p) => !alive(p)), 10_000, 'the shards to go with their runner');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
