import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../devices/recent-ids.js';

describe('recent command ids', () => {
  it('tells a repeat among the last ids from a new one, and forgets the oldest past its size', () => {
    const ids = new RecentIds(3);
    expect(['a', 'b', 'a', 'c'].map((id) => ids.repeated(id))).toEqual([false, false, true, false]);
    // a fourth new id: 'a', the oldest, is forgotten; 'b' is still known
    expect(ids.repeated('d')).toBe(false);
    expect(ids.repeated('b')).toBe(true);
    expect(ids.repeated('a')).toBe(false);
  });
});
