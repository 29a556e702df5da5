/**
 * The registration policy, pure: what an announce, a message from an unknown device, a message of
 * the wrong kind or a staff decision does to the registry. Each returns a Decision: the records to
 * write, whether the message that caused it is refused (with its code) and a note worth one log line.
 * A note comes only with a change, so a device that repeats itself is logged once.
 *
 * - An announce from a device nobody registered: active at once when the broker authenticated the
 *   identity ('trust-broker'), else pending for staff. Its customer, if unknown, is created the same way.
 * - An announce that agrees with the registered kind updates what the device measures, its extra
 *   readings, interval and source; a pending device becomes active when the broker vouches for it.
 * - An announce that disagrees with the registered kind: the device is kept as registered (kind and
 *   state), the problem is recorded with EVN_ERR_KIND_MISMATCH, the announce refused. A pending
 *   device takes the announced kind instead (nobody accepted the old one yet).
 * - A rejected device stays rejected, whatever it announces (EVN_ERR_DEVICE_REJECTED).
 * - Telemetry or availability from a device nobody registered and that never announced itself:
 *   recorded as pending 'unannounced' with the kind its message names, refused with
 *   EVN_ERR_UNKNOWN_DEVICE; staff may accept it like any pending device.
 */
import type { DeviceKind, EvnErrorCode } from '../../contracts/index.js';
import {
  DEFAULT_PREFERENCES, newDevice, REGISTRY_ERR,
  type CustomerRecord, type DeviceRecord, type RegistrationMode, type RegistryErrorCode,
} from './records.js';

export interface Decision {
  device?: DeviceRecord;
  customer?: CustomerRecord;
  refuse?: { code: RegistryErrorCode; reason: string };
  note?: { level: 'info' | 'warn'; code?: EvnErrorCode; msg: string };
}

export interface AnnounceFacts {
  kind: DeviceKind;
  name: string;
  measures: string[];
  extra: string[];
  reportEveryS: number;
  source: DeviceRecord['source'];
}

interface Context {
  customerId: string;
  deviceId: string;
  /** event time */
  at: number;
  device?: DeviceRecord;
  customer?: CustomerRecord;
  /** the time zone of a customer created here */
  timeZone: string;
}

const key = (c: Context) => `${c.customerId}/${c.deviceId}`;
const howToAccept = (c: Context) => `accept it in the dashboard or with \`evernet devices accept ${key(c)}\``;

function newCustomer(c: Context, state: CustomerRecord['state'], origin: CustomerRecord['origin']): CustomerRecord {
  return { id: c.customerId, name: c.customerId, home: null, preferences: DEFAULT_PREFERENCES, timeZone: c.timeZone, state, origin, createdAt: c.at };
}

/** the customer to write when a device of theirs becomes (or is created) active or pending, if any */
function customerFor(c: Context, state: CustomerRecord['state'], origin: CustomerRecord['origin']): CustomerRecord | undefined {
  if (!c.customer) return newCustomer(c, state, origin);
  if (c.customer.state === 'pending' && state === 'active') return { ...c.customer, state: 'active' };
  return undefined;
}

export function onAnnounce(c: Context & { announce: AnnounceFacts; mode: RegistrationMode }): Decision {
  const a = c.announce;
  const trusted = c.mode === 'trust-broker';
  const d = c.device;
  // a retained announce delivered again (a restart) may be older than the last one seen
  const lastAnnounceAt = Math.max(d?.lastAnnounceAt ?? c.at, c.at);
  const details = { measures: [...a.measures], extra: [...a.extra], reportEveryS: a.reportEveryS, source: a.source, lastAnnounceAt };
  if (!d) {
    const state = trusted ? 'active' : 'pending';
    return {
      device: newDevice({ customerId: c.customerId, id: c.deviceId, kind: a.kind, name: a.name, state, origin: 'announce', registeredAt: c.at, ...details, ...(trusted ? { decidedBy: 'broker', decidedAt: c.at } : {}) }),
      customer: customerFor(c, state, 'announce'),
      note: trusted
        ? { level: 'info', msg: `${a.kind} ${key(c)} registered: the broker authenticated it` }
        : { level: 'warn', code: REGISTRY_ERR.PENDING, msg: `${a.kind} ${key(c)} announced itself through an open broker and awaits acceptance: ${howToAccept(c)}` },
    };
  }
  if (d.state === 'rejected') {
    return {
      device: { ...d, lastAnnounceAt },
      refuse: { code: REGISTRY_ERR.REJECTED, reason: `device ${key(c)} was rejected by ${d.decidedBy ?? 'staff'}` },
    };
  }
  const fromDevice = d.origin === 'announce' || d.origin === 'unannounced';
  if (d.kind !== a.kind && d.state !== 'pending') {
    const first = d.problem?.code !== REGISTRY_ERR.KIND_MISMATCH;
    const detail = `announced as ${a.kind}, registered as ${d.kind}`;
    return {
      device: { ...d, lastAnnounceAt, problem: first ? { code: REGISTRY_ERR.KIND_MISMATCH, detail, at: c.at } : d.problem },
      refuse: { code: REGISTRY_ERR.KIND_MISMATCH, reason: `device ${key(c)} ${detail}: kept as a ${d.kind}` },
      ...(first ? { note: { level: 'warn' as const, code: REGISTRY_ERR.KIND_MISMATCH, msg: `${key(c)} ${detail}: kept as a ${d.kind}; fix the board file or \`evernet devices remove ${key(c)}\` and let it announce again` } } : {}),
    };
  }
  const activate = d.state === 'pending' && trusted;
  const cleared = d.problem?.code === REGISTRY_ERR.KIND_MISMATCH;
  const next: DeviceRecord = {
    ...d,
    ...details,
    kind: a.kind,
    name: fromDevice ? a.name : d.name,
    origin: d.origin === 'unannounced' ? 'announce' : d.origin,
    problem: cleared ? null : d.problem,
    ...(activate ? { state: 'active' as const, decidedBy: 'broker', decidedAt: c.at } : {}),
  };
  const note: Decision['note'] = activate
    ? { level: 'info', msg: `${a.kind} ${key(c)} registered: the broker authenticated it` }
    : d.kind !== a.kind
      ? { level: 'info', msg: `pending ${key(c)} announced itself as a ${a.kind} (was ${d.kind})` }
      : cleared
        ? { level: 'info', msg: `${key(c)} announces its registered kind again` }
        : undefined;
  return { device: next, customer: customerFor(c, next.state === 'active' ? 'active' : 'pending', 'announce'), ...(note ? { note } : {}) };
}

/** Telemetry or availability (which name a kind) from a device the registry has no record of. */
export function onUnannounced(c: Context & { kind: DeviceKind; channel: string }): Decision {
  return {
    device: newDevice({ customerId: c.customerId, id: c.deviceId, kind: c.kind, name: c.deviceId, state: 'pending', origin: 'unannounced', registeredAt: c.at }),
    customer: customerFor(c, 'pending', 'unannounced'),
    refuse: { code: REGISTRY_ERR.UNKNOWN, reason: `device '${c.deviceId}' of '${c.customerId}' is not registered: recorded as pending` },
    note: { level: 'warn', code: REGISTRY_ERR.UNKNOWN, msg: `${c.channel} from ${c.kind} ${key(c)}, which is not registered and never announced itself: recorded as pending; its messages are counted and not processed until staff ${howToAccept(c)}` },
  };
}

/** Telemetry or availability of another kind than the device is registered with. */
export function onWrongKind(d: DeviceRecord, kind: DeviceKind, channel: string, at: number): Decision {
  const refuse = { code: REGISTRY_ERR.KIND_MISMATCH, reason: `${channel} of kind ${kind} from a ${d.kind}` };
  if (d.problem?.code === REGISTRY_ERR.KIND_MISMATCH) return { refuse };
  const detail = `${channel} of kind ${kind}, registered as ${d.kind}`;
  return {
    device: { ...d, problem: { code: REGISTRY_ERR.KIND_MISMATCH, detail, at } },
    refuse,
    note: { level: 'warn', code: REGISTRY_ERR.KIND_MISMATCH, msg: `${d.customerId}/${d.id}: ${detail}; such messages are refused` },
  };
}

/** Staff accept or reject a device (pending, or changing their mind). Accepting activates a pending customer too. */
export function onDecision(d: DeviceRecord, customer: CustomerRecord | undefined, verdict: 'accept' | 'reject', by: string, at: number): Decision {
  const state = verdict === 'accept' ? 'active' : 'rejected';
  const device: DeviceRecord = { ...d, state, decidedBy: by, decidedAt: at };
  const activated = verdict === 'accept' && customer?.state === 'pending' ? { ...customer, state: 'active' as const } : undefined;
  return {
    device,
    ...(activated ? { customer: activated } : {}),
    note: { level: 'info', msg: `${d.kind} ${d.customerId}/${d.id} ${verdict === 'accept' ? 'accepted' : 'rejected'} by ${by}` },
  };
}
