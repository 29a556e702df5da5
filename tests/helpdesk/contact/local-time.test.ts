/** Quiet hours and channel choice in the customer's own zone: the local clock at the instant, daylight saving included. */
import { describe, expect, it } from 'vitest';
import { chooseChannel, isQuietTime, localMinuteOfDay, zoneOf, type Preferences } from '../../../helpdesk/contact/choose-channel.js';

const NIGHT = { from: '22:00', to: '07:00' };
const berlin: Preferences = { channels: ['app-push', 'email'], quietHours: NIGHT, timeZone: 'Europe/Berlin' };
const hhmm = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

describe("the customer's zone", () => {
  it('is the IANA name when known (canonical), else the fixed offset, else +01:00', () => {
    expect(zoneOf({ timeZone: 'Europe/Berlin' })).toBe('Europe/Berlin');
    expect(zoneOf({ timeZone: 'europe/berlin', timeZoneOffsetMinutes: 0 })).toBe('Europe/Berlin');
    expect(zoneOf({ timeZone: 'Mars/Olympus_Mons', timeZoneOffsetMinutes: 120 })).toBe('+02:00');
    expect(zoneOf({ timeZoneOffsetMinutes: -330 })).toBe('-05:30');
    expect(zoneOf({})).toBe('+01:00');
  });

  it('jumps the local clock on the spring switch day (Berlin, 29 March 2020: 02:00 -> 03:00)', () => {
    expect(hhmm(localMinuteOfDay(Date.UTC(2020, 2, 29, 0, 59), 'Europe/Berlin'))).toBe('01:59');
    expect(hhmm(localMinuteOfDay(Date.UTC(2020, 2, 29, 1, 0), 'Europe/Berlin'))).toBe('03:00');
    // quiet hours end at 07:00 local, which is 05:00 UTC that morning (06:00 UTC the day before)
    expect(isQuietTime(berlin, Date.UTC(2020, 2, 29, 4, 59))).toBe(true);
    expect(isQuietTime(berlin, Date.UTC(2020, 2, 29, 5, 0))).toBe(false);
    expect(isQuietTime(berlin, Date.UTC(2020, 2, 28, 5, 59))).toBe(true);
    expect(isQuietTime(berlin, Date.UTC(2020, 2, 28, 6, 0))).toBe(false);
    // with only the winter offset the same instant would still be quiet: the zone is what makes it right
    expect(isQuietTime({ ...berlin, timeZone: undefined, timeZoneOffsetMinutes: 60 }, Date.UTC(2020, 2, 29, 5, 0))).toBe(true);
  });

  it('repeats the hour on the autumn switch day (Berlin, 25 October 2020: 03:00 -> 02:00), both times quiet', () => {
    expect(hhmm(localMinuteOfDay(Date.UTC(2020, 9, 25, 0, 30), 'Europe/Berlin'))).toBe('02:30');
    expect(hhmm(localMinuteOfDay(Date.UTC(2020, 9, 25, 1, 30), 'Europe/Berlin'))).toBe('02:30');
    expect(isQuietTime(berlin, Date.UTC(2020, 9, 25, 0, 30))).toBe(true);
    expect(isQuietTime(berlin, Date.UTC(2020, 9, 25, 1, 30))).toBe(true);
    // 07:00 CET is 06:00 UTC now; an hour earlier it is still night
    expect(isQuietTime(berlin, Date.UTC(2020, 9, 25, 5, 59))).toBe(true);
    expect(isQuietTime(berlin, Date.UTC(2020, 9, 25, 6, 0))).toBe(false);
    // quiet hours begin at 22:00 CET = 21:00 UTC that evening (20:00 UTC the evening before, in summer time)
    expect(isQuietTime(berlin, Date.UTC(2020, 9, 24, 20, 0))).toBe(true);
    expect(isQuietTime(berlin, Date.UTC(2020, 9, 25, 20, 59))).toBe(false);
    expect(isQuietTime(berlin, Date.UTC(2020, 9, 25, 21, 0))).toBe(true);
  });

  it('wraps quiet hours past midnight in a zone west of UTC (New York: the UTC date is already the next day)', () => {
    const ny: Preferences = { ...berlin, timeZone: 'America/New_York' };
    expect(isQuietTime(ny, Date.UTC(2020, 0, 15, 2, 59))).toBe(false); // 21:59 EST on the 14th
    expect(isQuietTime(ny, Date.UTC(2020, 0, 15, 3, 0))).toBe(true); // 22:00 EST
    expect(isQuietTime(ny, Date.UTC(2020, 0, 15, 5, 0))).toBe(true); // 00:00 EST on the 15th
    expect(isQuietTime(ny, Date.UTC(2020, 0, 15, 11, 59))).toBe(true); // 06:59 EST
    expect(isQuietTime(ny, Date.UTC(2020, 0, 15, 12, 0))).toBe(false); // 07:00 EST
    expect(isQuietTime(ny, Date.UTC(2020, 6, 15, 11, 0))).toBe(false); // 07:00 EDT in summer
  });

  it('keeps a daytime window in a half-hour zone (Kolkata, UTC+05:30)', () => {
    const k: Preferences = { ...berlin, timeZone: 'Asia/Kolkata', quietHours: { from: '13:00', to: '15:00' } };
    expect(isQuietTime(k, Date.UTC(2020, 5, 1, 7, 29))).toBe(false); // 12:59
    expect(isQuietTime(k, Date.UTC(2020, 5, 1, 7, 30))).toBe(true); // 13:00
    expect(isQuietTime(k, Date.UTC(2020, 5, 1, 9, 30))).toBe(false); // 15:00
  });

  it('chooses the channel by the local time of the zone: a summer evening in Berlin is quiet, in the fixed winter offset it is not', () => {
    const at = Date.UTC(2020, 6, 1, 20, 30); // 22:30 CEST
    const ctx = { at, driving: false, severity: 'medium' as const, deviceKind: 'fridge' };
    expect(chooseChannel(berlin, ctx).channel).toBe('email');
    expect(chooseChannel({ ...berlin, timeZone: undefined, timeZoneOffsetMinutes: 60 }, ctx).channel).toBe('app-push');
    expect(chooseChannel({ ...berlin, timeZoneOffsetMinutes: 0 }, ctx).channel).toBe('email'); // the zone wins over the offset
  });
});
