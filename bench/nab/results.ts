/**
 * Writes a detector's output in NAB's results layout:
 *   RESULTS_DIR/<detector>/<category>/<detector>_<file>.csv
 * one row per data row, in file order, columns timestamp,value,anomaly_score,label
 * (label 1 inside a labelled window, 0 outside).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NabFile } from './load.js';

export function resultsPath(resultsDir: string, detector: string, relpath: string): string {
  const cut = relpath.lastIndexOf('/');
  const category = relpath.slice(0, Math.max(0, cut));
  const base = relpath.slice(cut + 1);
  return join(resultsDir, detector, category, `${detector}_${base}`);
}

/** The CSV text of one results file. */
export function resultsCsv(file: NabFile, scores: ArrayLike<number>): string {
  if (scores.length !== file.stamps.length) {
    throw new RangeError(`${file.relpath}: ${scores.length} scores for ${file.stamps.length} rows`);
  }
  const label = new Uint8Array(file.stamps.length);
  for (const { left, right } of file.spans) label.fill(1, left, right + 1);
  const lines = ['timestamp,value,anomaly_score,label'];
  for (let i = 0; i < file.stamps.length; i++) {
    lines.push(`${file.stamps[i]},${file.values[i]},${scores[i]},${label[i]}`);
  }
  return lines.join('\n') + '\n';
}

export function writeResults(resultsDir: string, detector: string, file: NabFile, scores: ArrayLike<number>): string {
  const path = resultsPath(resultsDir, detector, file.relpath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, resultsCsv(file, scores));
  return path;
}
