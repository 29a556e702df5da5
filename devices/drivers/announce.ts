/**
 * What a board says of itself in its retained announce: the readings of its kind it really measures,
 * the extra readings it reports, its name. The rest of its telemetry is defaults (compose.ts), and
 * the helpdesk runs only the detectors whose readings a device measures. Pure.
 *
 * Measured: every reading the board file maps to a sensor on a pin ('fixed' values are not: they
 * stand in for what is not measured), a setting the board file states (a fridge's setpointC: the
 * thermostat's setting is known, not measured, and no sensor could read it), and one derived reading
 * computed from measured ones by a rule that holds where the detectors look: a car's engineRunning
 * when both voltageV and currentA are measured (engine-state.ts). Not
 * measured: engineRunning from voltage alone (a failing alternator reads as "off"), a fridge's powerW
 * from compressorOn (a constant while it runs), a washer's phase and remainingS (from power
 * thresholds and the board's own plan: heat, wash, scheduled or idle, never rinse, drain or spin).
 */
import type { AnnounceBody } from '../../contracts/index.js';
import type { BoardConfig } from './board-file.js';

export interface BoardAnnounce {
  name: string;
  measures: string[];
  extra: string[];
  source: AnnounceBody['source'];
}

/** Readings derived from measured ones that count as measured, and what they need. */
const DERIVED_MEASURED: ReadonlyArray<{ kind: BoardConfig['kind']; key: string; from: readonly string[] }> = [
  { kind: 'car-battery', key: 'engineRunning', from: ['voltageV', 'currentA'] },
];

/** Readings that are settings of the appliance: stated in the board file (fixed), they are known. */
export const STATED_SETTINGS: Readonly<Record<BoardConfig['kind'], readonly string[]>> = { fridge: ['setpointC'], 'car-battery': [], washer: [] };

export function measuredReadings(config: Pick<BoardConfig, 'kind' | 'readings'>): string[] {
  const sensed = config.readings.filter((r) => r.spec.sensor !== 'fixed' || STATED_SETTINGS[config.kind].includes(r.key)).map((r) => r.key);
  const derived = DERIVED_MEASURED.filter((d) => d.kind === config.kind && !sensed.includes(d.key) && d.from.every((k) => sensed.includes(k))).map((d) => d.key);
  return [...sensed, ...derived];
}

export function boardAnnounce(config: Pick<BoardConfig, 'kind' | 'readings' | 'extra' | 'name' | 'customerId' | 'deviceId'>): BoardAnnounce {
  return {
    name: config.name ?? `${config.kind} board ${config.customerId}/${config.deviceId}`,
    measures: measuredReadings(config),
    extra: config.extra.map((r) => r.key),
    source: 'board',
  };
}
