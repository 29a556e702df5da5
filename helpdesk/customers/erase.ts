/**
 * Erasure: telemetry of the customer's devices deleted (raw, minutes, pinned evidence windows), their
 * consent, its history and their contacts deleted, their tickets kept only pseudonymised for
 * statistics (pseudonymise.ts), their audit entries re-keyed to the pseudonym, their registry record
 * and devices removed, and the erasure recorded under the pseudonym. Refused while a device of theirs
 * is online (it would register again at once, as a pending device of a customer created anew).
 *
 * The steps are not one transaction (the stores are separate connections), so they go in an order
 * that a second erasure finishes: tickets, telemetry, the customer's own data, the registry last
 * (until then the customer is still known and can be erased again).
 */
import { deviceKey } from '../../contracts/index.js';
import { removeCustomer, type Registry } from '../registry/index.js';
import type { TicketStore } from '../tickets/store.js';
import { CONSENT_ERR, type CodedError } from './consent.js';
import { deviceIdsOf, isKnown, ticketsOf, type HeldElsewhere } from './export.js';
import { customerPseudonym, pseudonymiseTicket } from './pseudonymise.js';
import type { CustomerStore } from './store.js';
import { codeTable } from '../../contracts/errors.js';

export const ERASE_ERR = codeTable({ ONLINE: 'EVN_ERR_ERASE_ONLINE', CONFIRM: 'EVN_ERR_ERASE_CONFIRM' });

export interface EraseSources {
  registry: Registry;
  tickets: TicketStore;
  customers: CustomerStore;
  /** deletes a device's telemetry (the core's recorder: its buffer too) */
  forgetTelemetry(device: string): { raw: number; minutes: number };
  /** whether a device is online now, as far as the caller knows (undefined: not known) */
  online?(customerId: string, deviceId: string): boolean | undefined;
  /** loads, recipe answers, inventories: forgotten too */
  held?: HeldElsewhere;
}

export interface ErasureSummary {
  pseudonym: string;
  counts: Record<string, number>;
}

export type EraseResult = { ok: true; value: ErasureSummary } | { ok: false; error: CodedError };

export function eraseCustomer(src: EraseSources, customerId: string, by: string, at: number): EraseResult {
  if (!isKnown(src, customerId)) return { ok: false, error: { code: CONSENT_ERR.UNKNOWN_CUSTOMER, message: `evernet holds nothing about customer '${customerId}'` } };
  const online = src.registry.devicesOf(customerId).filter((d) => src.online?.(customerId, d.id) === true).map((d) => d.id);
  if (online.length) {
    return {
      ok: false,
      error: { code: ERASE_ERR.ONLINE, message: `device(s) ${online.join(', ')} of '${customerId}' are online: switch them off or revoke their broker credentials first, or they register again at once` },
    };
  }
  const key = src.customers.secret();
  const pseudonym = customerPseudonym(key, customerId);
  const tickets = ticketsOf(src.tickets, customerId);
  for (const t of tickets) src.tickets.replace(t.id, pseudonymiseTicket(t, key));
  const counts: Record<string, number> = { ticketsPseudonymised: tickets.length, telemetryRaw: 0, telemetryMinutes: 0 };
  for (const deviceId of deviceIdsOf(src, customerId, tickets)) {
    const gone = src.forgetTelemetry(deviceKey(customerId, deviceId));
    counts.telemetryRaw! += gone.raw;
    counts.telemetryMinutes! += gone.minutes;
  }
  Object.assign(counts, src.held?.forget(customerId));
  const devices = src.registry.devicesOf(customerId).length;
  Object.assign(counts, src.customers.erase(customerId, { pseudonym, at, by, counts: { ...counts, devices } }));
  if (src.registry.customer(customerId)) {
    const r = removeCustomer(src.registry, customerId, { withDevices: true });
    if (r.ok) counts.devices = r.value.devices.length;
  } else counts.devices = devices;
  return { ok: true, value: { pseudonym, counts } };
}
