import { describe, expect, it } from 'vitest';
import { stamp, stampTelemetry } from '../../contracts/index.js';

describe('stampTelemetry', () => {
  const readings = { cabinetTempC: 3.44, ambientTempC: 19.09, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 18 };

  it('writes what stamp writes of a telemetry body, byte for byte', () => {
    const at = Date.UTC(2020, 10, 2, 17);
    expect(JSON.stringify(stampTelemetry('fridge', readings, undefined, at, 41))).toBe(JSON.stringify(stamp({ kind: 'fridge', readings }, at, 41)));
  });

  it('puts a board\'s extra readings last, as stamp does', () => {
    const at = Date.UTC(2020, 10, 2, 17);
    const extra = { humidityPct: 41.5 };
    const written = JSON.stringify(stampTelemetry('fridge', readings, extra, at, 7));
    expect(written).toBe(JSON.stringify(stamp({ kind: 'fridge', readings, extra }, at, 7)));
    expect(Object.keys(JSON.parse(written))).toEqual(['v', 'ts', 'seq', 'kind', 'readings', 'extra']);
  });
});
