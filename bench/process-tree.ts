/** Resident memory of a process and all its descendants (Linux /proc; null elsewhere), for the benches. */
import { readdirSync, readFileSync } from 'node:fs';

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // the command may hold spaces and parentheses: the fields after the last ')' are fixed
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = byParent.get(ppid) ?? [];
      list.push(Number(name));
      byParent.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  return byParent;
}

/** clock ticks a second of /proc/PID/stat's times: 100 on Linux wherever evernet runs (USER_HZ) */
const TICKS_PER_S = 100;

/** the CPU time (user and system, s) a process has used so far; 0 when it is gone */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14 and 15 of stat (utime, stime), counted from the state (field 3) after the command
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** the resident memory of each process of the tree, by pid */
function treeRss(root: number): Map<number, number> | null {
  try {
    const byParent = children();
    const out = new Map<number, number>();
    const todo = [root];
    while (todo.length) {
      const pid = todo.pop()!;
      out.set(pid, rssKb(pid) * 1024);
      todo.push(...(byParent.get(pid) ?? []));
    }
    return out;
  } catch {
    return null;
  }
}

export function treeRssBytes(root = process.pid): number | null {
  const each = treeRss(root);
  return each ? [...each.values()].reduce((a, b) => a + b, 0) : null;
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
 * samples the tree's resident memory every `everyMs` until stopped; returns the peak of the sum, and
 * `byProcess()`: each process's own peak (`pid role`, e.g. `4242 host-main.ts`), largest first
 */
export function peakRss(everyMs = 2000): { stop(): number | null; byProcess(): Array<[string, number]>; cpuByProcess(): Array<[string, number]> } {
  let peak: number | null = null;
  const each = new Map<number, number>();
  const cpu = new Map<number, number>();
  const sample = (): void => {
    const now = treeRss(process.pid);
    if (!now) return;
    peak = Math.max(peak ?? 0, [...now.values()].reduce((a, b) => a + b, 0));
    for (const [pid, b] of now) {
      each.set(pid, Math.max(each.get(pid) ?? 0, b));
      cpu.set(pid, Math.max(cpu.get(pid) ?? 0, cpuSeconds(pid)));
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
