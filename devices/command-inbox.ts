/**
 * A device agent's commands between their arrival and their application (devices/agent.ts): a copy of
 * one received lately is told apart, the rest are queued in the order they came, held back in a replay
 * until the runner releases them (a window's count), and waited for (the replay's barrier).
 */
import type { Command } from '../contracts/index.js';
import { RecentIds } from './recent-ids.js';

export class CommandInbox {
  /** received and not yet applied, each with its place among those received; null: none */
  private queue: Array<{ n: number; cmd: Command }> | null = null;
  /** it gives out only the commands received up to this count, `afterMs` after the device's time; live: all, at once */
  private released = Infinity;
  private afterMs = 0;
  /** waitFor() callers; null: none */
  private waiters: Array<{ n: number; resolve: () => void }> | null = null;
  /** the ids of the commands received lately; null until the first command */
  private seen: RecentIds | null = null;

  /** true when a command with this id was received lately: a copy, not to be counted or applied again */
  repeated(id: string): boolean {
    return (this.seen ??= new RecentIds()).repeated(id);
  }

  /** The `n`th command received (null: one rejected, counted but not applied); wakes who waits for n. */
  received(n: number, cmd: Command | null): void {
    if (cmd !== null) (this.queue ??= []).push({ n, cmd });
    const waiters = this.waiters;
    if (!waiters) return;
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (n >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve();
    }
    if (waiters.length === 0) this.waiters = null;
  }

  /** From now on it gives out only the first `n` commands received, `afterMs` after the device's time (a replay's release) */
  release(n: number, afterMs: number): void {
    this.released = n;
    this.afterMs = afterMs;
  }

  /** Resolves once `n` commands have been received, of which `count` have been so far. */
  waitFor(count: number, n: number): Promise<void> {
    if (count >= n) return Promise.resolve();
    return new Promise((resolve) => (this.waiters ??= []).push({ n, resolve }));
  }

  /** a command waits that next() gives out now */
  due(): boolean {
    return this.queue !== null && this.queue[0]!.n <= this.released;
  }

  /** The next command to apply now and the event time it applies at (its own, or `afterMs` after `lastT`); null: none. */
  next(lastT: number): { cmd: Command; at: number } | null {
    const queue = this.queue;
    if (queue === null || queue[0]!.n > this.released) return null;
    const { cmd } = queue.shift()!;
    if (queue.length === 0) this.queue = null;
    return { cmd, at: Math.max(cmd.ts, lastT + this.afterMs) };
  }
}
