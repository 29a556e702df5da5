/**
 * A scenario's `sampleEveryS` and `telemetry` keys: periodic by default (the agent as before), report
 * by exception mapped to agent options in one place, misspelled keys refused with a did-you-mean, and a
 * telemetry interval or heartbeat that is not a whole number of samples refused.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../scenarios/load.js';
import { agentTelemetryOptions } from '../../scenarios/telemetry-options.js';

const day = readFileSync('scenarios/day-in-2020.yaml', 'utf8');
const FILE = 'scenarios/day-in-2020.yaml';
const withKeys = (keys: string): string => day.replace('windowS: 10\n', `windowS: 10\n${keys}\n`);

function problems(text: string): string[] {
  try {
    parseScenario(text, FILE);
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario telemetry keys', () => {
  it('default to periodic reporting every telemetryEveryS from a 1-s model step, as before', () => {
    expect(day).toContain('windowS: 10\n');
    expect(agentTelemetryOptions(parseScenario(day, FILE))).toEqual({ telemetryEveryS: 1, stepS: 1, report: { mode: 'periodic' } });
  });

  it('map exception mode, its heartbeat, the sample period and deadband overrides to agent options', () => {
    const text = withKeys('sampleEveryS: 10\ntelemetry: { mode: exception, heartbeatS: 900, deadband: { voltageV: 0.1, powerW: 20 } }');
    expect(agentTelemetryOptions(parseScenario(text, FILE))).toEqual({
      telemetryEveryS: 1, stepS: 10, report: { mode: 'exception', heartbeatS: 900, deadband: { voltageV: 0.1, powerW: 20 } },
    });
    // the heartbeat defaults to 15 min; no overrides: none passed
    expect(agentTelemetryOptions(parseScenario(withKeys('telemetry: { mode: exception }'), FILE)).report).toEqual({ mode: 'exception', heartbeatS: 900 });
  });

  it('refuses misspelled keys with a did-you-mean, at the telemetry and the deadband level', () => {
    const [a] = problems(withKeys('telemetry: { mode: exception, heartbeat: 900 }'));
    expect(a).toContain('telemetry.heartbeat');
    expect(a).toContain('heartbeatS');
    const [b] = problems(withKeys('telemetry: { mode: exception, deadband: { cabinetTemp: 0.5 } }'));
    expect(b).toContain('telemetry.deadband.cabinetTemp');
    expect(b).toContain('cabinetTempC');
    const [c] = problems(withKeys('sampleEvery: 10'));
    expect(c).toContain('sampleEveryS');
  });

  it('refuses an unknown mode, a negative deadband and an interval that is not a whole number of samples', () => {
    expect(problems(withKeys('telemetry: { mode: sometimes }'))[0]).toContain('telemetry.mode');
    expect(problems(withKeys('telemetry: { mode: exception, deadband: { voltageV: -1 } }'))[0]).toContain('telemetry.deadband.voltageV');
    expect(problems(withKeys('sampleEveryS: 7'))[0]).toContain('telemetryEveryS: a multiple of sampleEveryS (7 s)');
    expect(problems(withKeys('sampleEveryS: 60\ntelemetry: { mode: exception, heartbeatS: 90 }'))[0]).toContain('telemetry.heartbeatS: a multiple of sampleEveryS (60 s)');
  });
});
