import { describe, expect, it } from 'vitest';
import { FRIDGE_DOOR, fridgeDoorOpen } from '../../../helpdesk/detect/fridge-door-open.js';
import { sustainedEpisodes } from './episodes.js';
import { T0, alternating, feed, fridge, only, times } from './series.js';

const F = FRIDGE_DOOR.fireAfterS;
const C = FRIDGE_DOOR.clearAfterS;
const open = fridge({ doorOpen: true, cabinetTempC: 7.5 });
const closed = fridge({ doorOpen: false });

describe('fridge-door-open detector', () => {
  it('waits minutes before firing and seconds before clearing', () => {
    expect(F).toBeGreaterThanOrEqual(60);
    expect(C).toBeGreaterThanOrEqual(2);
    expect(C).toBeLessThan(F);
  });

  sustainedEpisodes(fridgeDoorOpen, FRIDGE_DOOR, {
    kind: 'fridge-door-open', deviceKind: 'fridge', severity: 'medium',
    fault: open, breaksFault: closed, faultLastsS: 3600,
    healthy: closed, breaksHealth: open,
    wobble: { what: 'a door opened and closed every few seconds', readings: alternating(Math.max(1, Math.floor(C / 2)), closed, open), lastsS: 3600 },
  });

  it('does not fire on a closed door', () => {
    expect(feed(fridgeDoorOpen, times(3600, closed)).emitted).toEqual([]);
  });

  it(`does not fire on short openings of up to ${F - 1} s`, () => {
    const day = [...times(600, closed), ...times(30, open), ...times(600, closed), ...times(F - 1, open), ...times(600, closed)];
    expect(feed(fridgeDoorOpen, day).emitted).toEqual([]);
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
