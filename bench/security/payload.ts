/** The bench's telemetry: valid fridge readings (the contract's largest device payload is similar), seq i + 1. */
const T0 = Date.parse('2020-11-02T00:00:00+01:00');

export function telemetryPayload(i: number): string {
  return JSON.stringify({
    v: 1,
    ts: T0 + i * 1000,
    seq: i + 1,
    kind: 'fridge',
    readings: { cabinetTempC: 4 + (i % 7) / 10, ambientTempC: 21.5, setpointC: 4, doorOpen: i % 50 === 0, compressorOn: i % 3 === 0, powerW: 85 + (i % 11) },
  });
}
