/**
 * Resident memory and CPU time of a process and all its descendants (Linux /proc; nothing elsewhere), for the
 * benches. A sample reads only the tree's own processes; the whole of /proc is read to find new ones at most
 * every `discoverEveryMs` (a read of every process's stat took about 2.5 ms, in the thread of the process it
 * measures: the fleet bench's runner, twice a second through its day).
 */
import { readFileSync } from 'node:fs';
import { withDescendants } from './cluster/cpu.js';

/** clock ticks a second of /proc/PID/stat's times: 100 on Linux wherever evernet runs (USER_HZ) */
const TICKS_PER_S = 100;

interface Stat {
  ppid: number;
  /** CPU time used so far (user and system, s) */
  cpuS: number;
}

/** a process's parent and CPU time from its /proc/PID/stat; null once it is gone */
function statOf(pid: number): Stat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command may hold spaces and parentheses: the fields after the last ')' are fixed, from the
    // state (field 3): the parent is field 4, utime and stime are fields 14 and 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S };
  } catch {
    return null;
  }
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** this process's CPU time (user and system, s) since `since` (a process.cpuUsage()) */
export function ownCpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

/** what a process of the tree is, from its command line: the script it runs (`shard-main.ts`), else its executable */
function roleOf(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const script = args.find((a) => /\.(ts|js|mjs)$/.test(a));
    return (script ?? args[0] ?? '?').split('/').pop()!;
  } catch {
    return '?';
  }
}

export interface PeakRssOptions {
  /** ms between samples (default 2000) */
  everyMs?: number;
  /** ms between looks for new processes of the tree (default 5000); a sample between them reads only the known ones */
  discoverEveryMs?: number;
  /** the tree's root (default this process) */
  root?: number;
}

/**
 * samples the tree's resident memory and CPU time every `everyMs` until stopped; returns the peak of the
 * sum, `byProcess()`: each process's own peak (`pid role`, e.g. `4242 host-main.ts`), largest first, and
 * `cpuByProcess()`: each one's CPU time at its last sample. A process that starts between two looks for new
 * ones is counted from the next: its CPU time whole (it is a running total), its memory from then.
 */
export function peakRss(o: PeakRssOptions = {}): { stop(): number | null; byProcess(): Array<[string, number]>; cpuByProcess(): Array<[string, number]> } {
  const everyMs = o.everyMs ?? 2000;
  const discoverEveryMs = o.discoverEveryMs ?? 5000;
  const root = o.root ?? process.pid;
  let peak: number | null = null;
  const each = new Map<number, number>();
  const cpu = new Map<number, number>();
  const roles = new Map<number, string>();
  /** the tree as last found; processes that end leave it at the next sample */
  let known = new Set<number>();
  let discoveredAt = -Infinity;
  const sample = (): void => {
    if (Date.now() - discoveredAt >= discoverEveryMs) {
      known = new Set(withDescendants(root));
      discoveredAt = Date.now();
    }
    let sum = 0;
    let read = false;
    for (const pid of known) {
      const s = statOf(pid);
      // ended, or ended and its number taken by a process from outside the tree since
      if (!s || (pid !== root && !known.has(s.ppid))) {
        known.delete(pid);
        continue;
      }
      const rss = rssBytes(pid);
      read = true;
      sum += rss;
      each.set(pid, Math.max(each.get(pid) ?? 0, rss));
      cpu.set(pid, Math.max(cpu.get(pid) ?? 0, s.cpuS));
      if (!roles.has(pid)) roles.set(pid, roleOf(pid));
    }
    // without /proc nothing is read: no peak
    if (read) peak = Math.max(peak ?? 0, sum);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  const name = (pid: number): string => `${pid} ${roles.get(pid) ?? roleOf(pid)}`;
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
    byProcess: () => [...each].map(([pid, b]): [string, number] => [name(pid), b]).sort((a, b) => b[1] - a[1]),
    /** each process's CPU time (user and system, s) at its last sample: a process that ended meanwhile lacks at most its last `everyMs` */
    cpuByProcess: () => [...cpu].map(([pid, s]): [string, number] => [name(pid), s]).sort((a, b) => b[1] - a[1]),
  };
}
