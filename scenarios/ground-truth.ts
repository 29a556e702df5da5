/**
 * What really happened, for the report only: the faults each device was given and when the customer
 * would have noticed them had nobody helped. Models are pure, so the counterfactual is simply the
 * same device replayed alone with the same seed and no commands.
 */
import type { AnyKindModel } from '../devices/kinds/index.js';
import type { FaultTruth } from './report.js';

export function faultTruth(options: {
  deviceId: string;
  model: AnyKindModel;
  params: unknown;
  seed: number;
  startMs: number;
  /** how far to look for the moment the customer notices (the counterfactual may run past the replay's end) */
  horizonMs: number;
  stepS?: number;
}): FaultTruth[] {
  const { model, params } = options;
  const faults = ((params as { faults?: { kind: string; at: number }[] }).faults ?? []).slice().sort((a, b) => a.at - b.at);
  if (faults.length === 0) return [];
  const stepMs = (options.stepS ?? 1) * 1000;
  let state = model.init(params, options.seed, options.startMs);
  const noticed: Array<number | null> = faults.map(() => null);
  for (let t = options.startMs + stepMs; t <= options.horizonMs; t += stepMs) {
    state = model.step(state, stepMs / 1000, t).state;
    if (!model.noticeable(state)) continue;
    let open = false;
    faults.forEach((f, i) => {
      if (f.at <= t && noticed[i] === null) noticed[i] = t;
      if (noticed[i] === null) open = true;
    });
    if (!open) break;
  }
  return faults.map((f, i) => ({ deviceId: options.deviceId, kind: f.kind, injectedAt: f.at, noticeableAt: noticed[i] ?? null }));
}
