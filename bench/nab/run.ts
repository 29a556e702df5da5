/**
 * Runs a streaming detector over every file of a NAB corpus, writes NAB's results layout and scores
 * it. readingsPerSecond counts detector time only (no parsing, writing or scoring).
 */
import { GeneralAnomalyDetector } from '../../helpdesk/detect/general/general.js';
import { RandomScores, WindowedGaussian, type StreamDetector } from './baselines.js';
import type { NabCorpus } from './load.js';
import { writeResults } from './results.js';
import { evaluate, geometry } from './score.js';

export const DETECTORS: Record<string, () => StreamDetector> = {
  evernetGeneral: () => new GeneralAnomalyDetector(),
  windowedGaussian: () => new WindowedGaussian(),
  random: () => new RandomScores(42),
};

export interface NabRun {
  detector: string;
  files: number;
  scores: Record<string, number>;
  readingsPerSecond: number;
  readings: number;
  windows: number;
  resultsDir: string;
  profiles: Record<string, { threshold: number; raw: number; windowsDetected: number; fpRows: number }>;
}

/** Runs one detector over the corpus, writes the results layout and scores it. */
export function runNab(corpus: NabCorpus, detector: string, resultsDir: string, log: (line: string) => void = () => {}): NabRun {
  const make = DETECTORS[detector];
  if (!make) throw new Error(`unknown detector ${detector}; known: ${Object.keys(DETECTORS).join(', ')}`);
  const all: Float64Array[] = [];
  let ms = 0;
  let readings = 0;
  for (const file of corpus.files) {
    const d = make();
    const out = new Float64Array(file.values.length);
    const t0 = performance.now();
    for (let i = 0; i < out.length; i++) out[i] = d.update(file.values[i]!);
    ms += performance.now() - t0;
    readings += out.length;
    all.push(out);
    writeResults(resultsDir, detector, file, out);
    log(`nab: ${detector} ${file.relpath} (${out.length} rows)`);
  }
  const geoms = corpus.files.map((f) => geometry(f.values.length, f.spans));
  const res = evaluate(geoms, all, corpus.profiles);
  const scores: Record<string, number> = {};
  const profiles: NabRun['profiles'] = {};
  for (const [name, r] of Object.entries(res)) {
    scores[name] = Math.round(r.normalized * 100) / 100;
    profiles[name] = { threshold: r.threshold, raw: r.raw, windowsDetected: r.windowsDetected, fpRows: r.fp };
  }
  return {
    detector,
    files: corpus.files.length,
    scores,
    readingsPerSecond: Math.round(readings / (ms / 1000)),
    readings,
    windows: corpus.files.reduce((n, f) => n + f.spans.length, 0),
    resultsDir,
    profiles,
  };
}
