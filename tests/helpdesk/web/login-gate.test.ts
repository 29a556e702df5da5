/** The gate of password checks (pure): concurrency caps, order of service, bounded queues. */
import { describe, expect, it } from 'vitest';
import { createVerifyGate, type Admission } from '../../../helpdesk/web/login/gate.js';
import { loginPolicy } from '../../../helpdesk/web/login/policy.js';

const tick = () => new Promise((r) => setImmediate(r));

function gate(options: Parameters<typeof loginPolicy>[0] = {}, priority: Record<string, number> = {}) {
  const g = createVerifyGate(loginPolicy(options), (_a, n) => priority[n] ?? 0);
  const order: string[] = [];
  const held: Array<{ who: string; a: Admission }> = [];
  const ask = (address: string, name: string) =>
    g.acquire(address, name).then((a) => {
      order.push(a.ok ? `${address}:${name}` : `refused ${address}:${name}`);
      if (a.ok) held.push({ who: `${address}:${name}`, a });
      return a;
    });
  /** releases the oldest running check */
  const done = async () => {
    const h = held.shift()!;
    if (h.a.ok) h.a.release();
    await tick();
  };
  return { g, order, ask, done, held };
}

describe('the gate of password checks', () => {
  it('runs at most maxConcurrent checks, and at most maxConcurrentPerAddress per address', async () => {
    const { g, ask, done } = gate({ maxConcurrent: 2, maxConcurrentPerAddress: 1 });
    for (let i = 0; i < 3; i++) void ask('a', `n${i}`);
    void ask('b', 'x');
    void ask('c', 'y');
    await tick();
    expect([g.running, g.queued]).toEqual([2, 3]);
    await done();
    expect([g.running, g.queued]).toEqual([2, 2]);
  });

  it('serves addresses in turn, and within one the lowest priority first (first come among equals)', async () => {
    const { ask, done, order } = gate({ maxConcurrent: 1, maxConcurrentPerAddress: 1 }, { storm: 3, alice: 0, known: -1 });
    void ask('a', 'first');
    for (let i = 0; i < 3; i++) void ask('a', 'storm');
    void ask('a', 'alice');
    void ask('b', 'other');
    void ask('a', 'known');
    await tick();
    for (let i = 0; i < 6; i++) await done();
    // 'storm' is capped at 2 queued per (address, name): the third is refused at once
    expect(order).toEqual(['a:first', 'refused a:storm', 'b:other', 'a:known', 'a:alice', 'a:storm', 'a:storm']);
  });

  it('refuses at once when an address queue is full, unless the newcomer has fewer failures than a waiter (who is refused instead)', async () => {
    const { ask, order, g } = gate({ maxConcurrent: 1, maxConcurrentPerAddress: 1, maxQueuedPerAddress: 2 }, { bad: 5 });
    void ask('a', 'first');
    void ask('a', 'bad');
    void ask('a', 'x');
    void ask('a', 'alice');
    void ask('a', 'y');
    await tick();
    expect(order).toEqual(['a:first', 'refused a:bad', 'refused a:y']);
    expect(g.queued).toBe(2);
  });

  it('refuses at once beyond maxQueued in all', async () => {
    const { ask, order, g } = gate({ maxConcurrent: 1, maxQueued: 3, maxQueuedPerAddress: 100 });
    for (let i = 0; i < 6; i++) void ask(`10.0.0.${i}`, 'n');
    await tick();
    expect(order).toEqual(['10.0.0.0:n', 'refused 10.0.0.4:n', 'refused 10.0.0.5:n']);
    expect(g.queued).toBe(3);
  });

  it('ignores a second release', async () => {
    const { g, ask } = gate({ maxConcurrent: 1 });
    const a = await ask('a', 'n');
    void ask('b', 'n');
    if (a.ok) {
      a.release();
      a.release();
    }
    await tick();
    expect([g.running, g.queued]).toEqual([1, 0]);
  });
});
