/**
 * Where a run's CPU went, by group of processes (Linux /proc; empty elsewhere): every `everyMs` the
 * user + system ticks of each group's processes (their threads included) are read from
 * /proc/<pid>/stat, and the machine's busy ticks from /proc/stat. A process that exits keeps what its
 * last sample saw. Groups are asked for their process ids at every sample, so processes that start
 * later (a worker that takes over, a PostgreSQL backend) are counted from their first sample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** ticks per second of /proc's times (USER_HZ: 100 on every Linux Node supports) */
const HZ = 100;

export interface CpuShares {
  wallSeconds: number;
  /** CPU seconds of each group over the run */
  seconds: Record<string, number>;
  /** CPU seconds the whole machine was busy (every process, ours and everyone else's) */
  machineSeconds: number;
  /** cores × wall seconds */
  capacitySeconds: number;
  /** the processes outside the groups that used the most CPU over the run (seen at its start and end) */
  others: Array<{ pid: number; command: string; seconds: number }>;
}

/** user + system ticks of one process (all its threads), or null when it is gone */
export function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command may hold spaces and parentheses: the fields after the last ')' are fixed (state is field 3)
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

/** busy ticks of the whole machine (everything but idle and iowait) */
export function machineTicks(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return null;
  }
}

/** the process and every descendant of it (for PostgreSQL: the postmaster and its backends) */
export function withDescendants(root: number): number[] {
  const byParent = new Map<number, number[]>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(name)]);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return [root];
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(byParent.get(pid) ?? []));
  }
  return out;
}

/** every process's ticks now */
function allTicks(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const t = processTicks(Number(name));
      if (t !== null) out.set(Number(name), t);
    }
  } catch {
    // no /proc
  }
  return out;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 80);
  } catch {
    return '?';
  }
}

/** samples the groups every `everyMs` until stop(), which takes a last sample */
export function sampleCpu(groups: Record<string, () => readonly number[]>, everyMs = 1000): { stop(): CpuShares } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const groupOf = new Map<number, string>();
  const m0 = machineTicks();
  const all0 = allTicks();
  const t0 = performance.now();
  const sample = (): void => {
    for (const [g, pids] of Object.entries(groups)) {
      for (const pid of pids()) {
        const t = processTicks(pid);
        if (t === null) continue;
        if (!first.has(pid)) {
          first.set(pid, t);
          groupOf.set(pid, g);
        }
        last.set(pid, t);
      }
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const wallSeconds = (performance.now() - t0) / 1000;
      const seconds: Record<string, number> = Object.fromEntries(Object.keys(groups).map((g) => [g, 0]));
      for (const [pid, g] of groupOf) seconds[g]! += (last.get(pid)! - first.get(pid)!) / HZ;
      const m1 = machineTicks();
      const others = [...allTicks()]
        .filter(([pid]) => !groupOf.has(pid))
        .map(([pid, t]) => ({ pid, seconds: (t - (all0.get(pid) ?? 0)) / HZ }))
        .filter((o) => o.seconds > 0)
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 5)
        .map((o) => ({ ...o, command: commandOf(o.pid) }));
      return { wallSeconds, seconds, machineSeconds: m0 === null || m1 === null ? 0 : (m1 - m0) / HZ, capacitySeconds: cpus().length * wallSeconds, others };
    },
  };
}
