/**
 * Builds a detector from two conditions with hysteresis: it fires once `fireWhen` has held for
 * `fireAfterS` seconds without a break, and clears once `clearWhen` has held for `clearAfterS`.
 * While a condition holds it keeps the mean, min and max of one metric for the evidence.
 */
import type { DeviceKind, Severity } from '../../contracts/index.js';
import type { Detector, Evidence, ReadingsOf } from './detector.js';

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
  metric: (r: ReadingsOf<K>) => number;
  fireWhen: (r: ReadingsOf<K>) => boolean;
  fireAfterS: number;
  clearWhen: (r: ReadingsOf<K>) => boolean;
  clearAfterS: number;
  severity: (r: ReadingsOf<K>, w: Window) => Severity;
  fireEvidence: (r: ReadingsOf<K>, w: Window) => Evidence;
  clearEvidence: (r: ReadingsOf<K>, w: Window) => Evidence;
}

const fresh = (firing: boolean): State => ({ firing, since: null, first: 0, sum: 0, n: 0, min: Infinity, max: -Infinity });

export function sustained<K extends DeviceKind>(spec: SustainedSpec<K>): Detector<K, State> {
  return {
    kind: spec.kind,
    deviceKind: spec.deviceKind,
    init: () => fresh(false),
    update(s, ts, r) {
      const holds = s.firing ? spec.clearWhen(r) : spec.fireWhen(r);
      if (!holds) return { state: s.since === null ? s : fresh(s.firing) };
      const m = spec.metric(r);
      const next: State = {
        firing: s.firing,
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
        return { state: fresh(false), signal: { type: 'clear', kind: spec.kind, at: ts, evidence: spec.clearEvidence(r, w) } };
      }
      return {
        state: fresh(true),
        signal: { type: 'fire', kind: spec.kind, severity: spec.severity(r, w), at: ts, evidence: spec.fireEvidence(r, w) },
      };
    },
  };
}
