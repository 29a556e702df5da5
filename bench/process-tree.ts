/** Resident memory and CPU time of a process and all its descendants (Linux /proc; null elsewhere), for the benches. */
import { readdirSync, readFileSync } from 'node:fs';

/** clock ticks a second of /proc/PID/stat's times: 100 on Linux wherever evernet runs (USER_HZ) */
const TICKS_PER_S = 100;

interface Proc {
  ppid: number;
  /** CPU time used so far (user and system, s) */
  cpuS: number;
}

/** every process's parent and CPU time, from one read of its /proc/PID/stat */
function processes(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // the command may hold spaces and parentheses: the fields after the last ')' are fixed, from the
      // state (field 3): the parent is field 4, utime and stime are fields 14 and 15
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), { ppid: Number(fields[1]), cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** the resident memory (bytes) and CPU time (s) of each process of the tree, by pid */
function tree(root: number): Map<number, { rss: number; cpuS: number }> | null {
  try {
    const all = processes();
    const byParent = new Map<number, number[]>();
    for (const [pid, p] of all) {
      const list = byParent.get(p.ppid);
      if (list) list.push(pid);
      else byParent.set(p.ppid, [pid]);
    }
    const out = new Map<number, { rss: number; cpuS: number }>();
    const todo = [root];
    while (todo.length) {
      const pid = todo.pop()!;
      out.set(pid, { rss: rssKb(pid) * 1024, cpuS: all.get(pid)?.cpuS ?? 0 });
      todo.push(...(byParent.get(pid) ?? []));
    }
    return out;
  } catch {
    return null;
  }
}

/** this process's CPU time (user and system, s) since `since` (a process.cpuUsage()) */
export function ownCpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

export function treeRssBytes(root = process.pid): number | null {
  const each = tree(root);
  return each ? [...each.values()].reduce((a, p) => a + p.rss, 0) : null;
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

/**
 * samples the tree's resident memory and CPU time every `everyMs` until stopped; returns the peak of the
 * sum, `byProcess()`: each process's own peak (`pid role`, e.g. `4242 host-main.ts`), largest first, and
 * `cpuByProcess()`: each one's CPU time at its last sample
 */
export function peakRss(everyMs = 2000): { stop(): number | null; byProcess(): Array<[string, number]>; cpuByProcess(): Array<[string, number]> } {
  let peak: number | null = null;
  const each = new Map<number, number>();
  const cpu = new Map<number, number>();
  const sample = (): void => {
    const now = tree(process.pid);
    if (!now) return;
    peak = Math.max(peak ?? 0, [...now.values()].reduce((a, p) => a + p.rss, 0));
    for (const [pid, p] of now) {
      each.set(pid, Math.max(each.get(pid) ?? 0, p.rss));
      cpu.set(pid, Math.max(cpu.get(pid) ?? 0, p.cpuS));
    }
  };
  sample();
  const roles = new Map<number, string>();
  const timer = setInterval(() => {
    sample();
    for (const pid of each.keys()) if (!roles.has(pid)) roles.set(pid, roleOf(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
    byProcess: () => [...each].map(([pid, b]): [string, number] => [`${pid} ${roles.get(pid) ?? roleOf(pid)}`, b]).sort((a, b) => b[1] - a[1]),
    /** each process's CPU time (user and system, s) at its last sample: a process that ended meanwhile lacks at most its last `everyMs` */
    cpuByProcess: () => [...cpu].map(([pid, s]): [string, number] => [`${pid} ${roles.get(pid) ?? roleOf(pid)}`, s]).sort((a, b) => b[1] - a[1]),
  };
}
