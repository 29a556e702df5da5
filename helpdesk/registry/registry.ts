/**
 * The helpdesk's device registry: customers and devices as data the helpdesk keeps, in memory for
 * O(1) lookups on the hot path and written through to a store (SQLite on the helpdesk's database).
 *
 * `admit(message)` is where every contract-valid message meets it, on arrival: an announce registers
 * its device (policy.ts: at once when the broker authenticated it, else pending), a message from an
 * active device of the right kind passes, anything else is refused with its code and counted by
 * ingest — an unknown device is recorded as pending 'unannounced' and logged once, never dropped
 * silently. Staff accept or reject pending devices (dashboard, `evernet devices`); a world file seeds it.
 */
import type { Logger } from 'pino';
import { deviceKey, type Decoded, type EvnErrorCode } from '../../contracts/index.js';
import type { Directory } from '../directory.js';
import { createLiveDirectory } from './live-directory.js';
import { onAnnounce, onDecision, onUnannounced, onWrongKind, type Decision } from './policy.js';
import { fail, REGISTRY_ERR, type CustomerRecord, type DeviceRecord, type RegistrationMode, type RegistryResult } from './records.js';
import { seedChanges } from './seed.js';
import type { RegistryChanges, RegistryStore } from './store.js';

export interface RegistryOptions {
  store: RegistryStore;
  log: Logger;
  /** whose announce registers a device at once (see RegistrationMode); default 'pending' */
  mode?: RegistrationMode;
  /** IANA time zone of customers created from an announce; default 'UTC' */
  timeZone?: string;
  /** most devices awaiting acceptance; beyond it an unknown device is counted and logged, not recorded (EVN_ERR_REGISTRY_FULL); default 1000 */
  maxPending?: number;
}

export interface Refusal {
  code: EvnErrorCode;
  reason: string;
  /** logged here already (once per device): ingest only counts it */
  logged: true;
}

/** what the registry has seen of a device it does not process (pending, rejected): for the dashboard */
export interface Observation {
  lastSeenAt: number;
  online: boolean | null;
}

/** what the registry holds besides its store, in a checkpoint (helpdesk/checkpoint.ts): devices seen but not processed, senders logged once */
export interface RegistrySnapshot {
  observed: Map<string, Observation>;
  loggedOnce: Set<string>;
  overflow: number;
}

/** logs the 1st, 2nd, 4th, 8th ... time: every one counted, the log stays bounded */
const worthLogging = (n: number): boolean => (n & (n - 1)) === 0;

export function createRegistry(options: RegistryOptions) {
  const { store, log } = options;
  const mode = options.mode ?? 'pending';
  const timeZone = options.timeZone ?? 'UTC';
  const maxPending = options.maxPending ?? 1000;
  const live = createLiveDirectory();
  const loaded = store.load();
  live.reset(loaded);
  let revision = loaded.revision;
  const observed = new Map<string, Observation>();
  /** unknown senders logged once (events of unregistered devices, apps of unknown customers), bounded */
  const loggedOnce = new Set<string>();
  let overflow = 0;

  function commit(ch: RegistryChanges): void {
    revision = store.write(ch);
    for (const d of ch.removeDevices ?? []) observed.delete(deviceKey(d.customerId, d.id));
    live.apply(ch);
  }

  /** writes what a decision changed, logs its note; returns its refusal */
  function apply(dec: Decision, customerId: string, deviceId: string): Refusal | null {
    const ch: RegistryChanges = {};
    if (dec.customer) ch.customers = [dec.customer];
    if (dec.device) ch.devices = [dec.device];
    if (ch.customers || ch.devices) commit(ch);
    if (dec.note) log[dec.note.level]({ code: dec.note.code, customerId, deviceId }, dec.note.msg);
    return dec.refuse ? { ...dec.refuse, logged: true } : null;
  }

  function once(key: string, code: EvnErrorCode, reason: string, msg: string): Refusal {
    if (loggedOnce.size < maxPending) {
      if (!loggedOnce.has(key)) {
        loggedOnce.add(key);
        log.warn({ code, sender: key }, msg);
      }
    } else if (!loggedOnce.has(key) && worthLogging(++overflow)) log.warn({ code, sender: key, count: overflow }, `${msg} (and others: too many unknown senders to log each)`);
    return { code, reason, logged: true };
  }

  function full(key: string): Refusal {
    return once(key, REGISTRY_ERR.FULL, `${maxPending} devices await acceptance already: ${key} is not recorded`, `too many devices await acceptance: ${key} is counted, not recorded; accept or reject the pending ones`);
  }

  function observe(key: string, m: Decoded): void {
    const o = observed.get(key) ?? { lastSeenAt: m.payload.ts, online: null };
    o.lastSeenAt = Math.max(o.lastSeenAt, m.payload.ts);
    if (m.channel === 'availability') o.online = m.payload.state === 'online';
    else if (o.online === null) o.online = true;
    observed.set(key, o);
  }

  /** a message from a device that is not active: recorded if unknown, refused with its code either way */
  function notActive(customerId: string, deviceId: string, m: Decoded): Refusal {
    const key = deviceKey(customerId, deviceId);
    const rec = live.device(customerId, deviceId);
    if (!rec) {
      const kind = m.channel === 'telemetry' || m.channel === 'availability' ? m.payload.kind : undefined;
      const reason = `device '${deviceId}' of '${customerId}' is not registered`;
      if (!kind) return once(key, REGISTRY_ERR.UNKNOWN, reason, `${m.channel} from ${key}, which is not registered: refused until it sends telemetry or announces itself`);
      if (live.pending() >= maxPending) return full(key);
      observe(key, m);
      return apply(onUnannounced({ customerId, deviceId, at: m.payload.ts, kind, channel: m.channel, customer: live.customer(customerId), timeZone }), customerId, deviceId)!;
    }
    observe(key, m);
    if (rec.state === 'rejected') return { code: REGISTRY_ERR.REJECTED, reason: `device ${key} was rejected by ${rec.decidedBy ?? 'staff'}`, logged: true };
    if (rec.origin === 'unannounced') return { code: REGISTRY_ERR.UNKNOWN, reason: `device ${key} is not registered: pending since its first message`, logged: true };
    return { code: REGISTRY_ERR.PENDING, reason: `device ${key} awaits acceptance`, logged: true };
  }

  function announce(customerId: string, deviceId: string, m: Extract<Decoded, { channel: 'announce' }>): Refusal | null {
    const a = m.payload;
    const device = live.device(customerId, deviceId);
    if (!device && mode !== 'trust-broker' && live.pending() >= maxPending) return full(deviceKey(customerId, deviceId));
    const facts = { kind: a.kind, name: a.name, measures: a.measures, extra: a.extra, reportEveryS: a.reportEveryS, source: a.source };
    const dec = onAnnounce({ customerId, deviceId, at: a.ts, device, customer: live.customer(customerId), timeZone, mode, announce: facts });
    return apply(dec, customerId, deviceId);
  }

  /** accept or reject: the record must exist */
  function decide(customerId: string, deviceId: string, verdict: 'accept' | 'reject', by: string, at: number): RegistryResult<DeviceRecord> {
    const d = live.device(customerId, deviceId);
    if (!d) return fail(REGISTRY_ERR.UNKNOWN, `no device ${deviceKey(customerId, deviceId)} in the registry`);
    const dec = onDecision(d, live.customer(customerId), verdict, by, at);
    apply(dec, customerId, deviceId);
    return { ok: true, value: dec.device! };
  }

  return {
    mode,
    /** the directory the core reads: active customers and devices, O(1) lookups */
    directory: live.directory,

    /** Checks a contract-valid message against the registry on arrival; an announce registers its device. */
    admit(m: Decoded): Refusal | null {
      const t = m.topic;
      if (t.scope === 'service') {
        if (live.directory.customer(t.customerId)) return null;
        return once(`${t.customerId}/_app`, REGISTRY_ERR.UNKNOWN, `unknown customer '${t.customerId}'`, `a request of customer '${t.customerId}', who is not registered (or not active): refused`);
      }
      if (m.channel === 'announce') return announce(t.customerId, t.deviceId, m);
      const device = live.directory.deviceOf(t);
      if (!device) return notActive(t.customerId, t.deviceId, m);
      if ((m.channel === 'telemetry' || m.channel === 'availability') && m.payload.kind !== device.kind) {
        return apply(onWrongKind(live.device(t.customerId, t.deviceId)!, m.payload.kind, m.channel, m.payload.ts), t.customerId, t.deviceId);
      }
      return null;
    },

    accept: (customerId: string, deviceId: string, by: string, at: number) => decide(customerId, deviceId, 'accept', by, at),
    reject: (customerId: string, deviceId: string, by: string, at: number) => decide(customerId, deviceId, 'reject', by, at),

    /** Upserts a world (a scenario's customers, devices, stores, workshops); writes nothing when it is already there. */
    seed(world: Directory, at: number): boolean {
      const ch = seedChanges(world, live, at);
      if (!ch) return false;
      commit(ch);
      log.info({ customers: world.customers.length, stores: world.stores.length, workshops: world.workshops.length }, 'registry seeded from the world');
      return true;
    },

    /** Writes changes staff made (customers and devices added or removed: staff-ops.ts checks them). */
    commit,

    /** Reloads from the store if another process changed it since; true if it did. */
    refresh(): boolean {
      if (store.revision() === revision) return false;
      const s = store.load();
      live.reset(s);
      revision = s.revision;
      log.info({ revision }, 'registry reloaded: changed by another process');
      return true;
    },

    customer: (id: string): CustomerRecord | undefined => live.customer(id),
    device: (customerId: string, deviceId: string): DeviceRecord | undefined => live.device(customerId, deviceId),
    customers: live.customers,
    /** every device (active, pending, rejected), by customer in registration order */
    devices: live.devices,
    devicesOf: live.devicesOf,
    /** when a device that is not processed was last heard, and whether it said it is online */
    observed: (customerId: string, deviceId: string): Observation | undefined => observed.get(deviceKey(customerId, deviceId)),
    /** the records are the store's (a restored helpdesk opens the database as it was at the checkpoint) */
    snapshot: (): RegistrySnapshot => ({ observed: new Map(observed), loggedOnce: new Set(loggedOnce), overflow }),
    restore(s: RegistrySnapshot): void {
      observed.clear();
      for (const [k, v] of s.observed) observed.set(k, v);
      for (const k of s.loggedOnce) loggedOnce.add(k);
      overflow = s.overflow;
    },
    close: (): void => store.close(),
  };
}
export type Registry = ReturnType<typeof createRegistry>;
