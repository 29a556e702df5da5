/**
 * NAB's scoring method (Numenta Anomaly Benchmark v1.1), pure: rows and windows in, scores out.
 *
 * - The first min(floor(0.15 * rows), 0.15 * 5000) rows of a file are probationary: ignored.
 * - A detected row i inside window [L, R] is worth sigma(-(R - i + 1) / (R - L + 1)) * tp / sigma(-1);
 *   only the best (earliest) detection of a window counts; a window without one costs -fn.
 * - A detected row outside every window costs fp * sigma((i - R) / (W - 1)) when a window of width W
 *   ended at R before it, else -fp. Every such row counts.
 * - sigma(x) = 2 / (1 + e^(5x)) - 1, and -1 for x > 3 (the scaled sigmoid).
 * - The threshold (a row is detected when score >= threshold) is swept over the distinct scores,
 *   starting from 1.1 (nothing detected); the best raw score wins, ties go to the higher threshold.
 * - normalized = 100 * (raw - null) / (perfect - null); null is the swept constant-0.5 detector,
 *   perfect = tp * (all labelled windows).
 */

export interface Cost {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** a window as row indices, inclusive */
export interface Span {
  left: number;
  right: number;
}

/** Scorable rows of one file: what each row is worth before profile weights. */
export interface Geometry {
  rows: number;
  probation: number;
  /** windows in the file (scorable or not) */
  windows: number;
  /** per scorable row: original index, window number in the file (-1 outside) and unweighted value */
  index: Int32Array;
  win: Int32Array;
  unweighted: Float64Array;
}

export const PROBATION_PERCENT = 0.15;
const SWEEP_START = 1.1;

export function scaledSigmoid(pos: number): number {
  if (pos > 3) return -1;
  return 2 / (1 + Math.exp(5 * pos)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

export function probationLength(rows: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** Row layout of a file with `rows` rows and the given (sorted, non-overlapping) windows. */
export function geometry(rows: number, spans: readonly Span[], percent = PROBATION_PERCENT): Geometry {
  const probation = probationLength(rows, percent);
  const first = Math.max(0, Math.ceil(probation));
  const n = Math.max(0, rows - first);
  const index = new Int32Array(n);
  const win = new Int32Array(n);
  const unweighted = new Float64Array(n);
  let s = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < rows; i++) {
    const cur = s < spans.length && spans[s]!.left <= i ? spans[s]! : undefined;
    let value: number;
    if (cur) value = scaledSigmoid(-(cur.right - i + 1) / (cur.right - cur.left + 1));
    else if (prevRight < 0 || prevWidth <= 1) value = -1; // NAB divides by width - 1: a one-row window is "far"
    else value = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
    if (i >= probation) {
      const k = i - first;
      index[k] = i;
      win[k] = cur ? s : -1;
      unweighted[k] = value;
    }
    if (cur && i === cur.right) {
      prevRight = cur.right;
      prevWidth = cur.right - cur.left + 1;
      s++;
    }
  }
  return { rows, probation, windows: spans.length, index, win, unweighted };
}

/** All scorable rows of a set of files for one detector, sorted by score, highest first. */
export interface Points {
  score: Float64Array;
  /** global window id, -1 outside */
  win: Int32Array;
  unweighted: Float64Array;
  /** global ids of windows holding at least one scorable row (only those can be missed) */
  scorableWindows: number;
  /** every labelled window, scorable or not (the perfect score counts them all) */
  allWindows: number;
}

export function points(geoms: readonly Geometry[], scores: readonly ArrayLike<number>[]): Points {
  let total = 0;
  for (const [f, g] of geoms.entries()) {
    if (scores[f]!.length !== g.rows) throw new RangeError(`file ${f}: ${scores[f]!.length} scores for ${g.rows} rows`);
    total += g.index.length;
  }
  const rawScore = new Float64Array(total);
  const rawWin = new Int32Array(total);
  const rawU = new Float64Array(total);
  const seen = new Set<number>();
  let k = 0;
  let winBase = 0;
  for (const [f, g] of geoms.entries()) {
    const sc = scores[f]!;
    for (let j = 0; j < g.index.length; j++, k++) {
      rawScore[k] = sc[g.index[j]!]!;
      rawWin[k] = g.win[j]! < 0 ? -1 : winBase + g.win[j]!;
      rawU[k] = g.unweighted[j]!;
      if (rawWin[k]! >= 0) seen.add(rawWin[k]!);
    }
    winBase += g.windows;
  }
  const order = Array.from({ length: total }, (_, i) => i);
  order.sort((a, b) => rawScore[b]! - rawScore[a]! || a - b); // stable, highest first
  const score = new Float64Array(total);
  const win = new Int32Array(total).fill(-1);
  const unweighted = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const o = order[i]!;
    score[i] = rawScore[o]!;
    win[i] = rawWin[o]!;
    unweighted[i] = rawU[o]!;
  }
  return { score, win, unweighted, scorableWindows: seen.size, allWindows: winBase };
}

export interface Outcome {
  threshold: number;
  raw: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  windowsDetected: number;
}

/** Score every threshold: entry k is the raw score when all rows scoring >= its threshold are detections. */
export function sweep(p: Points, cost: Cost): { threshold: number; raw: number }[] {
  const best = new Map<number, number>();
  let winPart = -cost.fnWeight * p.scorableWindows;
  let fpPart = 0;
  let cur = SWEEP_START;
  const out: { threshold: number; raw: number }[] = [];
  for (let i = 0; i < p.score.length; i++) {
    const s = p.score[i]!;
    if (s !== cur) {
      out.push({ threshold: cur, raw: fpPart + winPart });
      cur = s;
    }
    const w = p.win[i]!;
    if (w < 0) fpPart += p.unweighted[i]! * cost.fpWeight;
    else {
      const v = (p.unweighted[i]! * cost.tpWeight) / MAX_TP;
      const b = best.get(w) ?? -cost.fnWeight;
      if (v > b) {
        winPart += v - b;
        best.set(w, v);
      }
    }
  }
  out.push({ threshold: cur, raw: fpPart + winPart });
  return out;
}

/** NAB's optimizer: the highest raw score, ties to the higher threshold (the earlier sweep row). */
export function bestThreshold(p: Points, cost: Cost): { threshold: number; raw: number } {
  let best: { threshold: number; raw: number } | undefined;
  for (const r of sweep(p, cost)) if (!best || r.raw > best.raw) best = r;
  return best!;
}

export function scoreAt(p: Points, cost: Cost, threshold: number): Outcome {
  const best = new Map<number, number>();
  let fpPart = 0;
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < p.score.length; i++) {
    const hit = p.score[i]! >= threshold;
    const w = p.win[i]!;
    if (w < 0) {
      if (hit) {
        fp++;
        fpPart += p.unweighted[i]! * cost.fpWeight;
      } else tn++;
    } else if (hit) {
      tp++;
      const v = (p.unweighted[i]! * cost.tpWeight) / MAX_TP;
      if (v > (best.get(w) ?? -cost.fnWeight)) best.set(w, v);
    } else fn++;
  }
  const missed = p.scorableWindows - best.size;
  let winPart = -cost.fnWeight * missed;
  for (const v of best.values()) winPart += v;
  return { threshold, raw: fpPart + winPart, tp, fp, fn, tn, windowsDetected: best.size };
}

export interface ProfileScore extends Outcome {
  normalized: number;
  null: number;
  perfect: number;
}

/** Normalised NAB score per profile, threshold swept on the same files. */
export function evaluate(
  geoms: readonly Geometry[],
  scores: readonly ArrayLike<number>[],
  profiles: Readonly<Record<string, Cost>>,
): Record<string, ProfileScore> {
  const p = points(geoms, scores);
  const nullP = points(geoms, geoms.map((g) => new Float64Array(g.rows).fill(0.5)));
  const out: Record<string, ProfileScore> = {};
  for (const [name, cost] of Object.entries(profiles)) {
    const res = scoreAt(p, cost, bestThreshold(p, cost).threshold);
    const nul = bestThreshold(nullP, cost).raw;
    const perfect = cost.tpWeight * p.allWindows;
    const denom = perfect - nul;
    out[name] = { ...res, normalized: denom === 0 ? 0 : (100 * (res.raw - nul)) / denom, null: nul, perfect };
  }
  return out;
}
