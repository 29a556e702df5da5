/**
 * Report by exception, the way real fleets save bandwidth: a device samples its sensors at every model
 * step but publishes only when something worth telling happened since its last *published* telemetry:
 *
 * - a numeric reading moved by more than its deadband (`|x - published| > deadband`: a deadband of 0
 *   publishes any change),
 * - a flag or a word changed at all (the door opened, the compressor started, the washer's phase),
 * - or the heartbeat elapsed (`heartbeatS` since the last publish): the device is alive and the
 *   helpdesk's picture of it is refreshed.
 *
 * Whatever the reason, the message carries all readings, so the helpdesk always holds a whole picture:
 * each reading as published stays true within its deadband until the next message. The first sample
 * (and the first after a restart) is always published. Pure: the caller keeps what was published last.
 *
 * Deadbands are defined once here, per kind and reading, above each reading's noise (voltage ±0.01 V,
 * cabinet ±0.05 K, washer power ±1 %) and well inside the margins of the helpdesk's detectors (docs/devices.md).
 * A scenario (or agent option) overrides them by reading name; the override applies to every kind
 * that has that reading. Extra readings (a board's own sensors) have no default deadband: any change.
 */
import type { DeviceKind, ExtraReadings } from '../contracts/index.js';

/** Default deadbands: kind -> numeric reading -> the change (in the reading's unit) that is worth a message. */
export const DEFAULT_DEADBANDS: Readonly<Record<DeviceKind, Readonly<Record<string, number>>>> = {
  'car-battery': { voltageV: 0.05, currentA: 0.25, loadA: 1, temperatureC: 1, speedKmh: 5 },
  fridge: { cabinetTempC: 0.3, ambientTempC: 0.5, setpointC: 0, powerW: 10 },
  washer: { powerW: 100, waterTempC: 1, waterLevelL: 1, drumRpm: 50, remainingS: 600 },
};

/** Every numeric reading that has a default deadband, whatever its kind (the keys a scenario may override). */
export const DEADBAND_READINGS: readonly string[] = [...new Set(Object.values(DEFAULT_DEADBANDS).flatMap((d) => Object.keys(d)))].sort();

export interface ReportPolicyOptions {
  /** the longest time (s) between two messages: past it the device publishes whatever changed */
  heartbeatS: number;
  /** overrides of the defaults, by reading name */
  deadband?: Readonly<Record<string, number>>;
}

/** A policy resolved for one kind: the heartbeat in ms and the deadband of every numeric reading. */
export interface ReportPolicy {
  heartbeatMs: number;
  deadband: Readonly<Record<string, number>>;
}

/** What the device published last: when, and the readings it sent. */
export interface Published {
  at: number;
  readings: Readonly<Record<string, unknown>>;
  extra?: ExtraReadings;
}

export type PublishReason = 'first' | 'heartbeat' | 'change';

/**
 * What a device keeps of what it published: the readings copied into its one record (`last`, made on
 * the first message), not the step's object kept until the next message, which lived long enough to be
 * promoted out of the young generation and die old (docs/fleets.md#engine).
 */
export function remember(last: Published | null, at: number, readings: Readonly<Record<string, unknown>>, extra: ExtraReadings | undefined): Published {
  if (last === null) return { at, readings: { ...readings }, ...(extra ? { extra } : {}) };
  last.at = at;
  const kept = last.readings as Record<string, unknown>;
  for (const name in readings) kept[name] = readings[name];
  if (extra) last.extra = extra;
  else if (last.extra) delete last.extra;
  return last;
}

/** the policies made so far, by kind and options; bounded (a caller making up options forgets them all) */
const policies = new Map<string, ReportPolicy>();
const POLICIES_KEPT = 1024;

/**
 * The kind's defaults with the overrides merged once: one frozen object for each kind and options,
 * shared by every device that reports so. A fleet's devices each read their policy every step; one
 * object a kind stays in the processor's cache, where one a device was another miss a step.
 */
export function reportPolicy(kind: DeviceKind, options: ReportPolicyOptions): ReportPolicy {
  if (!(options.heartbeatS > 0)) throw new RangeError(`heartbeatS must be positive, got ${options.heartbeatS}`);
  const key = `${kind} ${options.heartbeatS} ${options.deadband ? JSON.stringify(options.deadband) : ''}`;
  let policy = policies.get(key);
  if (policy === undefined) {
    policy = Object.freeze({ heartbeatMs: options.heartbeatS * 1000, deadband: Object.freeze({ ...DEFAULT_DEADBANDS[kind], ...options.deadband }) });
    if (policies.size >= POLICIES_KEPT) policies.clear();
    policies.set(key, policy);
  }
  return policy;
}

/** True when one reading moved past its deadband (numbers) or changed at all (flags, words). */
function moved(x: unknown, was: unknown, deadband: number | undefined): boolean {
  if (typeof x === 'number' && typeof was === 'number') return Math.abs(x - was) > (deadband ?? 0);
  return x !== was;
}

/**
 * Decides whether the sample taken at event time `at` is published, and why; null: not worth a message.
 * `last` is what was published last (null: nothing yet, or the device restarted).
 */
export function decide(policy: ReportPolicy, last: Published | null, at: number, readings: Readonly<Record<string, unknown>>, extra?: ExtraReadings): PublishReason | null {
  if (last === null) return 'first';
  for (const name in readings) {
    if (moved(readings[name], last.readings[name], policy.deadband[name])) return 'change';
  }
  if (extra || last.extra) {
    const was = last.extra ?? {};
    const now = extra ?? {};
    for (const name in now) if (moved(now[name], was[name], policy.deadband[name])) return 'change';
    for (const name in was) if (!(name in now)) return 'change';
  }
  return at - last.at >= policy.heartbeatMs ? 'heartbeat' : null;
}
