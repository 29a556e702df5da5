/**
 * Group `detection`: the fault suite over every device kind and fault kind; then the same runs seen
 * as boards that measure only part of their kind (detection/boards.ts), where the general detector
 * watches what the physics detectors cannot (`detection.board.*`: a reading-anomaly ticket after the
 * fault counts as finding it).
 */
import { READING_ANOMALY_KIND } from '../helpdesk/detect/reading-anomaly.js';
import { faultSuiteCases } from './detection/cases.js';
import { runCase } from './detection/run-case.js';
import { summarise } from './detection/summarise.js';

export async function benchDetection(seeds = Number(process.env.EVERNET_BENCH_SEEDS ?? 4)): Promise<Record<string, number | null>> {
  const cases = faultSuiteCases(seeds);
  const t0 = performance.now();
  const results = cases.map(runCase);
  const boards = results.flatMap((r) => (r.board ? [{ ...r, c: { ...r.c, expects: [...r.c.expects, READING_ANOMALY_KIND] }, tickets: r.board.tickets, ms: r.board.ms }] : []));
  const boardMs = boards.reduce((n, r) => n + r.ms, 0);
  const seconds = (performance.now() - t0 - boardMs) / 1000;
  const readings = results.reduce((n, r) => n + r.readings, 0);
  const boardReadings = boards.reduce((n, r) => n + r.readings, 0);
  return {
    'detection.cases': cases.length,
    ...summarise(results),
    'detection.readingsPerSecond': Math.round(readings / seconds),
    ...summarise(boards, 'detection.board'),
    'detection.board.readingsPerSecond': Math.round(boardReadings / (boardMs / 1000)),
  };
}
