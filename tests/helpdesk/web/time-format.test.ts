/**
 * The dashboard's one time formatter (helpdesk/web/public/js/time.js): every time in the customer's
 * zone with the zone named, daylight saving included, whatever zone the machine (or browser) is in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatTime, wallClock, zonedDate, zoneLabel } from '../../../helpdesk/web/public/js/time.js';

const BATTERY = Date.UTC(2020, 10, 2, 17, 41, 1); // the day in 2020: 18:41:01 in Köln
const machineZone = process.env.TZ;
afterEach(() => {
  if (machineZone === undefined) delete process.env.TZ;
  else process.env.TZ = machineZone;
});

describe('the time formatter', () => {
  it("writes the customer's wall clock with the zone's short name", () => {
    expect(formatTime(BATTERY, 'Europe/Berlin')).toBe('18:41:01 CET');
    expect(formatTime(BATTERY, 'Europe/Berlin', { date: true })).toBe('2 Nov 2020 18:41:01 CET');
    expect(formatTime(BATTERY, 'Europe/Berlin', { seconds: false, showZone: false })).toBe('18:41');
    expect(formatTime(Date.UTC(2020, 7, 8, 12, 0), 'Europe/Berlin')).toBe('14:00:00 CEST');
    expect(formatTime(BATTERY, 'America/New_York')).toBe('12:41:01 EST');
    expect(formatTime(Date.UTC(2020, 6, 1, 16, 0), 'America/New_York')).toBe('12:00:00 EDT');
    expect(formatTime(BATTERY, 'Asia/Kolkata')).toMatch(/^23:11:01 (GMT|UTC)\+5:30$/);
    expect(formatTime(null, 'Europe/Berlin')).toBe('—');
  });

  it('tells the repeated hour of the autumn switch apart and skips the missing one in spring (Berlin 2020)', () => {
    expect(formatTime(Date.UTC(2020, 9, 25, 0, 30), 'Europe/Berlin')).toBe('02:30:00 CEST');
    expect(formatTime(Date.UTC(2020, 9, 25, 1, 30), 'Europe/Berlin')).toBe('02:30:00 CET');
    expect(formatTime(Date.UTC(2020, 2, 29, 0, 59, 59), 'Europe/Berlin')).toBe('01:59:59 CET');
    expect(formatTime(Date.UTC(2020, 2, 29, 1, 0, 0), 'Europe/Berlin')).toBe('03:00:00 CEST');
  });

  it('takes a fixed offset, and shows a missing or unknown zone as UTC, saying so', () => {
    expect(formatTime(BATTERY, '+01:00')).toBe('18:41:01 UTC+01:00');
    expect(formatTime(BATTERY, '-05:30', { date: true })).toBe('2 Nov 2020 12:11:01 UTC-05:30');
    expect(formatTime(BATTERY, '+00:00')).toBe('17:41:01 UTC');
    expect(formatTime(BATTERY, undefined)).toBe('17:41:01 UTC');
    expect(formatTime(BATTERY, 'Mars/Olympus_Mons')).toBe('17:41:01 UTC');
  });

  it('names the zone in full where there is room', () => {
    expect(zoneLabel(BATTERY, 'Europe/Berlin')).toBe('CET (Europe/Berlin)');
    expect(zoneLabel(BATTERY, 'UTC')).toBe('UTC');
    expect(zoneLabel(BATTERY, '+01:00')).toBe('UTC+01:00');
  });

  it("never depends on the machine's own zone", () => {
    for (const tz of ['America/New_York', 'Asia/Tokyo', 'UTC']) {
      process.env.TZ = tz;
      expect(new Date(BATTERY).getHours(), tz).not.toBe(18); // the machine's clock differs...
      expect(formatTime(BATTERY, 'Europe/Berlin', { date: true })).toBe('2 Nov 2020 18:41:01 CET'); // ...the formatter does not
      expect(wallClock(BATTERY, 'Europe/Berlin')).toMatchObject({ hour: 18, minute: 41, abbr: 'CET', zone: 'Europe/Berlin' });
      // the chart's layout date reads the zone's wall clock in the machine's local fields
      expect(zonedDate(BATTERY, 'Europe/Berlin').getHours()).toBe(18);
    }
  });
});
