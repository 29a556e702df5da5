/**
 * What really happened, for the report only: the faults each device was given and when the customer
 * would have noticed them had nobody helped. Models are pure, so the counterfactual is the same device
 * replayed alone with the same seed, receiving the commands the helpdesk sent it up to the fault's
 * injection (the washer's planned start: without it the washer would start only at its latest start,
 * and a heater fault would be "noticed" hours late) and none after it (the help under test).
 */
import type { CommandBody } from '../contracts/index.js';
import type { AnyKindModel } from '../devices/kinds/index.js';
import type { FaultTruth } from './report.js';

/** a command the device got, at the event time it applied it */
export interface AppliedCommand {
  at: number;
  body: CommandBody;
}

export interface FaultTruthOptions {
  customerId: string;
  deviceId: string;
  model: AnyKindModel;
  params: unknown;
  seed: number;
  startMs: number;
  /** how far to look for the moment the customer notices (the counterfactual may run past the replay's end) */
  horizonMs: number;
  /** the helpdesk's commands to this device, in the order it applied them */
  commands?: readonly AppliedCommand[];
  stepS?: number;
}

export function faultTruth(options: FaultTruthOptions): FaultTruth[] {
  const faults = ((options.params as { faults?: { kind: string; at: number }[] }).faults ?? []).slice().sort((a, b) => a.at - b.at);
  return faults.map((f) => ({
    customerId: options.customerId,
    deviceId: options.deviceId,
    kind: f.kind,
    injectedAt: f.at,
    noticeableAt: noticedAfter(options, f.at),
  }));
}

/** The first step at or after `faultAt` at which the customer notices, with the commands applied up to `faultAt`. */
function noticedAfter(o: FaultTruthOptions, faultAt: number): number | null {
  const { model, params } = o;
  const stepMs = (o.stepS ?? 1) * 1000;
  const commands = (o.commands ?? []).filter((c) => c.at <= faultAt);
  let next = 0;
  let state = model.init(params, o.seed, o.startMs);
  for (let t = o.startMs + stepMs; t <= o.horizonMs; t += stepMs) {
    // as the agent does: commands that arrived by the state's time are applied before it steps on
    while (next < commands.length && commands[next]!.at <= t - stepMs) state = model.command(state, commands[next++]!.body, t - stepMs).state;
    state = model.step(state, stepMs / 1000, t).state;
    if (t >= faultAt && model.noticeable(state)) return t;
  }
  return null;
}
