/**
 * The general streaming detector at work: readings no physics detector covers (a board's own
 * sensors, extra pins) are watched one by one, per device, by general/general.ts. Each reading is
 * averaged over buckets of event time (a minute by default) and the bucket means are the series
 * scored, so a device reporting every second and one reporting every minute look alike and a day
 * is ~1,440 points whatever the rate.
 *
 * For `learnS` (a day, so a daily rhythm such as a car's commute is known) a reading only learns:
 * the detector's memory and its usual values (usual-values.ts). Then it fires `reading-anomaly` when
 * - a bucket scores at least `fireScore` (a new level, a changed pattern, a level held too long); an
 *   alert that jumped away from the level before it must stay away for `confirmS`, and one on an
 *   unusual value must stay unusual as long (a compressor's start, a door opened for a minute, a new
 *   extreme of the noise fall straight back), or
 * - the bucket means stay outside the usual values for `outsideAfterS` (a slow drift, which the
 *   score learns as it goes).
 * It clears once the means have been usual again, away from the level it fired on, for
 * `clearAfterS`. Nothing is learned while it fires: a level that stays is for staff to judge.
 *
 * A device reporting by exception sends a reading only when it moved past its deadband: each value
 * holds until the next message, so a bucket's mean weighs each value by the time it held in it, and
 * the buckets a quiet device sent nothing in are filled with the value it held (up to a heartbeat and
 * a sample; a longer gap is a gap). A day is then ~1,440 points however bursty the messages, and the
 * usual values learn minutes, not messages (a burst of messages during a door opening is one minute).
 *
 * One incident per device: the first reading that fires opens it; another firing meanwhile fires
 * again (a note with its evidence); it clears when no reading fires any more. Evidence: the score,
 * the window of recent bucket means and the baseline. Pure and deterministic; state per reading is
 * bounded (the detector's fact memory, at most a day of learning means, at most `usual.maxBins` bins).
 */
import type { ReportMode } from '../../contracts/index.js';
import { round } from '../../contracts/round.js';
import { heldForMs, type Signal } from './detector.js';
import { GeneralAnomalyDetector, RANGE, type GeneralOptions, type GeneralSnapshot } from './general/general.js';
import { VALUE } from './general/novelty.js';
import { binOf, countValue, isUsual, learnValue, newUsualValues, settle, usualEvidence, usualText, type UsualValues, type UsualValuesOptions } from './usual-values.js';

export const READING_ANOMALY_KIND = 'reading-anomaly';

export interface ReadingAnomalyOptions {
  /** seconds of event time averaged into one point of the series */
  bucketS: number;
  /** event time a reading only learns before it may fire */
  learnS: number;
  /** a bucket scoring at least this is an alert (scores are in [0, 1)) */
  fireScore: number;
  /** an alert that jumped away from the level before it, or on an unusual value, fires only if it has not come back within this */
  confirmS: number;
  /** outside the usual values this long fires too */
  outsideAfterS: number;
  /** usual again (away from the level it fired on) this long: cleared */
  clearAfterS: number;
  /** bucket means shown as the evidence window */
  windowBuckets: number;
  usual: UsualValuesOptions;
  /** the general detector's parameters for bucket series */
  general: Partial<GeneralOptions>;
}

export type ReadingAnomalyConfig = Partial<Omit<ReadingAnomalyOptions, 'usual'>> & { usual?: Partial<UsualValuesOptions> };

export const READING_ANOMALY: ReadingAnomalyOptions = {
  bucketS: 60,
  learnS: 24 * 3600,
  fireScore: 0.7,
  confirmS: 10 * 60,
  outsideAfterS: 30 * 60,
  clearAfterS: 30 * 60,
  windowBuckets: 10,
  usual: { bins: 32, minBinShare: 0.005, usualAfter: 3, adoptAfter: 120, maxBins: 256, memory: 1440 },
  general: { learn: 120, quiet: 60, rangeTolerance: 0.25, novelty: { memory: 4096 } },
};

interface ReadingState {
  name: string;
  firstTs: number;
  lastTs: number;
  /** the bucket being filled: its index, sum and count (by exception: value × ms held, and ms) */
  bucket: number;
  sum: number;
  count: number;
  /** the last value (by exception it holds until the next message) */
  lastX: number;
  detector: GeneralAnomalyDetector;
  usual: UsualValues;
  /** the last windowBuckets bucket means and their start times */
  recent: Array<{ at: number; mean: number }>;
  firing: boolean;
  /** the bin of the mean it fired on */
  firedBin: number;
  /** while firing: since when the means are usual again, away from the level it fired on */
  okSince: number | null;
  /** while not firing: since when the means are outside the usual values */
  outSince: number | null;
  /**
   * an alert awaiting confirmation: one that jumped away from the level before it (dismissed when the
   * reading comes back to that level), or one on an unusual value (dismissed when the reading is usual)
   */
  pending: { at: number; score: number; fromBin: number | null } | null;
}

export interface ReadingWatch {
  /** Feeds the readings of one telemetry message (name, value); returns the signals raised. `report`: the device reports by exception. */
  observe(ts: number, values: ReadonlyArray<readonly [string, number]>, report?: ReportMode): Signal[];
  /** readings watched so far */
  readonly watching: number;
  /** the watch's state (a checkpoint; helpdesk/checkpoint.ts) */
  snapshot(): ReadingWatchSnapshot;
}

/** a watch's state: each reading's (its general detector's as a snapshot), and the readings firing, in order */
export interface ReadingWatchSnapshot {
  readings: Array<Omit<ReadingState, 'detector'> & { detector: GeneralSnapshot }>;
  firing: string[];
}

export function mergeReadingAnomaly(c: ReadingAnomalyConfig = {}): ReadingAnomalyOptions {
  return { ...READING_ANOMALY, ...c, usual: { ...READING_ANOMALY.usual, ...c.usual } };
}

const fmt = (x: number): string => String(round(x, 3));

/** The watch of one device's readings; `from`: a snapshot whose state it takes over (made with the same config). */
export function createReadingWatch(config: ReadingAnomalyConfig = {}, from?: ReadingWatchSnapshot): ReadingWatch {
  const o = mergeReadingAnomaly(config);
  const u = o.usual;
  const bucketMs = o.bucketS * 1000;
  const readings = new Map<string, ReadingState>();
  const firing = new Set<string>();
  for (const r of from?.readings ?? []) {
    const detector = new GeneralAnomalyDetector(o.general);
    detector.restore(r.detector);
    readings.set(r.name, { ...r, detector });
  }
  for (const name of from?.firing ?? []) firing.add(name);

  const start = (name: string, ts: number, x: number, held: boolean): ReadingState => ({
    name, firstTs: ts, lastTs: ts, bucket: Math.floor(ts / bucketMs), sum: held ? 0 : x, count: held ? 0 : 1, lastX: x,
    detector: new GeneralAnomalyDetector(o.general), usual: newUsualValues(), recent: [],
    firing: false, firedBin: 0, okSince: null, outSince: null, pending: null,
  });

  function window(s: ReadingState): Record<string, unknown> {
    const means = s.recent.map((r) => r.mean);
    return {
      from: s.recent[0]!.at,
      to: s.recent[s.recent.length - 1]!.at + bucketMs,
      bucketS: o.bucketS,
      means: means.map((m) => round(m, 3)),
      min: round(Math.min(...means), 3),
      max: round(Math.max(...means), 3),
    };
  }

  /** Not firing: an alert, a confirmed one or a drift fires; anything else is learned. */
  function watch(s: ReadingState, mean: number, score: number, at: number, ts: number): Signal | undefined {
    const inside = isUsual(s.usual, mean, u);
    const bin = binOf(s.usual, mean);
    const before = s.recent.length > 1 ? binOf(s.usual, s.recent[s.recent.length - 2]!.mean) : bin;
    s.outSince = inside ? null : (s.outSince ?? at);
    const jumped = Math.abs(bin - before) > 1;
    // a new value (or a new extreme) that is among the usual ones is finer than what counts here
    const scored = score >= o.fireScore && !(inside && !jumped && (s.detector.cause === VALUE || s.detector.cause === RANGE));
    if (s.pending && (s.pending.fromBin === null ? inside : Math.abs(bin - s.pending.fromBin) <= 1)) s.pending = null;
    else if (!s.pending && scored && (jumped || !inside)) s.pending = { at, score, fromBin: jumped ? before : null };
    // an alert on a usual value at the same level (held too long, a changed pattern) needs no confirmation
    const alert = scored && !s.pending;
    const confirmed = s.pending !== null && ts - s.pending.at >= o.confirmS * 1000;
    const drifted = s.outSince !== null && ts - s.outSince >= o.outsideAfterS * 1000;
    if (!alert && !confirmed && !drifted) {
      // usual values keep the baseline current; an unusual one counts towards adopting its level
      if (inside) learnValue(s.usual, mean, u);
      else countValue(s.usual, mean, u);
      return undefined;
    }
    const trigger = alert || confirmed ? 'score' : 'outside';
    const peak = confirmed ? s.pending!.score : score;
    const since = confirmed ? s.pending!.at : alert ? at : s.outSince!;
    const why = trigger === 'score' ? `anomaly score ${round(peak, 2)}` : `outside its usual values for ${Math.round((ts - since) / 60_000)} min`;
    const also = firing.size > 0 ? '; another reading is unusual too' : '';
    Object.assign(s, { firing: true, firedBin: bin, okSince: null, outSince: null, pending: null });
    firing.add(s.name);
    return {
      type: 'fire',
      kind: READING_ANOMALY_KIND,
      severity: 'low',
      at: ts,
      evidence: {
        expected: `${s.name} within its usual values (${usualText(s.usual, u)})`,
        observed: `${s.name} at ${fmt(mean)} (${o.bucketS} s mean), ${why}${also}`,
        since,
        reading: s.name,
        trigger,
        score: round(peak, 3),
        thresholdScore: o.fireScore,
        value: round(mean, 3),
        window: window(s),
        baseline: usualEvidence(s.usual, u),
      },
    };
  }

  /** Firing: usual again, away from the level it fired on, for clearAfterS clears. */
  function recover(s: ReadingState, mean: number, at: number, ts: number): Signal | undefined {
    if (!isUsual(s.usual, mean, u) || Math.abs(binOf(s.usual, mean) - s.firedBin) <= 1) {
      s.okSince = null;
      return undefined;
    }
    s.okSince ??= at;
    if (ts - s.okSince < o.clearAfterS * 1000) return undefined;
    const minutes = Math.round((ts - s.okSince) / 60_000);
    s.firing = false;
    s.okSince = null;
    firing.delete(s.name);
    if (firing.size > 0) return undefined;
    return {
      type: 'clear',
      kind: READING_ANOMALY_KIND,
      at: ts,
      evidence: {
        expected: `${s.name} within its usual values for ${o.clearAfterS / 60} min`,
        observed: `${s.name} at ${fmt(mean)}, within its usual values (${usualText(s.usual, u)}) for ${minutes} min`,
        reading: s.name,
        value: round(mean, 3),
        baseline: usualEvidence(s.usual, u),
      },
    };
  }

  /** A bucket closed with this mean; `ts` is the reading that closed it. */
  function close(s: ReadingState, mean: number, ts: number): Signal | undefined {
    const at = s.bucket * bucketMs;
    s.recent.push({ at, mean });
    if (s.recent.length > o.windowBuckets) s.recent.shift();
    const score = s.detector.update(mean);
    if (s.usual.learning) {
      if (ts - s.firstTs < o.learnS * 1000) return void learnValue(s.usual, mean, u);
      settle(s.usual, u);
    }
    return s.firing ? recover(s, mean, at, ts) : watch(s, mean, score, at, ts);
  }

  /** By exception: the last value held from its message until ts, closing the buckets it spans. */
  function hold(s: ReadingState, ts: number, x: number, report: ReportMode, out: Signal[]): void {
    const bucket = Math.floor(ts / bucketMs);
    if (ts - s.lastTs > heldForMs(report)) {
      // a real gap: the bucket closes with what it had, the series goes on from ts
      if (s.count > 0 && bucket !== s.bucket) {
        const signal = close(s, s.sum / s.count, ts);
        if (signal) out.push(signal);
      }
      if (bucket !== s.bucket) Object.assign(s, { bucket, sum: 0, count: 0 });
    } else {
      let t = s.lastTs;
      while (s.bucket !== bucket) {
        const end = (s.bucket + 1) * bucketMs;
        s.sum += s.lastX * (end - t);
        s.count += end - t;
        const signal = close(s, s.sum / s.count, end);
        if (signal) out.push(signal);
        Object.assign(s, { bucket: s.bucket + 1, sum: 0, count: 0 });
        t = end;
      }
      s.sum += s.lastX * (ts - t);
      s.count += ts - t;
    }
    s.lastTs = ts;
    s.lastX = x;
  }

  return {
    observe(ts, values, report) {
      const out: Signal[] = [];
      for (const [name, x] of values) {
        const s = readings.get(name);
        if (!s) {
          readings.set(name, start(name, ts, x, report !== undefined));
          continue;
        }
        if (ts <= s.lastTs) continue;
        if (report) {
          hold(s, ts, x, report, out);
          continue;
        }
        s.lastTs = ts;
        const bucket = Math.floor(ts / bucketMs);
        if (bucket !== s.bucket) {
          const signal = close(s, s.sum / s.count, ts);
          if (signal) out.push(signal);
          s.bucket = bucket;
          s.sum = 0;
          s.count = 0;
        }
        s.sum += x;
        s.count++;
      }
      return out;
    },
    get watching() {
      return readings.size;
    },
    snapshot: () => ({ readings: [...readings.values()].map((s) => ({ ...s, detector: s.detector.snapshot() })), firing: [...firing] }),
  };
}
