/**
 * A device's outgoing store: telemetry and events waiting for the broker's acknowledgement, oldest
 * first, keyed by the device's sequence number. The sender (sender.ts) decides what goes out when and
 * keeps the count bounded; a store only keeps entries. Two implementations: in memory (replays, tests,
 * the default) and SQLite (sqlite-store.ts: survives the device process being killed).
 */
import { Ring } from './ring.js';

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
  /** in sequence order (append refuses anything else): a ring, not a Map (ring.ts says why) */
  private readonly entries = new Ring<OutboxEntry>();
  private last: number;
  private droppedCount: number;

  constructor(start: { lastSeq?: number; dropped?: number } = {}) {
    this.last = start.lastSeq ?? 0;
    this.droppedCount = start.dropped ?? 0;
  }

  append(entry: OutboxEntry): void {
    if (entry.seq <= this.last) throw new RangeError(`outbox seq ${entry.seq} is not after ${this.last}`);
    this.entries.push(entry);
    this.last = entry.seq;
  }

  after(after: number, limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    const e = this.entries;
    for (let i = e.firstAbove(after, seqOf); i < e.size && out.length < limit; i++) out.push(e.at(i)!);
    return out;
  }

  remove(seq: number): boolean {
    const e = this.entries;
    // the broker acknowledges in order: nearly always the oldest
    const i = e.at(0)?.seq === seq ? 0 : e.firstAbove(seq - 1, seqOf);
    if (e.at(i)?.seq !== seq) return false;
    e.removeAt(i);
    return true;
  }

  removeThrough(upTo: number): number {
    let n = 0;
    while (this.entries.size > 0 && this.entries.at(0)!.seq <= upTo) {
      this.entries.removeAt(0);
      n++;
    }
    return n;
  }

  dropOldest(after: number): OutboxEntry | null {
    const e = this.entries;
    if (e.size === 0) return null;
    const first = e.firstAbove(after, seqOf);
    const victim = e.removeAt(first < e.size ? first : 0)!;
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

const seqOf = (e: OutboxEntry): number => e.seq;

export function createMemoryOutboxStore(start: { lastSeq?: number; dropped?: number } = {}): OutboxStore {
  return new MemoryOutboxStore(start);
}
