import { describe, expect, it } from 'vitest';
import { FRIDGE_DOOR, fridgeDoorOpen } from '../../../helpdesk/detect/fridge-door-open.js';
import { T0, at, feed, fridge, only, times, trace } from './series.js';

const F = FRIDGE_DOOR.fireAfterS;
const C = FRIDGE_DOOR.clearAfterS;
const open = fridge({ doorOpen: true, cabinetTempC: 7.5 });
const closed = fridge({ doorOpen: false });

describe('fridge-door-open detector', () => {
  it('waits minutes before firing and seconds before clearing', () => {
    expect(fridgeDoorOpen.kind).toBe('fridge-door-open');
    expect(fridgeDoorOpen.deviceKind).toBe('fridge');
    expect(F).toBeGreaterThanOrEqual(60);
    expect(C).toBeGreaterThanOrEqual(2);
    expect(C).toBeLessThan(F);
  });

  it(`fires once the door has been open for ${F} s, not before`, () => {
    expect(feed(fridgeDoorOpen, times(F, open)).emitted).toEqual([]);
    const { emitted } = feed(fridgeDoorOpen, times(F + 1, open));
    expect(trace(emitted)).toEqual([`fire@${F}`]);
    expect(only(emitted)).toMatchObject({ type: 'fire', kind: 'fridge-door-open', severity: 'medium', at: at(F) });
  });

  it('fires only once while the door stays open', () => {
    expect(trace(feed(fridgeDoorOpen, times(3600, open)).emitted)).toEqual([`fire@${F}`]);
  });

  it('does not fire on a closed door', () => {
    expect(feed(fridgeDoorOpen, times(3600, closed)).emitted).toEqual([]);
  });

  it(`does not fire on short openings of up to ${F - 1} s`, () => {
    const day = [...times(600, closed), ...times(30, open), ...times(600, closed), ...times(F - 1, open), ...times(600, closed)];
    expect(feed(fridgeDoorOpen, day).emitted).toEqual([]);
  });

  it('restarts the count when the door is closed for one reading', () => {
    const k = Math.floor((F * 2) / 3);
    const series = [...times(k, open), closed, ...times(F, open)];
    expect(feed(fridgeDoorOpen, series).emitted).toEqual([]);
    expect(trace(feed(fridgeDoorOpen, [...series, open]).emitted)).toEqual([`fire@${k + 1 + F}`]);
  });

  it(`clears after the door has been closed for ${C} s, not before`, () => {
    expect(trace(feed(fridgeDoorOpen, [...times(F + 1, open), ...times(C, closed)]).emitted)).toEqual([`fire@${F}`]);
    const { emitted } = feed(fridgeDoorOpen, [...times(F + 1, open), ...times(C + 1, closed)]);
    expect(trace(emitted)).toEqual([`fire@${F}`, `clear@${F + 1 + C}`]);
    expect(emitted[1]!.signal).toMatchObject({ type: 'clear', kind: 'fridge-door-open', at: at(F + 1 + C) });
  });

  it('restarts the clear count when the door opens again for one reading', () => {
    const series = [...times(F + 1, open), ...times(C - 1, closed), open, ...times(C, closed)];
    expect(trace(feed(fridgeDoorOpen, series).emitted)).toEqual([`fire@${F}`]);
    expect(trace(feed(fridgeDoorOpen, [...series, closed]).emitted)).toEqual([`fire@${F}`, `clear@${F + 1 + C - 1 + 1 + C}`]);
  });

  it('does not flap while the door keeps being opened and closed every few seconds', () => {
    const half = Math.max(1, Math.floor(C / 2));
    const fiddling = (i: number) => (i % (2 * half) < half ? closed : open);
    expect(feed(fridgeDoorOpen, times(3600, fiddling)).emitted).toEqual([]);
    expect(trace(feed(fridgeDoorOpen, [...times(F + 1, open), ...times(3600, fiddling)]).emitted)).toEqual([`fire@${F}`]);
  });

  it('can fire again after it cleared', () => {
    const series = [...times(F + 1, open), ...times(C + 1, closed), ...times(F + 1, open)];
    expect(trace(feed(fridgeDoorOpen, series).emitted)).toEqual([`fire@${F}`, `clear@${F + 1 + C}`, `fire@${F + 1 + C + 1 + F}`]);
  });

  it('gives evidence in words and numbers when it fires', () => {
    const s = only(feed(fridgeDoorOpen, times(F + 1, open)).emitted);
    expect(s.evidence).toEqual({
      expected: `door closed again within ${F / 60} min`,
      observed: `door open for ${F} s, cabinet 7.5 °C`,
      since: T0,
    });
  });

  it('gives evidence in words when it clears', () => {
    const { emitted } = feed(fridgeDoorOpen, [...times(F + 1, open), ...times(C + 1, closed)]);
    expect(emitted[1]!.signal.evidence).toEqual({ expected: 'door closed', observed: 'door closed' });
  });
});
