/**
 * The replay engine on one process or many (scenarios/engine/): the same fleet (12 homes reporting by
 * exception, an outage drill, faults) gives the same report with its devices in the runner's process on
 * one embedded broker as with two device host processes and two broker shard processes; a host that
 * dies mid-replay stops the replay with a coded error instead of hanging; a fleet the machine cannot
 * carry is refused before anything starts, with what it would need.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { chooseLayout, hostSlice, IN_PROCESS_DEVICES } from '../../scenarios/engine/layout.js';
import { readMessageTrace } from '../../scenarios/engine/message-trace.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';
import { evernet } from '../helpers/cli-capture.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const FILE = 'tests/fixtures/fleet/engine-12.yaml';

/** process ids of this process's children that run a device host */
function hostPids(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'host-main'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** each window's messages in the traces of a replay's hosts, as `customer/device` sorted */
function tracedWindows(dir: string): string[][] {
  const traces = readdirSync(dir).sort().map((f) => readMessageTrace(join(dir, f)));
  return traces[0]!.windows.map((_, w) => traces.flatMap((t) => [...t.windows[w]!].map((i) => t.devices[i]!.join('/'))).sort());
}

describe('a replay on one process or many', () => {
  const tmp = tempDirPerTest('evernet-engine-trace-');

  it('gives the same report in the runner’s process as on two device hosts and two broker shards', async () => {
    const loaded = loadScenario(FILE);
    mkdirSync(tmp.join('one'));
    mkdirSync(tmp.join('many'));
    const one = await replay({ scenario: loaded, log: silentLogger(), hosts: 0, shards: 0, traceDir: tmp.join('one') });
    const many = await replay({ scenario: loaded, log: silentLogger(), hosts: 2, shards: 2, traceDir: tmp.join('many') });
    expect(JSON.stringify(many.report)).toBe(JSON.stringify(one.report));
    // the hosts' message traces (bench fleet's bare pattern): each device's messages in the same windows either way,
    // a line a window and one for the settle
    expect(readdirSync(tmp.join('many')).sort()).toEqual(['host-0.trace', 'host-1.trace']);
    const traced = tracedWindows(tmp.join('one'));
    expect(tracedWindows(tmp.join('many'))).toEqual(traced);
    const windowMs = loaded.scenario.windowS * 1000;
    expect(traced.length).toBe((loaded.endMs - loaded.startMs) / windowMs + 1);
    expect(traced.flat().length).toBeGreaterThan(1000);
    // the device the outage drill takes offline 17:00-17:40 sends nothing in between, and says hello again at 17:40
    const windowOf = (iso: string): number => (Date.parse(iso) - loaded.startMs) / windowMs - 1;
    const down = 'home-0003/home-0003-fridge';
    const during = traced.slice(windowOf('2020-11-02T17:00:00+01:00') + 1, windowOf('2020-11-02T17:40:00+01:00'));
    expect(during.length).toBeGreaterThan(0);
    expect(during.some((w) => w.includes(down))).toBe(false);
    expect(traced[windowOf('2020-11-02T17:40:00+01:00')]!.filter((d) => d === down).length).toBeGreaterThanOrEqual(2);
    // the fleet did something worth comparing: telemetry, tickets for its faults, both outages seen
    expect(one.report.messages.published).toBeGreaterThan(1000);
    expect(one.report.messages.rejected).toBe(0);
    const kinds = one.report.tickets!.map((t) => t.kind);
    expect(kinds.filter((k) => k === 'device-offline').length).toBeGreaterThanOrEqual(1);
    expect(kinds.filter((k) => k !== 'device-offline').length).toBeGreaterThanOrEqual(3);
    // and no device host or shard outlives the replay
    expect(hostPids()).toEqual([]);
  }, 300_000);

  it('on device hosts, recording only the telemetry of the customers its report lists, draws their charts as in one process', async () => {
    const loaded = loadScenario(FILE);
    const listed = new Set([loaded.scenario.customers[0]!.id]);
    const one = await replay({ scenario: loaded, log: silentLogger(), hosts: 0, shards: 0, collectSeries: true, seriesCustomers: listed });
    const many = await replay({ scenario: loaded, log: silentLogger(), hosts: 1, shards: 1, collectSeries: true, seriesCustomers: listed });
    expect(JSON.stringify(many.series)).toBe(JSON.stringify(one.series));
    expect(many.series!.devices.length).toBeGreaterThan(0);
    expect(many.series!.devices.every((d) => d.customerId === [...listed][0] && Object.values(d.readings).some((p) => p.length > 0))).toBe(true);
    expect(JSON.stringify(many.report)).toBe(JSON.stringify(one.report));
  }, 300_000);

  it('stops with EVN_ERR_ENGINE_HOST_EXITED when a device host dies mid-replay', async () => {
    const loaded = loadScenario(FILE);
    let killed = false;
    const run = replay({
      scenario: loaded, log: silentLogger(), hosts: 2, shards: 1, stallTimeoutMs: 60_000,
      onProgress: (done, total) => {
        if (killed || done < total / 3) return;
        const pids = hostPids();
        if (!pids.length) return;
        killed = true;
        process.kill(pids[0]!, 'SIGKILL');
      },
    });
    await expect(run).rejects.toThrow(/EVN_ERR_ENGINE_HOST_EXITED: device host \d exited \(SIGKILL\)/);
    expect(killed).toBe(true);
    // the other host and the shard are stopped too
    await new Promise((r) => setTimeout(r, 500));
    expect(hostPids()).toEqual([]);
  }, 300_000);
});

/** the message of what `f` throws */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('nothing was refused');
}

describe('the layout of a replay', () => {
  const machine = { cores: 2, totalMemBytes: 24 * 1024 ** 3, fdLimit: 20_000 };

  it('keeps a household or a small fleet in the runner’s process, and spreads a large one over hosts and shards', () => {
    expect(chooseLayout(3, {}, machine)).toMatchObject({ hosts: 0, shards: 0 });
    expect(chooseLayout(IN_PROCESS_DEVICES, {}, machine)).toMatchObject({ hosts: 0, shards: 0 });
    expect(chooseLayout(IN_PROCESS_DEVICES + 1, {}, machine)).toMatchObject({ hosts: 2, shards: 1 });
    // 30,000 connections: more than one process may hold (20,000 descriptors, 200 kept aside)
    expect(chooseLayout(30_000, {}, machine)).toMatchObject({ hosts: 2, shards: 2, estimate: { connectionsPerHost: 15_000, connectionsPerShard: 15_000 } });
    expect(chooseLayout(60_000, {}, machine)).toMatchObject({ hosts: 4, shards: 4 });
    // a broker by URL: no shards, the devices in hosts as asked
    expect(chooseLayout(30_000, { external: true }, machine)).toMatchObject({ hosts: 2, shards: 0 });
  });

  it('refuses what the machine cannot carry, saying what it needs', () => {
    expect(() => chooseLayout(30_000, { hosts: 1 }, machine)).toThrow(/EVN_ERR_FLEET_TOO_LARGE: 30,000 devices need 30,000 connections a device host, over 19,800: give --hosts 2 or more/);
    expect(() => chooseLayout(30_000, { hosts: 0, shards: 0 }, machine)).toThrow(/60,000 connections in the runner's process, over the 19,800 it may hold \(ulimit -n 20000\)/);
    expect(() => chooseLayout(300_000, {}, machine)).toThrow(/EVN_ERR_FLEET_TOO_LARGE: 300,000 devices need about 34,\d{3} MB of memory \(80 KB a device\), over 80 % of this machine's 24,576 MB: it carries about 17\d,\d{3} devices/);
    // what it says the machine carries is what fits with the layout of that many devices: those fit, one more does not
    const carries = Number(/it carries about ([\d,]+) devices/.exec(refusal(() => chooseLayout(300_000, {}, machine)))![1]!.replaceAll(',', ''));
    expect(() => chooseLayout(carries, {}, machine)).not.toThrow();
    expect(() => chooseLayout(carries + 1, {}, machine)).toThrow(/EVN_ERR_FLEET_TOO_LARGE: [\d,]+ devices need about [\d,]+ MB of memory/);
    expect(() => chooseLayout(300_000, {}, { ...machine, totalMemBytes: 96 * 1024 ** 3 })).not.toThrow();
  });

  it('gives every customer’s devices to exactly one host', () => {
    const loaded = loadScenario(FILE);
    const slices = [0, 1, 2].map((i) => hostSlice(loaded, i, 3));
    expect(slices.flat().map((d) => `${d.customerId}/${d.id}`).sort()).toEqual(loaded.devices.map((d) => `${d.customerId}/${d.id}`).sort());
    for (const [i, slice] of slices.entries()) {
      for (const d of slice) expect(slices.filter((s, j) => j !== i && s.some((o) => o.customerId === d.customerId))).toEqual([]);
    }
  });
});

describe('evernet replay of a fleet too large for the machine', () => {
  const tmp = tempDirPerTest('evernet-engine-');

  it('is refused before anything starts, with EVN_ERR_FLEET_TOO_LARGE and the estimate', async () => {
    const file = tmp.join('huge.yaml');
    writeFileSync(
      file,
      [
        'name: huge', 'title: far too many homes', `tariff: ${resolve('data/de-day-ahead-2020.csv')}`, 'start: "2020-11-02T08:00:00+01:00"', 'end: "2020-11-02T09:00:00+01:00"', 'seed: 1',
        'fleet:', '  homes: 100000', '  region: { centre: { lat: 50.9, lon: 6.9 }, radiusKm: 10 }',
        '  devices:', '    - { id: fridge, kind: fridge }', '    - { id: washer, kind: washer }', '    - { id: car, kind: car-battery }',
      ].join('\n') + '\n',
    );
    const r = await evernet('replay', file, '--hosts', '1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/EVN_ERR_FLEET_TOO_LARGE: 300,000 devices need 300,000 connections a device host, over \d[\d,]*: give --hosts \d+ or more/);
    expect(r.out).toBe('');
    expect(hostPids()).toEqual([]);
  }, 120_000);

  it('refuses --hosts that is not a number', async () => {
    const r = await evernet('replay', FILE, '--hosts', 'many');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--hosts must be auto or a whole number from 0 to 64, got 'many'/);
  });
});
