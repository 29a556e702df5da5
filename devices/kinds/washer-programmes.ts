/**
 * Washing-machine programmes: each a list of phases at a constant nominal power. The phase list is
 * also the flex offer the washer announces (`powerSequence`), so a planner's cost of the sequence is
 * the real run's cost. 'cotton-40' follows the real cycle in data/washing-machine-cycle.csv segment by
 * segment (121.5 min, 0.575 kWh; heating 10.8 min at ~2.1 kW starting 7.5 min in). In that trace the
 * first 7.5 min (filling while the drum tumbles) average ~104 W and the main wash ~59 min at ~87 W.
 */
import type { PowerSlot, WasherPhase } from '../../contracts/index.js';

export type RunningPhase = Exclude<WasherPhase, 'idle' | 'scheduled' | 'done' | 'paused'>;

export interface ProgrammePhase {
  phase: RunningPhase;
  durationS: number;
  /** nominal mean power of the phase (W), heater included */
  powerW: number;
  /** the part of powerW that is the heating element */
  heaterW?: number;
  /** water level the phase ends at (fill: up, drain: 0) */
  waterLevelL?: number;
  /** water temperature the heat phase ends at */
  waterTempC?: number;
  drumRpm: number;
}

export interface Programme {
  name: string;
  phases: readonly ProgrammePhase[];
}

const cotton40: Programme = {
  name: 'cotton-40',
  phases: [
    { phase: 'fill', durationS: 450, powerW: 104, waterLevelL: 12, drumRpm: 30 },
    { phase: 'heat', durationS: 650, powerW: 2119, heaterW: 2050, waterTempC: 40, drumRpm: 30 },
    { phase: 'wash', durationS: 3520, powerW: 87, drumRpm: 50 },
    { phase: 'drain', durationS: 140, powerW: 115, waterLevelL: 0, drumRpm: 0 },
    { phase: 'fill', durationS: 70, powerW: 67, waterLevelL: 14, drumRpm: 30 },
    { phase: 'rinse', durationS: 690, powerW: 105, drumRpm: 50 },
    { phase: 'drain', durationS: 140, powerW: 141, waterLevelL: 0, drumRpm: 0 },
    { phase: 'fill', durationS: 70, powerW: 57, waterLevelL: 14, drumRpm: 30 },
    { phase: 'rinse', durationS: 630, powerW: 126, drumRpm: 50 },
    { phase: 'drain', durationS: 120, powerW: 88, waterLevelL: 0, drumRpm: 0 },
    // load distribution before the final spin
    { phase: 'spin', durationS: 300, powerW: 58, drumRpm: 90 },
    { phase: 'spin', durationS: 300, powerW: 339, drumRpm: 1300 },
    // pump-out and anti-crease tumbling after the spin
    { phase: 'drain', durationS: 210, powerW: 56, waterLevelL: 0, drumRpm: 20 },
  ],
};

const quick30: Programme = {
  name: 'quick-30',
  phases: [
    { phase: 'fill', durationS: 180, powerW: 60, waterLevelL: 10, drumRpm: 30 },
    { phase: 'heat', durationS: 300, powerW: 2120, heaterW: 2050, waterTempC: 30, drumRpm: 30 },
    { phase: 'wash', durationS: 600, powerW: 90, drumRpm: 50 },
    { phase: 'drain', durationS: 90, powerW: 110, waterLevelL: 0, drumRpm: 0 },
    { phase: 'fill', durationS: 60, powerW: 60, waterLevelL: 10, drumRpm: 30 },
    { phase: 'rinse', durationS: 300, powerW: 110, drumRpm: 50 },
    { phase: 'drain', durationS: 90, powerW: 100, waterLevelL: 0, drumRpm: 0 },
    { phase: 'spin', durationS: 180, powerW: 330, drumRpm: 1000 },
  ],
};

export const PROGRAMMES: Readonly<Record<string, Programme>> = {
  'cotton-40': cotton40,
  'quick-30': quick30,
};

export const PROGRAMME_NAMES = Object.keys(PROGRAMMES);

export function programmeDurationS(p: Programme): number {
  return p.phases.reduce((sum, ph) => sum + ph.durationS, 0);
}

export function programmeEnergyWh(p: Programme): number {
  return p.phases.reduce((sum, ph) => sum + (ph.powerW * ph.durationS) / 3600, 0);
}

/** The flex offer: one slot per phase, at the phase's nominal power (a programme or its name). */
export function powerSequence(programme: Programme | string): PowerSlot[] {
  const p = typeof programme === 'string' ? PROGRAMMES[programme] : programme;
  if (!p) throw new Error(`unknown programme '${String(programme)}'`);
  return p.phases.map((ph) => ({ durationS: ph.durationS, powerW: ph.powerW }));
}
