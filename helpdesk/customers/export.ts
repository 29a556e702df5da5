/**
 * "What do you store about me": everything evernet holds about one customer as one JSON document —
 * their registry record (profile, contact preferences) and devices, the telemetry kept of those
 * devices (raw readings and one-minute aggregates), every ticket with its whole timeline (every
 * contact's text, every note, every notification attempt), the contacts sent or held back, their
 * consent now and its history, and the audit log of staff views of their data. The same document for
 * the app, the CLI and the API; after an erasure it holds no personal data, only that one happened.
 */
import { deviceKey } from '../../contracts/index.js';
import type { Registry } from '../registry/index.js';
import type { MinuteRow, TelemetryPoint } from '../telemetry/store.js';
import type { Ticket } from '../tickets/lifecycle.js';
import type { TicketStore } from '../tickets/store.js';
import type { Consent } from './consent.js';
import { customerPseudonym } from './pseudonymise.js';
import type { AuditEntry, ConsentChange, ContactRecord, CustomerStore, ErasureRecord } from './store.js';

export const EXPORT_FORMAT = 'evernet-customer-export/1';

/** what the export reads telemetry through (the core's recorder: buffered readings are flushed first) */
export interface TelemetryReader {
  range(device: string, from: number, to: number): TelemetryPoint[];
  minutes(device: string, from: number, to: number): MinuteRow[];
}

/** what else the helpdesk holds about a customer (loads, recipe answers, a fridge's inventory): exported, and forgotten on erasure */
export interface HeldElsewhere {
  of(customerId: string): Record<string, unknown[]>;
  /** forgets it all; how many of each went */
  forget(customerId: string): Record<string, number>;
}

export interface ExportSources {
  registry: Registry;
  tickets: TicketStore;
  telemetry: TelemetryReader;
  customers: CustomerStore;
  held?: HeldElsewhere;
}

export interface CustomerExport {
  format: typeof EXPORT_FORMAT;
  customerId: string;
  /** event time of the export */
  exportedAt: number;
  /** the registry's record: name, home, contact preferences, time zone, state; null when not (or no longer) registered */
  profile: ReturnType<Registry['customer']> | null;
  devices: ReturnType<Registry['devicesOf']>;
  consent: { now: Consent; history: ConsentChange[] };
  /** contacts evernet sent or held back (with the reason) */
  contacts: ContactRecord[];
  /** every message evernet sent about a ticket, word for word (also on the tickets' timelines) */
  contactTexts: Array<{ ticketId: string; at: number; channel: unknown; text: unknown }>;
  /** webhook and e-mail attempts, from the tickets' timelines */
  notifications: Array<{ ticketId: string; at: number } & Record<string, unknown>>;
  tickets: Ticket[];
  telemetry: Array<{ deviceId: string; raw: TelemetryPoint[]; minutes: MinuteRow[] }>;
  /** what else the helpdesk holds: `loads` (washer offers and plans), `shopping` (recipe answers), `inventory` (a fridge's items) */
  activity: Record<string, unknown[]>;
  /** who on the staff viewed this customer's data, and when (this export included) */
  audit: AuditEntry[];
  /** set once the customer was erased: when, by whom and how much went (not the pseudonym); everything else is then empty */
  erasure: Omit<ErasureRecord, 'pseudonym'> | null;
}

const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

/** the customer's tickets with their timelines, oldest first */
export function ticketsOf(tickets: TicketStore, customerId: string): Ticket[] {
  return tickets
    .summaries({ customerId, sort: 'opened', order: 'asc' })
    .tickets.map((s) => tickets.get(s.id))
    .filter((t): t is Ticket => t !== null);
}

/** whether evernet holds anything about the customer: a registry record, tickets, consent, contacts or audit entries */
export function isKnown(src: Pick<ExportSources, 'registry' | 'tickets' | 'customers'>, customerId: string): boolean {
  return (
    src.registry.customer(customerId) !== undefined ||
    src.tickets.summaries({ customerId, limit: 0 }).total > 0 ||
    src.customers.history(customerId).length > 0 ||
    src.customers.contacts(customerId).length > 0 ||
    src.customers.auditOf(customerId).length > 0
  );
}

/** the ids of the customer's devices: registered ones, and those their tickets name (a device removed since) */
export function deviceIdsOf(src: Pick<ExportSources, 'registry'>, customerId: string, tickets: readonly Ticket[]): string[] {
  return [...new Set([...src.registry.devicesOf(customerId).map((d) => d.id), ...tickets.map((t) => t.deviceId)])];
}

/** the erasure of this customer, if there was one (found by their pseudonym) */
export function erasureOf(customers: CustomerStore, customerId: string): ErasureRecord | undefined {
  return customers.erasure(customerPseudonym(customers.secret(), customerId));
}

/** The document; null when evernet holds nothing about the customer and never erased them. */
export function buildExport(src: ExportSources, customerId: string, at: number): CustomerExport | null {
  const erased = erasureOf(src.customers, customerId);
  if (!isKnown(src, customerId) && !erased) return null;
  const erasure = erased ? { at: erased.at, by: erased.by, counts: erased.counts } : null;
  const tickets = ticketsOf(src.tickets, customerId);
  const contactTexts: CustomerExport['contactTexts'] = [];
  const notifications: CustomerExport['notifications'] = [];
  for (const t of tickets) {
    for (const e of t.timeline) {
      const contact = e.detail.contact as { channel?: unknown; text?: unknown } | undefined;
      if (contact && typeof contact === 'object') contactTexts.push({ ticketId: t.id, at: e.at, channel: contact.channel, text: contact.text });
      const notify = e.detail.notify as Record<string, unknown> | undefined;
      if (notify && typeof notify === 'object') notifications.push({ ...notify, ticketId: t.id, at: e.at });
    }
  }
  const telemetry = deviceIdsOf(src, customerId, tickets).map((deviceId) => {
    const key = deviceKey(customerId, deviceId);
    return { deviceId, raw: src.telemetry.range(key, ...ALL), minutes: src.telemetry.minutes(key, ...ALL) };
  });
  return {
    format: EXPORT_FORMAT,
    customerId,
    exportedAt: at,
    profile: src.registry.customer(customerId) ?? null,
    devices: src.registry.devicesOf(customerId),
    consent: { now: src.customers.consent(customerId), history: src.customers.history(customerId) },
    contacts: src.customers.contacts(customerId),
    contactTexts,
    notifications,
    tickets,
    telemetry: telemetry.filter((d) => d.raw.length || d.minutes.length),
    activity: src.held?.of(customerId) ?? {},
    audit: src.customers.auditOf(customerId),
    erasure,
  };
}
