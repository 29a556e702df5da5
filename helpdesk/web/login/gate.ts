/**
 * The gate every password check passes: at most maxConcurrent scrypt runs at once (so logins cannot
 * take libuv's whole thread pool), at most maxConcurrentPerAddress per source address. The rest wait
 * in bounded queues, served across addresses by turns (the address admitted longest ago first), and within an address the lowest
 * `priority` first (the throttle's: a pair known from an earlier login, then the fewest failures;
 * asked at the moment of choosing), first come among equals: a storm of wrong passwords for
 * other names does not stand between a staff member and their own check, even behind the same address.
 * A full queue refuses at once (the caller answers 429); a newcomer with fewer failures pushes the
 * waiter with the most out of a full address queue. No timers, no I/O.
 */
import type { LoginPolicy } from './policy.js';
import { nameKey } from './throttle.js';

export type Admission = { ok: true; release: () => void } | { ok: false };

interface Waiter {
  name: string;
  seq: number;
  resolve: (a: Admission) => void;
}

type GatePolicy = Pick<LoginPolicy, 'maxConcurrent' | 'maxConcurrentPerAddress' | 'maxQueued' | 'maxQueuedPerAddress' | 'maxQueuedPerName'>;

export function createVerifyGate(policy: GatePolicy, priority: (address: string, name: string) => number) {
  let running = 0;
  let queued = 0;
  let seq = 0;
  const runningBy = new Map<string, number>();
  /** waiting logins per address */
  const queues = new Map<string, Waiter[]>();
  /** when (in admissions) each address was last admitted: the one waiting longest goes next */
  const lastServed = new Map<string, number>();
  let admissions = 0;
  const queuedBy = new Map<string, number>();
  const key = (address: string, name: string) => `${address}\n${name}`;
  const add = (m: Map<string, number>, k: string, d: number) => {
    const n = (m.get(k) ?? 0) + d;
    if (n <= 0) m.delete(k);
    else m.set(k, n);
  };

  function admit(address: string): Admission {
    running++;
    add(runningBy, address, 1);
    lastServed.set(address, admissions++);
    let released = false;
    return {
      ok: true,
      release() {
        if (released) return;
        released = true;
        running--;
        add(runningBy, address, -1);
        if (!runningBy.has(address) && !queues.has(address)) lastServed.delete(address);
        pump();
      },
    };
  }

  function unqueue(address: string, w: Waiter): void {
    const q = queues.get(address)!;
    q.splice(q.indexOf(w), 1);
    if (q.length === 0) queues.delete(address);
    queued--;
    add(queuedBy, key(address, w.name), -1);
  }

  /** the waiter to serve next in this queue: lowest priority, then first come */
  function best(address: string, q: Waiter[]): Waiter {
    let pick = q[0]!;
    let pickP = priority(address, pick.name);
    for (const w of q) {
      const p = priority(address, w.name);
      if (p < pickP || (p === pickP && w.seq < pick.seq)) [pick, pickP] = [w, p];
    }
    return pick;
  }

  function pump(): void {
    while (running < policy.maxConcurrent) {
      let next: string | null = null;
      for (const address of queues.keys()) {
        if ((runningBy.get(address) ?? 0) >= policy.maxConcurrentPerAddress) continue;
        if (next === null || (lastServed.get(address) ?? -1) < (lastServed.get(next) ?? -1)) next = address;
      }
      if (next === null) return;
      const w = best(next, queues.get(next)!);
      unqueue(next, w);
      w.resolve(admit(next));
    }
  }

  return {
    /** Waits for a slot; { ok: false } at once when the queues are full. Call release() when the check is done. */
    acquire(address: string, name: string): Promise<Admission> {
      const n = nameKey(name);
      const q = queues.get(address);
      if (!q && running < policy.maxConcurrent && (runningBy.get(address) ?? 0) < policy.maxConcurrentPerAddress) return Promise.resolve(admit(address));
      if ((queuedBy.get(key(address, n)) ?? 0) >= policy.maxQueuedPerName || queued >= policy.maxQueued) return Promise.resolve({ ok: false });
      if (q && q.length >= policy.maxQueuedPerAddress) {
        // the waiter with the most failures (the latest among equals) makes room for one with fewer
        let worst = q[0]!;
        let worstP = priority(address, worst.name);
        for (const w of q) {
          const p = priority(address, w.name);
          if (p > worstP || (p === worstP && w.seq > worst.seq)) [worst, worstP] = [w, p];
        }
        if (worstP <= priority(address, n)) return Promise.resolve({ ok: false });
        unqueue(address, worst);
        worst.resolve({ ok: false });
      }
      return new Promise((resolve) => {
        const w: Waiter = { name: n, seq: seq++, resolve };
        const list = queues.get(address) ?? [];
        if (list.length === 0) queues.set(address, list);
        list.push(w);
        queued++;
        add(queuedBy, key(address, n), 1);
      });
    },
    get running(): number {
      return running;
    },
    get queued(): number {
      return queued;
    },
  };
}
export type VerifyGate = ReturnType<typeof createVerifyGate>;
