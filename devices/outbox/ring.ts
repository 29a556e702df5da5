/**
 * A queue in insertion order over one array used as a ring: push at the end, take from the front,
 * read and remove at any position. A device's outbox and its connection's in-flight packets are each
 * a few entries that come and go with every message, for the whole life of the device. A Map there
 * allocates a new hash table every few additions and removals, and since the Map is old, so is each
 * table: at fleet scale that was most of what a host's old generation collected (docs/fleets.md#engine).
 * The ring allocates only when it grows past its size or shrinks after a backlog.
 */
const MIN_CAPACITY = 4;

export class Ring<T> {
  private slots: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** the i-th entry from the front (0: the oldest); undefined out of range */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.slots[(this.head + i) & (this.slots.length - 1)];
  }

  push(x: T): void {
    if (this.count === this.slots.length) this.resize(this.slots.length * 2);
    this.slots[(this.head + this.count) & (this.slots.length - 1)] = x;
    this.count++;
  }

  /** replaces the i-th entry (0 <= i < size) */
  set(i: number, x: T): void {
    if (i < 0 || i >= this.count) throw new RangeError(`ring index ${i} outside 0..${this.count - 1}`);
    this.slots[(this.head + i) & (this.slots.length - 1)] = x;
  }

  /** removes and returns the i-th entry; the ones after it move up (at the front, nothing moves) */
  removeAt(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    const mask = this.slots.length - 1;
    const x = this.slots[(this.head + i) & mask];
    if (i === 0) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) & mask;
    } else {
      for (let k = i; k < this.count - 1; k++) this.slots[(this.head + k) & mask] = this.slots[(this.head + k + 1) & mask];
      this.slots[(this.head + this.count - 1) & mask] = undefined;
    }
    this.count--;
    // a backlog that drained leaves a large array behind: given back once a quarter of it is used
    if (this.slots.length > MIN_CAPACITY * 16 && this.count * 4 <= this.slots.length) this.resize(this.slots.length / 2);
    return x;
  }

  /** the position of the first entry with `key(x) > k`, for entries in increasing order of key */
  firstAbove(k: number, key: (x: T) => number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key(this.at(mid)!) > k) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  clear(): void {
    this.slots = new Array<T | undefined>(MIN_CAPACITY);
    this.head = 0;
    this.count = 0;
  }

  /** the entries, oldest first, in a new array */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.at(i)!);
    return out;
  }

  private resize(capacity: number): void {
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.count; i++) next[i] = this.at(i);
    this.slots = next;
    this.head = 0;
  }
}
