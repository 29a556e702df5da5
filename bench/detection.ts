/** Group `detection`: the fault suite over every device kind and fault kind. */
import { faultSuiteCases } from './detection/cases.js';
import { runCase } from './detection/run-case.js';
import { summarise } from './detection/summarise.js';

export async function benchDetection(seeds = Number(process.env.EVERNET_BENCH_SEEDS ?? 4)): Promise<Record<string, number | null>> {
  const cases = faultSuiteCases(seeds);
  const t0 = performance.now();
  const results = cases.map(runCase);
  const seconds = (performance.now() - t0) / 1000;
  const readings = results.reduce((n, r) => n + r.readings, 0);
  return { 'detection.cases': cases.length, ...summarise(results), 'detection.readingsPerSecond': Math.round(readings / seconds) };
}
