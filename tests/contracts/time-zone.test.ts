import { describe, expect, it } from 'vitest';
import { canonicalZone, isIanaZone, offsetMinutesAt, offsetZone, parseOffsetZone, TimeZone } from '../../contracts/time-zone.js';

describe('time zones', () => {
  it('accepts IANA names (made canonical) and fixed offsets, and names what it refuses', () => {
    expect(TimeZone.parse('Europe/Berlin')).toBe('Europe/Berlin');
    expect(TimeZone.parse('europe/berlin')).toBe('Europe/Berlin');
    expect(TimeZone.parse('utc')).toBe('UTC');
    expect(TimeZone.parse('+05:30')).toBe('+05:30');
    for (const bad of ['Mars/Olympus_Mons', '', '+25:00', '+01:60', '01:00', 'x'.repeat(65)]) {
      const r = TimeZone.safeParse(bad);
      expect(r.success, bad).toBe(false);
    }
    expect(TimeZone.safeParse('Mars/Olympus_Mons').error?.issues[0]?.message).toContain("such as 'Europe/Berlin'");
    expect(isIanaZone('+01:00')).toBe(false);
    expect(canonicalZone('america/new_york')).toBe('America/New_York');
    expect(canonicalZone('Nowhere/Else')).toBeNull();
  });

  it('writes and reads fixed offsets', () => {
    for (const m of [0, 60, 120, -300, 330, -570, 840]) expect(parseOffsetZone(offsetZone(m))).toBe(m);
    expect(offsetZone(0)).toBe('+00:00');
    expect(offsetZone(-330)).toBe('-05:30');
    expect(parseOffsetZone('Europe/Berlin')).toBeNull();
  });

  it('gives the offset in force at the instant: Berlin and New York across their 2020 switches', () => {
    // Europe/Berlin: 29 Mar 2020 01:00 UTC (02:00 CET -> 03:00 CEST), 25 Oct 2020 01:00 UTC (03:00 CEST -> 02:00 CET)
    expect(offsetMinutesAt('Europe/Berlin', Date.UTC(2020, 2, 29, 0, 59, 59, 999))).toBe(60);
    expect(offsetMinutesAt('Europe/Berlin', Date.UTC(2020, 2, 29, 1, 0))).toBe(120);
    expect(offsetMinutesAt('Europe/Berlin', Date.UTC(2020, 9, 25, 0, 59, 59))).toBe(120);
    expect(offsetMinutesAt('Europe/Berlin', Date.UTC(2020, 9, 25, 1, 0))).toBe(60);
    // the day of the replay is winter time: the scenario's fixed +01:00 and the zone agree
    expect(offsetMinutesAt('Europe/Berlin', Date.UTC(2020, 10, 2, 17, 41))).toBe(60);
    // America/New_York: 8 Mar 2020 07:00 UTC (EST -> EDT), 1 Nov 2020 06:00 UTC (EDT -> EST)
    expect(offsetMinutesAt('America/New_York', Date.UTC(2020, 2, 8, 6, 59))).toBe(-300);
    expect(offsetMinutesAt('America/New_York', Date.UTC(2020, 2, 8, 7, 0))).toBe(-240);
    expect(offsetMinutesAt('America/New_York', Date.UTC(2020, 10, 1, 6, 0))).toBe(-300);
    expect(offsetMinutesAt('Asia/Kolkata', Date.UTC(2020, 5, 1))).toBe(330);
    expect(offsetMinutesAt('UTC', 0)).toBe(0);
    expect(offsetMinutesAt('-03:30', Date.UTC(2020, 5, 1))).toBe(-210);
  });

  it('refuses a zone that is neither with a RangeError', () => {
    expect(() => offsetMinutesAt('Mars/Olympus_Mons', 0)).toThrow(RangeError);
  });
});
