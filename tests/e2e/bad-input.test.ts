/**
 * Bad input during a replay: every bad message is rejected with its code and counted in
 * messages.rejected, nothing crashes, and the incident is still handled.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { parseScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';

const fridgeTelemetry = (over: Record<string, unknown>) =>
  JSON.stringify({
    v: 1, ts: Date.parse('2020-11-02T18:20:00+01:00'), seq: 1, kind: 'fridge',
    readings: { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 0, ...over },
  });

function drill(): string {
  const day = readFileSync('scenarios/day-in-2020.yaml', 'utf8')
    .replace(/^name: .*$/m, 'name: bad-input-drill')
    .replace(/^start: .*$/m, 'start: "2020-11-02T18:00:00+01:00"')
    .replace(/^end: .*$/m, 'end: "2020-11-02T19:30:00+01:00"');
  const inject = [
    { topic: 'evernet/v1/maria/fridge/telemetry', payload: '{"v":1,"ts":' },
    { topic: 'evernet/v1/maria/fridge/telemetry', payload: fridgeTelemetry({ cabinetTempC: 'cold' }) },
    { topic: 'evernet/v1/maria/fridge/telemetry', payload: fridgeTelemetry({}).replace('"powerW":0', '"powerW":1e400') },
    { topic: 'evernet/v1/maria/toaster/telemetry', payload: fridgeTelemetry({}) },
    { topic: 'evernet/v1/maria/car/telemetry', payload: fridgeTelemetry({}) },
  ];
  const lines = inject.map((m) => `  - { at: "2020-11-02T18:20:00+01:00", topic: ${JSON.stringify(m.topic)}, payload: ${JSON.stringify(m.payload)} }`);
  return `${day}\ninject:\n${lines.join('\n')}\n`;
}

describe('a replay with bad messages on the wire', () => {
  it('rejects each with its code, counts it, and still handles the incident', async () => {
    const scenario = parseScenario(drill(), 'scenarios/bad-input-drill.yaml');
    const { report } = await replay({ scenario, log: silentLogger() });
    expect(report.messages.rejected).toBe(5);
    expect(report.messages.rejectedByCode).toEqual({
      EVN_ERR_JSON: 1,
      EVN_ERR_KIND_MISMATCH: 1,
      EVN_ERR_SCHEMA: 2,
      EVN_ERR_UNKNOWN_DEVICE: 1,
    });
    const battery = report.tickets.filter((t) => t.kind === 'battery-discharge');
    expect(battery).toHaveLength(1);
    expect(battery[0]!.state).toBe('resolved');
    expect(report.tickets).toHaveLength(1);
  }, 60_000);
});
