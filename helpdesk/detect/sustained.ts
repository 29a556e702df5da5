/**
 * Builds a detector from two conditions with hysteresis: it fires once `fireWhen` has held for
 * `fireAfterS` seconds of event time without a break, and clears once `clearWhen` has held for
 * `clearAfterS`. While a condition holds it keeps the mean, min and max of one metric for the evidence.
 * A gap in the readings longer than `maxGapS` breaks the count: nobody saw the condition hold then.
 *
 * A device that reports by exception sends a message only when something moved past its deadband, so
 * each reading holds until the next message and a quiet device is a steady one: the condition is
 * taken to hold from a message until the next (until the sample before a message that ends it), a gap breaks the count only past a heartbeat and a
 * sample (heldForMs), the mean is weighted by the time each reading held (a burst of messages counts
 * no more than the minutes they span), and a condition that held long enough before the next message
 * fires (or clears) at the moment it had held long enough, not when that message came. A periodic
 * device's readings are samples, each standing for one interval: the mean is theirs, as before.
 */
import type { DeviceKind, ReadingsOf, ReportMode, Severity } from '../../contracts/index.js';
import { heldForMs, keepReadings, type Detector, type Evidence, type ReadingOf, type Signal } from './detector.js';

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
  /** the last message's readings (by exception they hold until the next one): ReadingsOf<K> */
  last: unknown;
  /** by exception: until when the last reading's hold is in the window */
  heldTo: number | null;
  since: number | null;
  first: number;
  /** the metric summed over the window: per reading (periodic), or times the seconds it held (by exception) */
  sum: number;
  /** readings (periodic) or seconds held (by exception) in the window */
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

/** a window not begun; written out rather than spread from another (several times cheaper in Node 20) */
const fresh = (firing: boolean, lastTs: number | null, last: unknown = null, heldTo: number | null = null): State =>
  ({ firing, lastTs, last, heldTo, since: null, first: 0, sum: 0, n: 0, min: Infinity, max: -Infinity });

/**
 * `s` made a window not begun, in place: a device's state is one object for the day, changed by every
 * message (Detector.update owns it), where a new one a message outlived the young generation and died old
 */
function restart(s: State, firing: boolean, lastTs: number | null, last: unknown = null, heldTo: number | null = null): State {
  s.firing = firing;
  s.lastTs = lastTs;
  s.last = last === null ? null : keepReadings(s.last, last as object);
  s.heldTo = heldTo;
  s.since = null;
  s.first = 0;
  s.sum = 0;
  s.n = 0;
  s.min = Infinity;
  s.max = -Infinity;
  return s;
}

/** the metric `m` of a reading at `ts` added to the window of `s` (which begins with it when none had) */
function extend(s: State, ts: number, m: number): void {
  if (s.since === null) {
    s.since = ts;
    s.first = m;
  }
  s.min = Math.min(s.min, m);
  s.max = Math.max(s.max, m);
}

export function sustained<K extends DeviceKind>(spec: SustainedSpec<K>): Detector<K, State> {
  const maxGapMs = (spec.maxGapS ?? 60) * 1000;
  const needMs = (firing: boolean): number => (firing ? spec.clearAfterS : spec.fireAfterS) * 1000;

  /** the condition held for long enough by `at` (the window's metric in w): fire or clear */
  function decided(firing: boolean, r: ReadingsOf<K>, at: number, w: Window): Signal {
    return firing
      ? { type: 'clear', kind: spec.kind, at, evidence: spec.clearEvidence(r, w) }
      : { type: 'fire', kind: spec.kind, severity: spec.severity(r, w), at, evidence: spec.fireEvidence(r, w) };
  }

  const windowOf = (s: State, at: number, mean: number): Window => ({ since: s.since!, seconds: (at - s.since!) / 1000, mean, min: s.min, max: s.max, first: s.first });

  /** a periodic device: each message a sample */
  function periodic(s: State, ts: number, r: ReadingsOf<K>): { state: State; signal?: Signal } {
    if (s.lastTs !== null && ts - s.lastTs > maxGapMs) restart(s, s.firing, ts);
    const holds = s.firing ? spec.clearWhen(r) : spec.fireWhen(r);
    if (!holds) return { state: restart(s, s.firing, ts) };
    const m = spec.metric(r);
    extend(s, ts, m);
    s.lastTs = ts;
    s.last = null;
    s.heldTo = null;
    s.sum += m;
    s.n += 1;
    if (ts - s.since! < needMs(s.firing)) return { state: s };
    const signal = decided(s.firing, r, ts, windowOf(s, ts, s.sum / s.n));
    return { state: restart(s, !s.firing, ts), signal };
  }

  /**
   * By exception: the last reading, held from `heldTo` until `until`, is added to the window; a
   * condition that has held long enough by then is decided at the moment it had (one decision a call),
   * and the reading goes on holding in a window of the opposite condition if that holds on it. `s`
   * changes in place; returns the decision, if any (no result object: this runs for every message)
   */
  function holdUntil(s: State, until: number): Signal | undefined {
    if (s.since === null || s.last === null || s.heldTo === null || until <= s.heldTo) return undefined;
    const held = s.last as ReadingsOf<K>;
    const m = spec.metric(held);
    const due = s.since + needMs(s.firing);
    const to = Math.min(due, until);
    s.sum += (m * (to - s.heldTo)) / 1000;
    s.n += (to - s.heldTo) / 1000;
    s.heldTo = to;
    if (due > until) return undefined;
    const firing = s.firing;
    const signal = decided(firing, held, due, windowOf(s, due, s.n > 0 ? s.sum / s.n : m));
    restart(s, !firing, s.lastTs, held, due);
    if (firing ? spec.fireWhen(held) : spec.clearWhen(held)) extend(s, due, m);
    return signal;
  }

  /**
   * A device reporting by exception: the last reading held until this message, or, when this message
   * ends the condition, until the sample before it: the change happened somewhere within the last
   * sample period, and only the samples that saw the condition count (three open samples a minute
   * apart are a door seen open for 2 min, as periodic samples are)
   */
  function byException(s: State, ts: number, r: ReadingsOf<K>, report: ReportMode): { state: State; signal?: Signal } {
    const gap = s.lastTs !== null && ts - s.lastTs > Math.max(maxGapMs, heldForMs(report));
    const ends = s.since !== null && !(s.firing ? spec.clearWhen(r) : spec.fireWhen(r));
    const seenTo = ends ? Math.max(s.lastTs ?? ts, ts - report.sampleEveryS * 1000) : ts;
    let signal: Signal | undefined;
    if (gap) restart(s, s.firing, ts);
    else signal = holdUntil(s, seenTo);
    const holds = s.firing ? spec.clearWhen(r) : spec.fireWhen(r);
    if (!holds) return { state: restart(s, s.firing, ts, r, ts), signal };
    const m = spec.metric(r);
    if (s.since === null) {
      s.sum = 0;
      s.n = 0;
      s.min = Infinity;
      s.max = -Infinity;
    }
    extend(s, ts, m);
    s.lastTs = ts;
    s.last = keepReadings(s.last, r);
    s.heldTo = ts;
    // one signal per message: a window that just began cannot be long enough yet
    if (signal || ts - s.since! < needMs(s.firing)) return { state: s, signal };
    const decision = decided(s.firing, r, ts, windowOf(s, ts, s.n > 0 ? s.sum / s.n : m));
    return { state: restart(s, !s.firing, ts, r, ts), signal: decision };
  }

  /** how long the last reading of a device reporting by exception stays true without a message */
  const validTo = (s: State, report: ReportMode): number => s.lastTs! + Math.max(maxGapMs, heldForMs(report));

  return {
    kind: spec.kind,
    deviceKind: spec.deviceKind,
    needs: spec.needs,
    init: () => fresh(false, null),
    update: (prev, ts, r, report) => (report ? byException(prev, ts, r, report) : periodic(prev, ts, r)),
    pending: (s, report) => {
      if (s.since === null || s.last === null || s.lastTs === null) return null;
      const due = s.since + needMs(s.firing);
      return due <= validTo(s, report) ? due : null;
    },
    hold: (s, at, report) => {
      const signal = s.lastTs === null ? undefined : holdUntil(s, Math.min(at, validTo(s, report)));
      return signal ? { state: s, signal } : { state: s };
    },
  };
}
