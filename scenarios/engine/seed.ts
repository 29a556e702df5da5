/** A device's own seed in a replay: the replay's seed mixed with the device's key, the same in every process. */
import { deviceKey } from '../../contracts/index.js';
import { hashString } from '../../devices/kinds/rng.js';

export function deviceSeed(seed: number, customerId: string, deviceId: string): number {
  return (seed ^ hashString(deviceKey(customerId, deviceId))) >>> 0;
}
