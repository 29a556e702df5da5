/**
 * What a live helpdesk keeps and when it calls a device silent, from flags (defaults in
 * helpdesk/telemetry/store.ts and helpdesk/detect/silence.ts; docs/telemetry.md, docs/detection.md):
 *
 *   --keep-raw HOURS        raw telemetry kept (default 48)
 *   --keep-minutes DAYS     one-minute aggregates kept (default 90)
 *   --silent-after N        reporting intervals without telemetry before a device-offline ticket (default 10)
 *   --offline-after MIN     minutes a device may stay offline before one (default 10)
 */
import type { DetectionSettings } from '../helpdesk/detect/detect.js';
import type { TelemetryPolicy } from '../helpdesk/telemetry/store.js';
import { UsageError } from './errors.js';

export const KEEP_OPTIONS = {
  'keep-raw': { type: 'string' },
  'keep-minutes': { type: 'string' },
  'silent-after': { type: 'string' },
  'offline-after': { type: 'string' },
} as const;

type Values = { [K in keyof typeof KEEP_OPTIONS]?: string };

const HOUR = 3_600_000;

function number(values: Values, flag: keyof Values, what: string, min: number, max: number): number | undefined {
  const text = values[flag];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be ${what} from ${min} to ${max}, got '${text}'`);
  return n;
}

export function keepFrom(values: Values): { telemetry: Partial<TelemetryPolicy>; detection: DetectionSettings } {
  const rawH = number(values, 'keep-raw', 'a number of hours', 1, 24 * 366);
  const minutesD = number(values, 'keep-minutes', 'a number of days', 1, 3660);
  const intervals = number(values, 'silent-after', 'a number of reporting intervals', 2, 1000);
  const offlineMin = number(values, 'offline-after', 'a number of minutes', 1, 7 * 24 * 60);
  if (rawH !== undefined && minutesD !== undefined && minutesD * 24 < rawH) throw new UsageError(`--keep-minutes (${minutesD} days) must be at least as long as --keep-raw (${rawH} h)`);
  const telemetry: Partial<TelemetryPolicy> = {
    ...(rawH === undefined ? {} : { rawMs: rawH * HOUR }),
    ...(minutesD === undefined ? {} : { minutesMs: minutesD * 24 * HOUR }),
  };
  const silence = {
    ...(intervals === undefined ? {} : { intervals }),
    ...(offlineMin === undefined ? {} : { offlineAfterS: offlineMin * 60 }),
  };
  return { telemetry, detection: Object.keys(silence).length ? { silence } : {} };
}
