/**
 * The episodes every sustained detector goes through, as one suite a detector's test runs with
 * readings of its own: it reports its incident kind for its device kind, it fires after fireAfterS seconds of the fault (not before, and once while the
 * fault goes on), one reading that breaks the fault restarts that count, it clears after clearAfterS
 * seconds of health (not before), one reading that breaks the health restarts that count, and it can
 * fire again after it cleared; readings switching around the threshold neither fire nor clear. What
 * is a detector's own (thresholds, what else breaks a count, hysteresis, severity rules, evidence)
 * stays in its test file.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceKind, ReadingsOf, Severity } from '../../../contracts/index.js';
import type { Detector } from '../../../helpdesk/detect/detector.js';
import { at, feed, only, trace } from './series.js';

/** a sustained detector's times (its exported parameters) */
export interface SustainedTimes {
  fireAfterS: number;
  clearAfterS: number;
}

export interface Episodes<K extends DeviceKind> {
  /** the incident kind it reports, and the device kind it watches */
  kind: string;
  deviceKind: K;
  /** a reading of the fault the detector fires on */
  fault: ReadingsOf<K>;
  /** a reading of the health it clears on */
  healthy: ReadingsOf<K>;
  /** a reading that is no fault: one of them restarts the fire count */
  breaksFault: ReadingsOf<K>;
  /** a reading that is not healthy: one of them restarts the clear count */
  breaksHealth: ReadingsOf<K>;
  /** the severity of a fire on `fault`, where the detector always rates it the same */
  severity?: Severity;
  /** how long the fault goes on while it must fire only once (s) */
  faultLastsS: number;
  /** readings switching around the fire threshold (see `alternating`) for `lastsS`, and what they are in words: they neither fire, nor clear after a fire */
  wobble: { what: string; readings: (i: number) => ReadingsOf<K>; lastsS: number };
}

export function sustainedEpisodes<K extends DeviceKind, S>(detector: Detector<K, S>, t: SustainedTimes, e: Episodes<K>): void {
  const F = t.fireAfterS;
  const C = t.clearAfterS;
  const { fault, healthy, breaksFault, breaksHealth } = e;
  const traceOf = (series: ReadingsOf<K>[]) => trace(feed(detector, series).emitted);
  const n = (count: number, r: ReadingsOf<K>): ReadingsOf<K>[] => Array.from({ length: count }, () => r);

  describe('fires and clears as a sustained detector', () => {
    it(`reports ${e.kind} incidents on ${e.deviceKind} readings`, () => {
      expect(detector.kind).toBe(e.kind);
      expect(detector.deviceKind).toBe(e.deviceKind);
    });

    it(`fires once the fault has lasted ${F} s, not before`, () => {
      expect(feed(detector, n(F, fault)).emitted).toEqual([]);
      const { emitted } = feed(detector, n(F + 1, fault));
      expect(trace(emitted)).toEqual([`fire@${F}`]);
      expect(only(emitted)).toMatchObject({ type: 'fire', kind: e.kind, at: at(F), ...(e.severity ? { severity: e.severity } : {}) });
    });

    it('fires only once while the fault goes on', () => {
      expect(traceOf(n(e.faultLastsS, fault))).toEqual([`fire@${F}`]);
    });

    it('restarts the count when one reading breaks the fault', () => {
      const k = Math.floor((F * 2) / 3);
      const series = [...n(k, fault), breaksFault, ...n(F, fault)];
      expect(feed(detector, series).emitted).toEqual([]);
      expect(traceOf([...series, fault])).toEqual([`fire@${k + 1 + F}`]);
    });

    it(`clears after ${C} s of health, not before`, () => {
      expect(traceOf([...n(F + 1, fault), ...n(C, healthy)])).toEqual([`fire@${F}`]);
      const { emitted } = feed(detector, [...n(F + 1, fault), ...n(C + 1, healthy)]);
      expect(trace(emitted)).toEqual([`fire@${F}`, `clear@${F + 1 + C}`]);
      expect(emitted[1]!.signal).toMatchObject({ type: 'clear', kind: e.kind, at: at(F + 1 + C) });
    });

    it('restarts the clear count when one reading breaks the health', () => {
      const k = Math.floor((C * 2) / 3);
      const series = [...n(F + 1, fault), ...n(k, healthy), breaksHealth, ...n(C, healthy)];
      expect(traceOf(series)).toEqual([`fire@${F}`]);
      expect(traceOf([...series, healthy])).toEqual([`fire@${F}`, `clear@${F + 1 + k + 1 + C}`]);
    });

    it(`does not flap on ${e.wobble.what}`, () => {
      const wobble = Array.from({ length: e.wobble.lastsS }, (_, i) => e.wobble.readings(i));
      expect(feed(detector, wobble).emitted).toEqual([]);
      expect(traceOf([...n(F + 1, fault), ...wobble])).toEqual([`fire@${F}`]);
    });

    it('can fire again after it cleared', () => {
      const series = [...n(F + 1, fault), ...n(C + 1, healthy), ...n(F + 1, fault)];
      expect(traceOf(series)).toEqual([`fire@${F}`, `clear@${F + 1 + C}`, `fire@${F + 1 + C + 1 + F}`]);
    });
  });
}
