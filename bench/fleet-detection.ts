/**
 * Group `fleet-detection` (`npm run bench -- fleet-detection [--homes N]`, default 150 homes): the
 * fault suite over a fleet's variability. One fleet (bench/fleet-detection/scenario.ts: fleet-100's
 * templates, every fault kind at a high rate) replays a day through the whole engine twice, its
 * sensors sampled every minute: published every minute, and by exception with a 15-minute heartbeat.
 * Per telemetry mode and device kind (`fleetDetection.<mode>.<kind>.*`), fault kind
 * (`….fault.<fault>.*`) and ticket kind (`….ticket.<ticket>.*`): faults, caught, recall, precision,
 * lead time median and p90, and tickets on healthy devices (without any fault) per 10,000 of their
 * device-days (bench/fleet-detection/figures.ts). Across both modes:
 * `fleetDetection.falseTicketsPer10kHealthyDeviceDays` (the issue's goal: 0).
 */
import { round } from '../contracts/round.js';
import { silentLogger } from '../log/logger.js';
import { replay } from '../scenarios/runner.js';
import { detectionFigures, type Figures } from './fleet-detection/figures.js';
import { fleetDetectionScenario, type FleetDetectionScenario, type TelemetryMode } from './fleet-detection/scenario.js';

export const MODES: readonly TelemetryMode[] = ['periodic', 'exception'];

/** Replays the fleet in each mode; the figures of all, and the healthy devices' totals across them. */
export async function fleetDetection(o: Omit<FleetDetectionScenario, 'mode'>, modes: readonly TelemetryMode[] = MODES): Promise<Figures> {
  const out: Figures = {};
  let deviceDays = 0;
  let tickets = 0;
  for (const mode of modes) {
    const loaded = fleetDetectionScenario({ ...o, mode });
    const { report, wall } = await replay({ scenario: loaded, log: silentLogger(), stallTimeoutMs: 300_000 });
    const devices = loaded.devices.map((d) => ({ customerId: d.customerId, id: d.id, kind: d.kind }));
    const { figures, healthy } = detectionFigures(report, devices, `fleetDetection.${mode}`);
    out[`fleetDetection.${mode}.messages`] = report.messages.published;
    out[`fleetDetection.${mode}.wallSeconds`] = round(wall.seconds, 1);
    Object.assign(out, figures);
    deviceDays += healthy.deviceDays;
    tickets += healthy.tickets;
  }
  out['fleetDetection.homes'] = o.homes;
  out['fleetDetection.healthyDeviceDays'] = round(deviceDays, 3);
  out['fleetDetection.healthyTickets'] = tickets;
  out['fleetDetection.falseTicketsPer10kHealthyDeviceDays'] = deviceDays > 0 ? round((tickets / deviceDays) * 10_000, 1) : null;
  return out;
}

export async function benchFleetDetection(homes = 150): Promise<Figures> {
  return fleetDetection({ homes });
}
