/**
 * A device's outgoing store: telemetry and events waiting for the broker's acknowledgement, oldest
 * first, keyed by the device's sequence number. The sender (sender.ts) decides what goes out when and
 * keeps the count bounded; a store only keeps entries. Two implementations: in memory (replays, tests,
 * the default) and SQLite (sqlite-store.ts: survives the device process being killed).
 */
export interface OutboxEntry {
  seq: number;
  topic: string;
  payload: string;
}

export interface OutboxStore {
  append(entry: OutboxEntry): void;
  /** up to `limit` entries with seq > after, oldest first */
  after(after: number, limit: number): OutboxEntry[];
  /** removes an acknowledged entry; false when it was not there (dropped meanwhile) */
  remove(seq: number): boolean;
  /** removes every entry with seq <= upTo (the helpdesk confirmed them: end-to-end acknowledgements); returns how many */
  removeThrough(upTo: number): number;
  /**
   * Drops the oldest entry with seq > after (the oldest not yet handed to the connection), or the
   * oldest of all when there is none, and counts it; returns it (null when the store is empty).
   */
  dropOldest(after: number): OutboxEntry | null;
  size(): number;
  /** the highest seq ever appended, kept across restarts so that the device continues its sequence */
  lastSeq(): number;
  /** entries dropped because the store was full, over its whole life */
  dropped(): number;
  close(): void;
}

/**
 * The in-memory store. `lastSeq` and `dropped` start from the given values (a device restored from elsewhere).
 * A class, not closures: a fleet holds one per device, and methods on the prototype cost nothing per device.
 */
export class MemoryOutboxStore implements OutboxStore {
  // a Map iterates in insertion order, and entries arrive in seq order; the ones handed out and not
  // yet acknowledged sit at the front, and there are at most a window of them
  private readonly entries = new Map<number, OutboxEntry>();
  private last: number;
  private droppedCount: number;

  constructor(start: { lastSeq?: number; dropped?: number } = {}) {
    this.last = start.lastSeq ?? 0;
    this.droppedCount = start.dropped ?? 0;
  }

  append(entry: OutboxEntry): void {
    if (entry.seq <= this.last) throw new RangeError(`outbox seq ${entry.seq} is not after ${this.last}`);
    this.entries.set(entry.seq, entry);
    this.last = Math.max(this.last, entry.seq);
  }

  after(after: number, limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const e of this.entries.values()) {
      if (out.length >= limit) break;
      if (e.seq > after) out.push(e);
    }
    return out;
  }

  remove(seq: number): boolean {
    return this.entries.delete(seq);
  }

  removeThrough(upTo: number): number {
    let n = 0;
    // in seq order: stop at the first entry past upTo
    for (const seq of this.entries.keys()) {
      if (seq > upTo) break;
      this.entries.delete(seq);
      n++;
    }
    return n;
  }

  dropOldest(after: number): OutboxEntry | null {
    let victim: OutboxEntry | null = null;
    for (const e of this.entries.values()) {
      victim ??= e;
      if (e.seq > after) {
        victim = e;
        break;
      }
    }
    if (!victim) return null;
    this.entries.delete(victim.seq);
    this.droppedCount++;
    return victim;
  }

  size(): number {
    return this.entries.size;
  }

  lastSeq(): number {
    return this.last;
  }

  dropped(): number {
    return this.droppedCount;
  }

  close(): void {}
}

export function createMemoryOutboxStore(start: { lastSeq?: number; dropped?: number } = {}): OutboxStore {
  return new MemoryOutboxStore(start);
}
