/**
 * Fridge: the compressor works harder than this fridge normally does for the same temperature
 * difference (a worn door seal, a door that does not quite close). The compressor's duty is
 * tracked as two exponential averages, a fast one (3 h) and the fridge's own baseline (96 h, which
 * learns only while the duty looks normal), each divided by the temperature difference it works against, so a hot day is not
 * mistaken for a fault. Learns for 12 h before it may fire. O(1) per reading.
 *
 * The averages weigh each reading by time, not by count. A fridge reporting by exception sends a message
 * when the compressor starts or stops (and when the cabinet moved past its deadband): the duty between
 * two messages is the one the earlier message said, held until the later one, and a gap is normal up
 * to a heartbeat. Early on the averages are the plain time mean so far (a periodic device: the mean of
 * its readings), then exponential. A condition in progress is completed at the helpdesk's watermark
 * (`hold`) on the held duty, not only at the fridge's next message.
 */
import type { FridgeReadings, ReportMode } from '../../contracts/index.js';
import { round } from '../../contracts/round.js';
import { heldForMs, keepReadings, type Detector, type Signal } from './detector.js';

export const FRIDGE_DUTY = {
  fastTauS: 3 * 3600,
  baseTauS: 96 * 3600,
  warmupS: 12 * 3600,
  fireRatio: 1.4,
  minDuty: 0.1,
  fireAfterS: 30 * 60,
  clearRatio: 1.2,
  clearAfterS: 60 * 60,
  maxGapS: 15 * 60,
} as const;
const p = FRIDGE_DUTY;

interface State {
  start: number | null;
  /** readings seen: early on the averages are plain means (a bias-corrected EWMA) */
  n: number;
  lastTs: number | null;
  /** the last reading's load index (by exception it holds until the next message) */
  lastX: number;
  fast: number;
  base: number;
  firing: boolean;
  since: number | null;
  /** by exception: the last readings, and until when the averages have held them */
  last: FridgeReadings | null;
  heldTo: number | null;
}

/**
 * the weight of a reading held dtS: at least its share of what was seen so far (the n-th of n periodic
 * readings, or dtS of the elapsed seconds by exception), so the early averages are plain means
 */
const ewma = (prev: number, x: number, dtS: number, tauS: number, share: number): number =>
  prev + (x - prev) * Math.max(share, 1 - Math.exp(-dtS / tauS));

const needMs = (firing: boolean): number => (firing ? p.clearAfterS : p.fireAfterS) * 1000;
const gapMs = (report?: ReportMode): number => (report ? Math.max(p.maxGapS * 1000, heldForMs(report)) : p.maxGapS * 1000);

/** what a reading moves besides the averages */
type Moved = Pick<State, 'n' | 'lastTs' | 'lastX' | 'last' | 'heldTo'>;

/**
 * `s` moved on, in place: a fridge's state is one object for the day, changed by every message
 * (Detector.update owns it). A new one a message lived until the fridge's next message, long enough to
 * be promoted out of the young generation, and died old (docs/fleets.md).
 */
function write(s: State, m: Moved, fast: number, base: number, firing: boolean, since: number | null): State {
  s.n = m.n;
  s.lastTs = m.lastTs;
  s.lastX = m.lastX;
  s.last = m.last === null ? null : keepReadings(s.last, m.last);
  s.heldTo = m.heldTo;
  s.fast = fast;
  s.base = base;
  s.firing = firing;
  s.since = since;
  return s;
}

/** what a reading moves, kept in one object of the module's (judge writes it into the state before it returns) */
const moved: Moved = { n: 0, lastTs: 0, lastX: 0, last: null, heldTo: 0 };
function move(n: number, lastTs: number | null, lastX: number, last: FridgeReadings | null, heldTo: number | null): Moved {
  moved.n = n;
  moved.lastTs = lastTs;
  moved.lastX = lastX;
  moved.last = last;
  moved.heldTo = heldTo;
  return moved;
}

/** The averages moved over dtS with the load index `held` (and what `m` moves), then judged at ts on the readings r. */
function judge(s: State, ts: number, r: FridgeReadings, held: number, dtS: number, share: number, m: Moved): { state: State; signal?: Signal } {
  const fast = ewma(s.fast, held, dtS, p.fastTauS, share);
  // the baseline learns only while the fridge looks normal, so a slow fault cannot drag it along
  const learning = ts - s.start! < p.warmupS * 1000;
  const looksNormal = learning || (!s.firing && (s.base <= 0 || fast / s.base < p.clearRatio));
  const base = looksNormal ? ewma(s.base, held, dtS, p.baseTauS, share) : s.base;
  const ratio = base > 0 ? fast / base : 1;
  if (learning) return { state: write(s, m, fast, base, s.firing, s.since) };
  const duty = fast * Math.max(1, r.ambientTempC - r.setpointC);
  const holds = s.firing ? ratio < p.clearRatio : ratio > p.fireRatio && duty > p.minDuty;
  if (!holds) return { state: write(s, m, fast, base, s.firing, null) };
  const since = s.since ?? ts;
  if (ts - since < needMs(s.firing)) return { state: write(s, m, fast, base, s.firing, since) };
  const numbers = { dutyPct: round(duty * 100, 1), baselineDutyPct: round(base * Math.max(1, r.ambientTempC - r.setpointC) * 100, 1), ratio: round(ratio, 2) };
  if (s.firing) {
    return {
      state: write(s, m, fast, base, false, null),
      signal: { type: 'clear', kind: 'fridge-duty', at: ts, evidence: { expected: `duty within ${p.clearRatio}x of this fridge's own`, observed: `${numbers.dutyPct} % duty`, ...numbers } },
    };
  }
  return {
    state: write(s, m, fast, base, true, null),
    signal: {
      type: 'fire',
      kind: 'fridge-duty',
      severity: 'low',
      at: ts,
      evidence: {
        expected: `compressor duty near this fridge's own ${numbers.baselineDutyPct} % at ${round(r.ambientTempC, 1)} °C ambient`,
        observed: `${numbers.dutyPct} % over the last hours (${numbers.ratio}x), cabinet ${round(r.cabinetTempC, 1)} °C`,
        since,
        ...numbers,
        thresholdRatio: p.fireRatio,
      },
    },
  };
}

export const fridgeDuty: Detector<'fridge', State> = {
  kind: 'fridge-duty',
  deviceKind: 'fridge',
  needs: ['compressorOn', 'ambientTempC', 'setpointC'],
  init: () => ({ start: null, n: 0, lastTs: null, lastX: 0, fast: 0, base: 0, firing: false, since: null, last: null, heldTo: null }),
  update(s, ts, r, report?: ReportMode) {
    // load index: compressor duty per kelvin it works against
    const x = (r.compressorOn ? 1 : 0) / Math.max(1, r.ambientTempC - r.setpointC);
    // by exception the last readings are kept: they hold until the next message
    const last = report ? r : s.last;
    const heldTo = report ? ts : s.heldTo;
    if (s.lastTs === null || ts - s.lastTs > gapMs(report)) {
      if (s.start === null) {
        s.start = ts;
        s.n = 1;
        s.fast = x;
        s.base = x;
      }
      s.lastTs = ts;
      s.lastX = x;
      s.since = null;
      s.last = last === null ? null : keepReadings(s.last, last);
      s.heldTo = heldTo;
      return { state: s };
    }
    // periodic: this reading stands for the interval before it; by exception the last one held until now
    const dtS = (ts - (report ? (s.heldTo ?? s.lastTs) : s.lastTs)) / 1000;
    const n = s.n + 1;
    const share = report ? dtS / Math.max(dtS, (ts - s.start!) / 1000, 1e-9) : 1 / n;
    return judge(s, ts, r, report ? s.lastX : x, dtS, share, move(n, ts, x, last, heldTo));
  },
  pending(s, report) {
    if (s.since === null || s.last === null || s.lastTs === null) return null;
    const due = s.since + needMs(s.firing);
    return due <= s.lastTs + gapMs(report) ? due : null;
  },
  hold(s, at, report) {
    if (s.since === null || s.last === null || s.lastTs === null) return { state: s };
    const until = Math.min(at, s.since + needMs(s.firing), s.lastTs + gapMs(report));
    const from = s.heldTo ?? s.lastTs;
    if (until <= from) return { state: s };
    const dtS = (until - from) / 1000;
    return judge(s, until, s.last, s.lastX, dtS, dtS / Math.max(dtS, (until - s.start!) / 1000), move(s.n, s.lastTs, s.lastX, s.last, until));
  },
};
