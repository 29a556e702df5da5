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

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function treeRssBytes(root = process.pid): number | null {
  try {
    const byParent = children();
    let kb = 0;
    const todo = [root];
    while (todo.length) {
      const pid = todo.pop()!;
      kb += rssKb(pid);
      todo.push(...(byParent.get(pid) ?? []));
    }
    return kb * 1024;
  } catch {
    return null;
  }
}

/** samples treeRssBytes every `everyMs` until stopped; returns the peak */
export function peakRss(everyMs = 2000): { stop(): number | null } {
  let peak: number | null = treeRssBytes();
  const timer = setInterval(() => {
    const now = treeRssBytes();
    if (now !== null) peak = Math.max(peak ?? 0, now);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
