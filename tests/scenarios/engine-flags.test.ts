/**
 * The flags a replay's host and shard processes are started with: profiling options pass on with their
 * values, and the heap ceiling grows with what the process carries. V8's allocation-site pretenuring is
 * off in the runner (set on itself) and in the hosts (on their command line).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { profilingFlags } from '../../scenarios/engine/control.js';
import { HOST_SEMI_SPACE_MB, hostNodeFlags, hostSemiSpaceMB, LARGE_HOST_DEVICES, RUNNER_SEMI_SPACE_MB, RUNNER_START_FLAGS, shardNodeFlags } from '../../scenarios/engine/node-flags.js';

const ceiling = (flags: string[]): number => Number(/^--max-old-space-size=(\d+)$/.exec(flags.find((f) => f.startsWith('--max-old-space-size='))!)![1]);

describe('the flags of a replay’s hosts and shards', () => {
  it('passes profiling options on with their values, given with = or as the next argument, and nothing else', () => {
    expect(profilingFlags(['--cpu-prof', '--cpu-prof-interval', '5000', '--cpu-prof-dir=/tmp/p', '--import', 'tsx'])).toEqual(['--cpu-prof', '--cpu-prof-interval', '5000', '--cpu-prof-dir=/tmp/p']);
    expect(profilingFlags(['--heap-prof', '--heap-prof-name', 'x.heapprofile', '--expose-gc'])).toEqual(['--heap-prof', '--heap-prof-name', 'x.heapprofile']);
    expect(profilingFlags(['--import', 'tsx'])).toEqual([]);
  });

  it('gives a host a heap ceiling that grows with its devices and its scenario, and a shard one that grows with its connections', () => {
    const small = ceiling(hostNodeFlags({ devices: 1_000, scenarioDevices: 2_000 }));
    const large = ceiling(hostNodeFlags({ devices: 13_501, scenarioDevices: 27_002 }));
    expect(small).toBeGreaterThanOrEqual(64 + 40);
    // a host of 13,501 devices keeps ≈ 275 MB live (bench/fleet-memory.ts): room for twice that
    expect(large).toBeGreaterThan(2 * 275);
    expect(large).toBeLessThan(1_000);
    expect(ceiling(shardNodeFlags({ devices: 13_501 }))).toBeGreaterThan(ceiling(shardNodeFlags({ devices: 1_000 })));
  });

  it('leaves a small host room to grow its old generation before V8 marks it again', () => {
    // V8's next full collection comes at most halfway from what survived to the ceiling, and its marking starts
    // a semi-space before that: a host of the 1,000-home bench (1,342 devices, 51 MB live, measured) must have
    // at least 16 MB between what survived and the start of the next marking, or it marks without pause
    const live = 51;
    const threshold = (live + ceiling(hostNodeFlags({ devices: 1_342, scenarioDevices: 2_684 }))) / 2;
    expect(threshold - hostSemiSpaceMB(1_342) - live).toBeGreaterThanOrEqual(16);
  });

  it("gives a host a young generation larger than V8's default (fewer scavenges), a large host a larger one, and a shard the default", () => {
    expect(HOST_SEMI_SPACE_MB.small).toBeGreaterThan(16);
    expect(HOST_SEMI_SPACE_MB.large).toBeGreaterThan(HOST_SEMI_SPACE_MB.small);
    const semi = (f: string[]): number => Number(f.find((x) => x.startsWith('--max-semi-space-size='))!.split('=')[1]);
    // a host of the 10,000-home bench (13,501 devices), of the 1,000-home one (1,342), and either side of the line
    expect(semi(hostNodeFlags({ devices: 13_501, scenarioDevices: 27_002 }))).toBe(HOST_SEMI_SPACE_MB.large);
    expect(semi(hostNodeFlags({ devices: 1_342, scenarioDevices: 2_684 }))).toBe(HOST_SEMI_SPACE_MB.small);
    expect(semi(hostNodeFlags({ devices: LARGE_HOST_DEVICES, scenarioDevices: 2 * LARGE_HOST_DEVICES }))).toBe(HOST_SEMI_SPACE_MB.large);
    expect(semi(hostNodeFlags({ devices: LARGE_HOST_DEVICES - 1, scenarioDevices: 2 * LARGE_HOST_DEVICES }))).toBe(HOST_SEMI_SPACE_MB.small);
    // the old generation's room above the ceiling grows with it: two semi-spaces
    const at = (devices: number): number => ceiling(hostNodeFlags({ devices, scenarioDevices: 20_000 }));
    expect(at(LARGE_HOST_DEVICES) - at(LARGE_HOST_DEVICES - 1)).toBeGreaterThanOrEqual(2 * (HOST_SEMI_SPACE_MB.large - HOST_SEMI_SPACE_MB.small));
    expect(shardNodeFlags({ devices: 13_501 }).some((f) => f.startsWith('--max-semi-space-size'))).toBe(false);
  });
});

describe('the runner’s young generation', () => {
  it('is on the command line npm run bench starts its runner with (the evernet command: tests/cli/bin.test.ts)', () => {
    expect(RUNNER_SEMI_SPACE_MB).toBeGreaterThan(16);
    expect(RUNNER_START_FLAGS).toContain(`--max-semi-space-size=${RUNNER_SEMI_SPACE_MB}`);
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.bench).toBe(`node ${RUNNER_START_FLAGS.join(' ')} --import tsx bench/main.ts`);
  });
});

describe('V8’s allocation-site pretenuring, off in the runner and the hosts', () => {
  /**
   * a child node (a small young generation, so scavenges come often) that keeps every object of one
   * allocation site alive across scavenges (so V8 would allocate the site's objects in the old
   * generation from then on), with V8 tracing its decisions; `nodeFlags` on its command line before that
   */
  async function pretenuringDecisions(applyFlags: boolean, nodeFlags: string[] = []): Promise<string> {
    const flags = fileURLToPath(new URL('../../scenarios/engine/node-flags.ts', import.meta.url));
    const script = [
      applyFlags ? `const { applyRunnerV8Flags } = await import(${JSON.stringify(flags)}); applyRunnerV8Flags();` : '',
      'const kept = [];',
      'const make = (i) => ({ i, x: i * 2, y: [i] });',
      'for (let i = 0; i < 3_000_000; i++) kept.push(make(i));',
      'console.log("kept", kept.length);',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags, '--import', 'tsx', '--max-semi-space-size=1', '--trace-pretenuring', '--trace-pretenuring-statistics', '--input-type=module', '-e', script], { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  }

  it('turns V8’s allocation-site pretenuring off, so no site of the helpdesk allocates its objects old', async () => {
    const without = await pretenuringDecisions(false);
    const withFlags = await pretenuringDecisions(true);
    // the same program decides to tenure a site when left alone: the test can tell
    expect(without).toMatch(/=> tenure/);
    expect(withFlags).toMatch(/kept 3000000/);
    expect(withFlags).not.toMatch(/=> tenure/);
  }, 60_000);

  it('starts a host with it off on its command line', async () => {
    // a large host's own flags (room for what the program keeps; its young generation made small again after them, as the test needs)
    const host = await pretenuringDecisions(false, hostNodeFlags({ devices: 13_501, scenarioDevices: 27_002 }));
    expect(host).toMatch(/kept 3000000/);
    expect(host).not.toMatch(/=> tenure/);
  }, 60_000);
});
