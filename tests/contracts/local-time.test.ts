import { describe, expect, it } from 'vitest';
import { formatLocal, instantOf, isZone, localParts, minuteOfDay, startOfLocalDay } from '../../contracts/local-time.js';

const B = 'Europe/Berlin';

describe('wall-clock time in a zone', () => {
  it('gives local parts and minutes of the day, daylight saving included', () => {
    expect(localParts(Date.parse('2026-11-30T19:30:00Z'), B)).toEqual({ year: 2026, month: 11, day: 30, hour: 20, minute: 30 });
    expect(minuteOfDay(Date.parse('2026-07-01T22:15:00Z'), B)).toBe(15);
    expect(formatLocal(Date.parse('2026-07-01T22:15:00Z'), B)).toBe('2026-07-02 00:15');
    expect(formatLocal(Date.parse('2026-07-01T22:15:00Z'), 'UTC')).toBe('2026-07-01 22:15');
  });

  it('finds the instant of a local time, also around the changes of 2026', () => {
    expect(instantOf({ year: 2026, month: 11, day: 30, hour: 14, minute: 0 }, B)).toBe(Date.parse('2026-11-30T13:00:00Z'));
    expect(instantOf({ year: 2026, month: 7, day: 1, hour: 14, minute: 0 }, B)).toBe(Date.parse('2026-07-01T12:00:00Z'));
    // 29 March 02:30 does not exist in Berlin: the hour after
    expect(instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, B)).toBe(Date.parse('2026-03-29T01:30:00Z'));
    // 25 October 02:30 happens twice: the first
    expect(instantOf({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, B)).toBe(Date.parse('2026-10-25T00:30:00Z'));
  });

  it('starts local days at local midnight, 23 and 25 hours long at the changes', () => {
    const day = startOfLocalDay(Date.parse('2026-11-30T19:30:00Z'), B);
    expect(day).toBe(Date.parse('2026-11-29T23:00:00Z'));
    expect(startOfLocalDay(day, B, 1)).toBe(Date.parse('2026-11-30T23:00:00Z'));
    const march = startOfLocalDay(Date.parse('2026-03-29T12:00:00Z'), B);
    expect(startOfLocalDay(march, B, 1) - march).toBe(23 * 3_600_000);
    const october = startOfLocalDay(Date.parse('2026-10-25T12:00:00Z'), B);
    expect(startOfLocalDay(october, B, 1) - october).toBe(25 * 3_600_000);
  });

  it('knows which zone names are real', () => {
    expect(isZone(B)).toBe(true);
    expect(isZone('Mars/Olympus')).toBe(false);
  });

  it('remembers an instant per zone and wall time, and answers from memory what it computed', () => {
    // the same wall times in zones with and without daylight saving, both changes of 2026 included, twice
    const zones = [B, 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', '+05:30', 'UTC'];
    const walls = Array.from({ length: 366 }, (_, d) => new Date(Date.UTC(2026, 0, 1 + d, d % 24, (d * 7) % 60)));
    const ask = (): number[] =>
      zones.flatMap((z) => walls.map((w) => instantOf({ year: w.getUTCFullYear(), month: w.getUTCMonth() + 1, day: w.getUTCDate(), hour: w.getUTCHours(), minute: w.getUTCMinutes() }, z)));
    const first = ask();
    expect(ask()).toEqual(first);
    // each answer is that zone's own: a wall time that exists reads back as itself there
    let i = 0;
    for (const z of zones) {
      for (const w of walls) {
        const p = localParts(first[i++]!, z);
        const skipped = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) !== w.getTime();
        if (!skipped) continue;
        // only a time a change skipped reads back otherwise: the clock jumped past it
        expect(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute)).toBeGreaterThan(w.getTime());
      }
    }
    // Kolkata and +05:30 are one offset: the other zones' noons are instants of their own
    expect(new Set(zones.map((z) => instantOf({ year: 2026, month: 6, day: 1, hour: 12, minute: 0 }, z))).size).toBe(zones.length - 1);
    // a zone that is none is refused every time, and nothing is kept of it
    expect(() => instantOf({ year: 2026, month: 6, day: 1, hour: 12, minute: 0 }, 'Mars/Olympus')).toThrow(RangeError);
    expect(() => instantOf({ year: 2026, month: 6, day: 1, hour: 12, minute: 0 }, 'Mars/Olympus')).toThrow(RangeError);
  });
});
