/**
 * How a scenario's devices report, as agent options: the one mapping from a loaded scenario's
 * `sampleEveryS` and `telemetry` keys to what createAgent takes (docs/scenarios.md#telemetry).
 * Every device of a scenario reports the same way.
 */
import type { AgentOptions } from '../devices/agent.js';
import type { LoadedScenario } from './load.js';

export type AgentTelemetryOptions = Required<Pick<AgentOptions, 'telemetryEveryS' | 'stepS' | 'report'>>;

export function agentTelemetryOptions(loaded: Pick<LoadedScenario, 'scenario'>): AgentTelemetryOptions {
  const s = loaded.scenario;
  const t = s.telemetry;
  const deadband = Object.fromEntries(Object.entries(t.deadband).filter((e): e is [string, number] => e[1] !== undefined));
  return {
    telemetryEveryS: s.telemetryEveryS,
    stepS: s.sampleEveryS,
    report: t.mode === 'exception' ? { mode: 'exception', heartbeatS: t.heartbeatS, ...(Object.keys(deadband).length ? { deadband } : {}) } : { mode: 'periodic' },
  };
}
