/**
 * Reads a Numenta Anomaly Benchmark directory in NAB's layout:
 *   DIR/data/<category>/<file>.csv        timestamp,value
 *   DIR/labels/combined_windows.json      {"<category>/<file>.csv": [[start, end], ...]}
 *   DIR/config/profiles.json              {"standard": {"CostMatrix": {tpWeight, fpWeight, fnWeight}}, ...}
 * The files read are those named in the windows file. Every problem is a NabDirError naming the path
 * and what was expected there.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Cost, Span } from './score.js';

export class NabDirError extends Error {
  readonly code = 'EVN_ERR_NAB_DIR';
  constructor(readonly path: string, expected: string) {
    super(`EVN_ERR_NAB_DIR: ${path}: ${expected}`);
    this.name = 'NabDirError';
  }
}

export interface NabFile {
  /** "<category>/<file>.csv", as in the windows file */
  relpath: string;
  /** timestamps exactly as written in the data file */
  stamps: string[];
  values: Float64Array;
  /** labelled windows as row indices, sorted */
  spans: Span[];
}

export interface NabCorpus {
  dir: string;
  files: NabFile[];
  profiles: Record<string, Cost>;
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/;

/** A timestamp as microseconds since 1970 (UTC wall time), or NaN if it is not ISO-like. */
export function parseTimestamp(text: string): number {
  const m = TS_RE.exec(text.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = m;
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
  return ms * 1000 + Number(frac.padEnd(6, '0'));
}

function readJson(path: string, expected: string): unknown {
  if (!existsSync(path)) throw new NabDirError(path, `missing; expected ${expected}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new NabDirError(path, `not valid JSON (${(e as Error).message}); expected ${expected}`);
  }
}

export function loadProfiles(path: string): Record<string, Cost> {
  const expected = 'NAB profiles: {"standard": {"CostMatrix": {"tpWeight", "fpWeight", "fnWeight"}}, ...}';
  const raw = readJson(path, expected);
  const out: Record<string, Cost> = {};
  if (typeof raw !== 'object' || raw === null) throw new NabDirError(path, `expected ${expected}`);
  for (const [name, p] of Object.entries(raw as Record<string, unknown>)) {
    const m = (p as { CostMatrix?: Record<string, unknown> } | null)?.CostMatrix;
    const w = (k: string): number => {
      const v = m?.[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new NabDirError(path, `profile ${name}: CostMatrix.${k} must be a number; expected ${expected}`);
      return v;
    };
    out[name] = { tpWeight: w('tpWeight'), fpWeight: w('fpWeight'), fnWeight: w('fnWeight') };
  }
  if (!Object.keys(out).length) throw new NabDirError(path, `no profiles; expected ${expected}`);
  return out;
}

export function loadWindows(path: string): Map<string, [string, string][]> {
  const expected = 'NAB windows: {"<category>/<file>.csv": [["start", "end"], ...]}';
  const raw = readJson(path, expected);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new NabDirError(path, `expected ${expected}`);
  const out = new Map<string, [string, string][]>();
  for (const [rel, wins] of Object.entries(raw as Record<string, unknown>)) {
    const ok = Array.isArray(wins) && wins.every((w) => Array.isArray(w) && w.length === 2 && w.every((t) => typeof t === 'string'));
    if (!ok) throw new NabDirError(path, `${rel}: expected a list of [start, end] timestamp pairs`);
    out.set(rel, wins as [string, string][]);
  }
  return out;
}

/** Parses one data file: header with `timestamp` and `value` columns, one reading a line. */
export function parseDataCsv(text: string, path: string): { stamps: string[]; values: Float64Array } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const ti = header.indexOf('timestamp');
  const vi = header.indexOf('value');
  if (ti < 0 || vi < 0) throw new NabDirError(path, `header is "${lines[0] ?? ''}"; expected columns timestamp,value`);
  const stamps: string[] = [];
  const values = new Float64Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',');
    const t = (cells[ti] ?? '').trim();
    const v = Number((cells[vi] ?? '').trim());
    if (Number.isNaN(parseTimestamp(t)) || !Number.isFinite(v) || cells[vi]!.trim() === '') {
      throw new NabDirError(path, `line ${i + 1} is "${lines[i]}"; expected an ISO timestamp and a number`);
    }
    stamps.push(t);
    values[i - 1] = v;
  }
  return { stamps, values };
}

/** Row spans of windows given as timestamps, matched against the first row with an equal timestamp. */
export function windowSpans(stamps: readonly string[], windows: readonly [string, string][], where: string): Span[] {
  const indexOf = new Map<number, number>();
  stamps.forEach((s, i) => {
    const k = parseTimestamp(s);
    if (!indexOf.has(k)) indexOf.set(k, i);
  });
  const spans = windows.map(([a, b]) => {
    const left = indexOf.get(parseTimestamp(a));
    const right = indexOf.get(parseTimestamp(b));
    if (left === undefined || right === undefined) throw new NabDirError(where, `window ${a} .. ${b} does not match a timestamp of the data file`);
    if (right < left) throw new NabDirError(where, `window ${a} .. ${b} ends before it starts`);
    return { left, right };
  });
  spans.sort((x, y) => x.left - y.left);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]!.left <= spans[i - 1]!.right) throw new NabDirError(where, 'overlapping windows');
  }
  return spans;
}

export function loadCorpus(dir: string): NabCorpus {
  const layout = 'a NAB directory holding data/<category>/<file>.csv, labels/combined_windows.json and config/profiles.json';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new NabDirError(dir, `not a directory; expected ${layout}`);
  const dataDir = join(dir, 'data');
  if (!existsSync(dataDir)) throw new NabDirError(dataDir, `missing; expected ${layout}`);
  const windowsPath = join(dir, 'labels', 'combined_windows.json');
  const windows = loadWindows(windowsPath);
  const profiles = loadProfiles(join(dir, 'config', 'profiles.json'));
  const files: NabFile[] = [];
  for (const relpath of [...windows.keys()].sort()) {
    const path = join(dataDir, ...relpath.split('/'));
    if (!existsSync(path)) throw new NabDirError(path, `missing; ${windowsPath} names ${relpath}, expected its data file here`);
    const { stamps, values } = parseDataCsv(readFileSync(path, 'utf8'), path);
    files.push({ relpath, stamps, values, spans: windowSpans(stamps, windows.get(relpath)!, path) });
  }
  if (!files.length) throw new NabDirError(windowsPath, 'names no data files; expected at least one');
  return { dir, files, profiles };
}
