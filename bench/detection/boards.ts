/**
 * The fault suite's runs seen as boards that measure only part of their kind: the physics detectors
 * they lack do not run, the general detector watches what they measure (helpdesk/detect/detect.ts).
 * Their tickets are replayed from the same telemetry, so the figures compare with the full devices'.
 * The washer is left out: its runs last a day, the general detector's learning time.
 */
import type { DeviceKind } from '../../contracts/index.js';
import type { DeviceProfile } from '../../helpdesk/detect/detect.js';

export interface BoardProfile extends DeviceProfile {
  /** what the board is, for the figures' names */
  name: string;
  measures: string[];
}

export const BOARD_PROFILES: Partial<Record<DeviceKind, BoardProfile>> = {
  // boards/car-battery.yaml: a voltage divider, nothing else
  'car-battery': { name: 'voltage-only car', measures: ['voltageV'] },
  // a cabinet probe and a reed switch; the setpoint is not known, so fridge-warm does not run
  fridge: { name: 'cabinet-probe fridge', measures: ['cabinetTempC', 'doorOpen'] },
};
