/**
 * Builds a detector from two conditions with hysteresis: it fires once `fireWhen` has held for
 * `fireAfterS` seconds without a break, and clears once `clearWhen` has held for `clearAfterS`.
 * While a condition holds it keeps the mean, min and max of one metric for the evidence.
 * A gap in the readings longer than `maxGapS` breaks the count: nobody saw the condition hold then.
 */
import type { DeviceKind, ReadingsOf, Severity } from '../../contracts/index.js';
import type { Detector, Evidence, ReadingOf } from './detector.js';

export interface Window {
  since: number;
  seconds: number;
  mean: number;
  min: number;
  max: number;
  first: number;
}

interface State {
  firing: boolean;
  lastTs: number | null;
  since: number | null;
  first: number;
  sum: number;
  n: number;
  min: number;
  max: number;
}

export interface SustainedSpec<K extends DeviceKind> {
  kind: string;
  deviceKind: K;
  /** the readings fireWhen, clearWhen and severity rest on (Detector.needs) */
  needs: ReadonlyArray<ReadingOf<K>>;
  metric: (r: ReadingsOf<K>) => number;
  fireWhen: (r: ReadingsOf<K>) => boolean;
  fireAfterS: number;
  clearWhen: (r: ReadingsOf<K>) => boolean;
  clearAfterS: number;
  severity: (r: ReadingsOf<K>, w: Window) => Severity;
  fireEvidence: (r: ReadingsOf<K>, w: Window) => Evidence;
  clearEvidence: (r: ReadingsOf<K>, w: Window) => Evidence;
  /** longest silence (s) that still counts as 'held'; default 60 */
  maxGapS?: number;
}

const fresh = (firing: boolean, lastTs: number | null): State => ({ firing, lastTs, since: null, first: 0, sum: 0, n: 0, min: Infinity, max: -Infinity });

export function sustained<K extends DeviceKind>(spec: SustainedSpec<K>): Detector<K, State> {
  const maxGapMs = (spec.maxGapS ?? 60) * 1000;
  return {
    kind: spec.kind,
    deviceKind: spec.deviceKind,
    needs: spec.needs,
    init: () => fresh(false, null),
    update(prev, ts, r) {
      const gap = prev.lastTs !== null && ts - prev.lastTs > maxGapMs;
      const s = gap ? fresh(prev.firing, ts) : prev;
      const holds = s.firing ? spec.clearWhen(r) : spec.fireWhen(r);
      if (!holds) return { state: fresh(s.firing, ts) };
      const m = spec.metric(r);
      const next: State = {
        firing: s.firing,
        lastTs: ts,
        since: s.since ?? ts,
        first: s.since === null ? m : s.first,
        sum: s.sum + m,
        n: s.n + 1,
        min: Math.min(s.min, m),
        max: Math.max(s.max, m),
      };
      const needS = s.firing ? spec.clearAfterS : spec.fireAfterS;
      if (ts - next.since! < needS * 1000) return { state: next };
      const w: Window = { since: next.since!, seconds: (ts - next.since!) / 1000, mean: next.sum / next.n, min: next.min, max: next.max, first: next.first };
      if (s.firing) {
        return { state: fresh(false, ts), signal: { type: 'clear', kind: spec.kind, at: ts, evidence: spec.clearEvidence(r, w) } };
      }
      return {
        state: fresh(true, ts),
        signal: { type: 'fire', kind: spec.kind, severity: spec.severity(r, w), at: ts, evidence: spec.fireEvidence(r, w) },
      };
    },
  };
}
