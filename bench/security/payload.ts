/** The bench's telemetry: valid fridge readings (the contract's largest device payload is similar), seq i + 1. */
import { deviceTopic, encode, stamp } from '../../contracts/index.js';

const T0 = Date.parse('2020-11-02T00:00:00+01:00');
/** any fridge's topic: encode() needs one to know the schema; the bench's clients publish the bytes on their own topics */
const FRIDGE = deviceTopic('bench', 'fridge', 'telemetry');

export function telemetryPayload(i: number): string {
  const readings = { cabinetTempC: 4 + (i % 7) / 10, ambientTempC: 21.5, setpointC: 4, doorOpen: i % 50 === 0, compressorOn: i % 3 === 0, powerW: 85 + (i % 11) };
  return encode(FRIDGE, stamp({ kind: 'fridge', readings }, T0 + i * 1000, i + 1), { check: false });
}
