/**
 * A cotton 40 °C-like power sequence (fill, heat, wash, rinse, more rinse, spin; 2 h 1 min) in six
 * slots: the planner's, the basis's and the coordinator's tests pin their figures on it. (The washer
 * model's own sequence, devices/kinds/washer-programmes.ts, has thirteen.)
 */
import type { PowerSlot } from '../../contracts/index.js';

export const COTTON_40_SLOTS: readonly PowerSlot[] = Object.freeze([
  { durationS: 450, powerW: 30 },
  { durationS: 648, powerW: 2200 },
  { durationS: 2700, powerW: 110 },
  { durationS: 1200, powerW: 90 },
  { durationS: 2000, powerW: 80 },
  { durationS: 300, powerW: 300 },
]);
