/**
 * What the device registry keeps: customers (contact preferences, IANA time zone, state) and their
 * devices (kind, name, state active | pending | rejected, what they measure, how they came in, the last
 * coded problem), plus the stores and workshops of a seeded world. Plain data; the registration rules
 * are in policy.ts, the live view in registry.ts, persistence in store.ts and sqlite-store.ts.
 */
import { DEVICE_KINDS, Id, type AnnounceBody, type DeviceKind, type EvnErrorCode, type Location } from '../../contracts/index.js';
import { codeTable } from '../../contracts/errors.js';
import type { Store } from '../assistant/shopping.js';
import type { Preferences } from '../contact/choose-channel.js';
import type { Workshop } from '../directory.js';

export const REGISTRY_ERR = codeTable({
  INPUT: 'EVN_ERR_REGISTRY_INPUT',
  EXISTS: 'EVN_ERR_REGISTRY_EXISTS',
  IN_USE: 'EVN_ERR_REGISTRY_IN_USE',
  FULL: 'EVN_ERR_REGISTRY_FULL',
  UNKNOWN: 'EVN_ERR_UNKNOWN_DEVICE',
  KIND_MISMATCH: 'EVN_ERR_KIND_MISMATCH',
  PENDING: 'EVN_ERR_DEVICE_PENDING',
  REJECTED: 'EVN_ERR_DEVICE_REJECTED',
});
export type RegistryErrorCode = (typeof REGISTRY_ERR)[keyof typeof REGISTRY_ERR];

export const DEVICE_STATES = ['active', 'pending', 'rejected'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];
export const CUSTOMER_STATES = ['active', 'pending'] as const;
export type CustomerState = (typeof CUSTOMER_STATES)[number];
/**
 * How a record came into the registry: from a world file, added by staff (CLI), from a device's
 * announce, or from telemetry of a device that never announced itself.
 */
export const ORIGINS = ['world', 'staff', 'announce', 'unannounced'] as const;
export type Origin = (typeof ORIGINS)[number];
export type DeviceSource = AnnounceBody['source'];

/**
 * Whose word registers a device at once. 'trust-broker': the broker authenticated the identity
 * `<customer>/<device>` and its ACL lets a device publish only its own topics, so an announce on
 * `evernet/v1/<customer>/<device>/announce` is that device's: it becomes active. 'pending': anyone
 * could have published it (an open broker): it waits for staff to accept it.
 */
export const REGISTRATION_MODES = ['trust-broker', 'pending'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

export interface Problem {
  code: EvnErrorCode;
  detail: string;
  /** event time it was recorded */
  at: number;
}

export interface CustomerRecord {
  id: string;
  name: string;
  home: Location | null;
  /** channels, quiet hours, phone, email (the time zone is `timeZone`) */
  preferences: Omit<Preferences, 'timeZone'>;
  /** IANA time zone, e.g. 'Europe/Berlin'; null: the preferences' fixed offset holds */
  timeZone: string | null;
  state: CustomerState;
  origin: Origin;
  /** event time */
  createdAt: number;
}

export interface DeviceRecord {
  customerId: string;
  id: string;
  kind: DeviceKind;
  name: string;
  state: DeviceState;
  origin: Origin;
  /** which of its kind's readings it measures; null: all of them */
  measures: string[] | null;
  extra: string[];
  reportEveryS: number | null;
  source: DeviceSource | null;
  /** its model or product line, where the world names it ('VARTA-60'); null: unknown */
  model: string | null;
  /** event times */
  registeredAt: number;
  lastAnnounceAt: number | null;
  /** who accepted or rejected it, and when */
  decidedBy: string | null;
  decidedAt: number | null;
  problem: Problem | null;
}

export interface RegistrySnapshot {
  customers: CustomerRecord[];
  devices: DeviceRecord[];
  stores: Store[];
  workshops: Workshop[];
}

export type RegistryResult<T> = { ok: true; value: T } | { ok: false; error: { code: RegistryErrorCode; message: string } };
export const fail = (code: RegistryErrorCode, message: string): { ok: false; error: { code: RegistryErrorCode; message: string } } => ({ ok: false, error: { code, message } });

/** Contact preferences of a customer the registry creates from an announce: the app, then email. */
export const DEFAULT_PREFERENCES: CustomerRecord['preferences'] = { channels: ['app-push', 'email'] };

export const isKind = (k: string): k is DeviceKind => (DEVICE_KINDS as readonly string[]).includes(k);
export const isId = (id: string): boolean => Id.safeParse(id).success;

/** a customer's zone is an IANA name Intl knows ('Europe/Berlin', 'UTC'), kept in its canonical spelling */
export { canonicalZone, isIanaZone as isTimeZone } from '../../contracts/time-zone.js';

/** A device record with nothing announced yet. */
export function newDevice(fields: Pick<DeviceRecord, 'customerId' | 'id' | 'kind' | 'name' | 'state' | 'origin' | 'registeredAt'> & Partial<DeviceRecord>): DeviceRecord {
  return { measures: null, extra: [], reportEveryS: null, source: null, model: null, lastAnnounceAt: null, decidedBy: null, decidedAt: null, problem: null, ...fields };
}
