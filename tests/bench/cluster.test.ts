/**
 * The `cluster` bench (bench/cluster.ts): its judgements (the same decisions, what limits the rate),
 * its CPU accounting on real processes, and a tiny run of the whole group (two homes of the bench's
 * fleet for a day in 4-minute windows) whose JSON must have every figure and hold the guarantees:
 * nothing lost, no duplicate ticket, the same report. The tiny run needs nats-server and PostgreSQL
 * and says it is skipped without them.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { benchCluster } from '../../bench/cluster.js';
import { processTicks, sampleCpu, withDescendants } from '../../bench/cluster/cpu.js';
import { cpuShares, differences, limitsText } from '../../bench/cluster/figures.js';
import { findPostgres } from '../../stack/throwaway-postgres.js';
import { findNatsServer } from '../../cluster/nats/local-cluster.js';
import type { Report } from '../../scenarios/report.js';

const report = (tickets: Array<{ id: string }>): Report =>
  ({ tickets, loads: [], shopping: [], offers: [], contacts: [], bookings: [], satisfaction: [], faults: [], messages: { published: 9 } }) as unknown as Report;

describe('the judgements', () => {
  it('finds the parts in which a run decided differently, and none in its message counts', () => {
    const a = report([{ id: 'T-1' }]);
    expect(differences(a, { ...report([{ id: 'T-1' }]), messages: { published: 12 } } as unknown as Report)).toEqual([]);
    expect(differences(a, report([{ id: 'T-1' }, { id: 'T-2' }]))).toEqual(['tickets']);
    // a partition numbers its own command ids: the same command under either number
    const fix = (commandId: string) => report([{ id: 'T-1', commandId } as { id: string }]);
    expect(differences(fix('c-k3x9-4'), fix('c-k3x9-p2-1'))).toEqual([]);
    expect(differences(fix('c-k3x9-4'), fix('d-k3x9-p2-1'))).toEqual(['tickets']);
  });

  it('says the rate is bound by round trips when the cores are not busy, by CPU when they are, and who uses it', () => {
    const idle = { wallSeconds: 10, capacitySeconds: 20, machineSeconds: 6, seconds: { nats: 3, runner: 1, workers: 1, postgres: 0 }, others: [] };
    expect(cpuShares(idle)).toEqual({ nats: 0.15, runner: 0.05, workers: 0.05, postgres: 0, other: 0.05, busy: 0.3 });
    expect(limitsText(idle, 2, 12.5)).toMatch(/^not CPU-bound \(the 2 cores were 30 % busy.*12\.5 ms a window.*nats-server nodes 60 %.*Most goes to the three nats-server/);
    const busy = { ...idle, machineSeconds: 19, seconds: { nats: 2, runner: 9, workers: 2, postgres: 1 } };
    expect(limitsText(busy, 2, 12.5)).toMatch(/^CPU-bound \(the 2 cores were 95 % busy, 26 % of that other work.*Most goes to the runner/);
  });
});

describe('the CPU accounting', () => {
  it('counts a busy child process in its own group, with its descendants, and not in another', async () => {
    // a second of its own CPU, however busy the machine is
    const child = spawn(process.execPath, ['-e', 'while (process.cpuUsage().user < 1e6);']);
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      expect(withDescendants(process.pid)).toEqual(expect.arrayContaining([process.pid, child.pid, idle.pid]));
      const cpu = sampleCpu({ busy: () => [child.pid!], idle: () => [idle.pid!] }, 200);
      await new Promise((r) => child.once('exit', r));
      const s = cpu.stop();
      expect(s.seconds.busy).toBeGreaterThan(0.5);
      expect(s.seconds.idle).toBeLessThan(0.3);
      expect(s.others.map((o) => o.pid)).not.toContain(child.pid); // counted in its group, not among the others
      expect(processTicks(child.pid!)).toBeNull(); // gone: it kept what its last sample saw
    } finally {
      child.kill();
      idle.kill();
    }
  });
});

const ready = findNatsServer() !== null && findPostgres() !== null;

describe.skipIf(!ready)(`a tiny run of the group${ready ? '' : ' (skipped: nats-server or PostgreSQL is not installed)'}`, () => {
  it('prints every figure, and the drill loses nothing, opens no ticket twice and decides what the embedded run does', async () => {
    const f = await benchCluster({ homes: 2, windowS: 240 });
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
    expect(f).toMatchObject({ 'cluster.workers': 2, 'cluster.partitions': 4, 'cluster.lost': 0, 'cluster.duplicateTickets': 0, 'cluster.sameReport': true, 'cluster.gaps.failover': 0 });
    for (const k of ['cluster.messagesPerSecond.w1', 'cluster.messagesPerSecond.w2', 'cluster.embeddedMessagesPerSecond', 'cluster.ratio.w1', 'cluster.ratio.w2', 'cluster.failoverSeconds']) {
      expect(f[k], k).toBeGreaterThan(0);
    }
    expect(f['cluster.readings.failover']).toBe(f['cluster.readings.w2']);
    expect(f['cluster.readings.w2']).toBeGreaterThan(0);
    expect(f['cluster.limits']).toMatch(/nats-server/);
  }, 600_000);
});
