/**
 * What staff do to the registry by hand (`evernet customers`, `evernet devices`): add and remove
 * customers and devices. Input is checked first; every failure is a coded result, nothing throws.
 * A device staff add is active at once (they vouch for it); its customer must exist.
 */
import { z } from 'zod';
import { Channel, deviceKey, DeviceKind, Id, KIND_READINGS, Location, ReadingName, MAX_EXTRA_READINGS } from '../../contracts/index.js';
import { describeIssues } from '../../contracts/issues.js';
import { canonicalZone, fail, isTimeZone, newDevice, REGISTRY_ERR, type CustomerRecord, type DeviceRecord, type RegistryResult } from './records.js';
import type { Registry } from './registry.js';

const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day 'HH:MM'");

export const CustomerInput = z.strictObject({
  id: Id,
  name: z.string().min(1).max(80).optional(),
  home: Location.optional(),
  channels: z.array(Channel).min(1).max(5).optional(),
  quietHours: z.strictObject({ from: Hhmm, to: Hhmm }).optional(),
  phone: z.string().min(1).max(40).optional(),
  email: z.string().min(3).max(120).optional(),
  timeZone: z.string().max(64).refine(isTimeZone, "an IANA time zone such as 'Europe/Berlin'").transform((z) => canonicalZone(z)!).optional(),
});
export type CustomerInput = z.input<typeof CustomerInput>;

export const DeviceInput = z
  .strictObject({
    customerId: Id,
    id: Id,
    kind: DeviceKind,
    name: z.string().min(1).max(80).optional(),
    measures: z.array(ReadingName).max(MAX_EXTRA_READINGS * 2).optional(),
    extra: z.array(ReadingName).max(MAX_EXTRA_READINGS).optional(),
    reportEveryS: z.number().int().min(1).max(86_400).optional(),
  })
  .refine((d) => !d.measures || d.measures.every((r) => KIND_READINGS[d.kind].includes(r)), {
    message: 'measures must name readings of the kind',
    path: ['measures'],
  });
export type DeviceInput = z.input<typeof DeviceInput>;

function parse<T>(schema: z.ZodType<T>, input: unknown): RegistryResult<T> {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : fail(REGISTRY_ERR.INPUT, describeIssues(r.error.issues));
}

export function addCustomer(registry: Registry, input: CustomerInput, at: number): RegistryResult<CustomerRecord> {
  const p = parse(CustomerInput, input);
  if (!p.ok) return p;
  const c = p.value;
  const had = registry.customer(c.id);
  if (had) return fail(REGISTRY_ERR.EXISTS, `customer '${c.id}' is registered already (${had.state})`);
  const preferences = {
    channels: c.channels ?? ['app-push', 'email'],
    ...(c.quietHours ? { quietHours: c.quietHours } : {}),
    ...(c.phone ? { phone: c.phone } : {}),
    ...(c.email ? { email: c.email } : {}),
  };
  const record: CustomerRecord = { id: c.id, name: c.name ?? c.id, home: c.home ?? null, preferences, timeZone: c.timeZone ?? null, state: 'active', origin: 'staff', createdAt: at };
  registry.commit({ customers: [record] });
  return { ok: true, value: record };
}

export function removeCustomer(registry: Registry, id: string, opts: { withDevices?: boolean } = {}): RegistryResult<{ customer: CustomerRecord; devices: DeviceRecord[] }> {
  const c = registry.customer(id);
  if (!c) return fail(REGISTRY_ERR.UNKNOWN, `no customer '${id}' in the registry`);
  const devices = registry.devicesOf(id);
  if (devices.length && !opts.withDevices) {
    return fail(REGISTRY_ERR.IN_USE, `customer '${id}' has ${devices.length} device(s) (${devices.map((d) => d.id).join(', ')}): remove them first, or give --with-devices`);
  }
  registry.commit({ removeDevices: devices.map((d) => ({ customerId: id, id: d.id })), removeCustomers: [id] });
  return { ok: true, value: { customer: c, devices } };
}

export function addDevice(registry: Registry, input: DeviceInput, at: number): RegistryResult<DeviceRecord> {
  const p = parse(DeviceInput, input);
  if (!p.ok) return p;
  const d = p.value;
  const key = deviceKey(d.customerId, d.id);
  if (!registry.customer(d.customerId)) return fail(REGISTRY_ERR.UNKNOWN, `no customer '${d.customerId}' in the registry: add it first (evernet customers add ${d.customerId})`);
  const had = registry.device(d.customerId, d.id);
  if (had) {
    const hint = had.state === 'active' ? '' : `: accept it instead (evernet devices accept ${key})`;
    return fail(REGISTRY_ERR.EXISTS, `device ${key} is registered already (${had.state}, ${had.kind})${hint}`);
  }
  const record = newDevice({
    customerId: d.customerId, id: d.id, kind: d.kind, name: d.name ?? d.id, state: 'active', origin: 'staff', registeredAt: at,
    measures: d.measures ?? null, extra: d.extra ?? [], reportEveryS: d.reportEveryS ?? null,
  });
  registry.commit({ devices: [record] });
  return { ok: true, value: record };
}

export function removeDevice(registry: Registry, customerId: string, deviceId: string): RegistryResult<DeviceRecord> {
  const d = registry.device(customerId, deviceId);
  if (!d) return fail(REGISTRY_ERR.UNKNOWN, `no device ${deviceKey(customerId, deviceId)} in the registry`);
  registry.commit({ removeDevices: [{ customerId, id: deviceId }] });
  return { ok: true, value: d };
}
