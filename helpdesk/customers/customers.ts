/**
 * The customer side of the helpdesk: consent and preferences the customer changes through the app,
 * what the contact flow may use (serviceChannels), the offers' check (mayOffer), the export, the
 * erasure and the audit log of staff views. Every entry point takes event time; nothing here reads a
 * clock. App requests are answered on the customer's answer topic (CustomerAnswerBody): a coded error
 * changes nothing.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { EXPORT_PART_BYTES, type AppRequestBody, type ExportPart, type Channel, type CustomerAnswerBody, type Purpose } from '../../contracts/index.js';
import type { Preferences } from '../contact/choose-channel.js';
import type { Registry } from '../registry/index.js';
import type { TicketStore } from '../tickets/store.js';
import { allowedChannels, applyRequest, CONSENT_ERR, DAY_MS, mayOffer, quietHoursOf, type CodedError, type Consent, type OfferVerdict } from './consent.js';
import { eraseCustomer, ERASE_ERR, type ErasureSummary } from './erase.js';
import { buildExport, erasureOf, isKnown, type CustomerExport, type HeldElsewhere, type TelemetryReader } from './export.js';
import { customerPseudonym } from './pseudonymise.js';
import type { AuditEntry, ConsentChange, ContactRecord, CustomerStore } from './store.js';
import { codeTable } from '../../contracts/errors.js';

export const EXPORT_ERR = codeTable({ TOO_LARGE: 'EVN_ERR_EXPORT_TOO_LARGE', THROTTLED: 'EVN_ERR_EXPORT_THROTTLED' });
/** event time between two exports of one customer through the app (each may be megabytes on the wire) */
export const APP_EXPORT_EVERY_MS = 60_000;
/** largest export the app gets, gzipped (in EXPORT_PART_BYTES parts of about 48 KB on the wire); staff exports have no cap */
export const MAX_APP_EXPORT_BYTES = 4 * 1024 * 1024;

export interface CustomersDeps {
  store: CustomerStore;
  registry: Registry;
  tickets: TicketStore;
  /** the core's recorder: reads flush buffered readings first, forget drops them too */
  telemetry: TelemetryReader & { forget(device: string): { raw: number; minutes: number } };
  /** whether a device is online now (availability as the helpdesk processed it) */
  online?(customerId: string, deviceId: string): boolean | undefined;
  /** what else the helpdesk holds about a customer (loads, recipe answers, inventories) */
  held?: HeldElsewhere;
  log: Logger;
  /** largest app export in bytes; default MAX_APP_EXPORT_BYTES */
  maxAppExportBytes?: number;
}

export type CustomerResult<T> = { ok: true; value: T } | { ok: false; error: CodedError };
/** the requests this module answers (recipes: the assistant; replies and scores: helpdesk/dialogue) */
type AppRequest = Exclude<AppRequestBody, { type: 'recipe' | 'reply' | 'satisfaction' }>;

const unknown = (customerId: string): { ok: false; error: CodedError } => ({
  ok: false,
  error: { code: CONSENT_ERR.UNKNOWN_CUSTOMER, message: `evernet holds nothing about customer '${customerId}'` },
});

/** The document gzipped, as base64 parts of at most EXPORT_PART_BYTES bytes each, with the document's size and sha256. */
export function exportParts(json: string): ExportPart[] {
  const bytes = Buffer.from(json, 'utf8');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const zipped = gzipSync(bytes);
  const parts = Math.max(1, Math.ceil(zipped.length / EXPORT_PART_BYTES));
  return Array.from({ length: parts }, (_, part) => ({
    part, parts, encoding: 'gzip', bytes: bytes.length, sha256, chunk: zipped.subarray(part * EXPORT_PART_BYTES, (part + 1) * EXPORT_PART_BYTES).toString('base64'),
  }));
}

export function createCustomers(deps: CustomersDeps) {
  const { store, registry } = deps;
  const maxAppExport = deps.maxAppExportBytes ?? MAX_APP_EXPORT_BYTES;
  const sources = { registry, tickets: deps.tickets, telemetry: deps.telemetry, customers: store, held: deps.held };
  /** customer -> event time of their last app export (one entry per customer who asked) */
  const lastAppExport = new Map<string, number>();

  /** a checkpoint's part (helpdesk/checkpoint.ts): when each customer last exported through the app */
  const snapshot = (): Map<string, number> => new Map(lastAppExport);
  const restore = (s: Map<string, number>): void => {
    for (const [k, v] of s) lastAppExport.set(k, v);
  };

  /** an audit entry goes under the pseudonym once the customer was erased (and nothing else is known of them) */
  function audit(e: AuditEntry): void {
    const erased = !isKnown(sources, e.customerId) && erasureOf(store, e.customerId) !== undefined;
    store.audit(erased ? { ...e, customerId: customerPseudonym(store.secret(), e.customerId), detail: {} } : e);
  }

  function consentView(customerId: string): CustomerResult<{ consent: Consent; history: ConsentChange[] }> {
    if (!isKnown(sources, customerId)) return unknown(customerId);
    return { ok: true, value: { consent: store.consent(customerId), history: store.history(customerId) } };
  }

  /** the document (the view audited first, so the document holds its own entry) */
  function exportDocument(customerId: string, by: string, action: string, at: number): CustomerResult<CustomerExport> {
    const known = isKnown(sources, customerId) || erasureOf(store, customerId) !== undefined;
    if (!known) return unknown(customerId);
    audit({ customerId, at, by, action, detail: {} });
    const doc = buildExport(sources, customerId, at);
    return doc ? { ok: true, value: doc } : unknown(customerId);
  }

  function erase(customerId: string, by: string, action: string, at: number): CustomerResult<ErasureSummary> {
    const r = eraseCustomer({ ...sources, forgetTelemetry: (d) => deps.telemetry.forget(d), online: deps.online }, customerId, by, at);
    if (!r.ok) return r;
    store.audit({ customerId: r.value.pseudonym, at, by, action, detail: {} });
    deps.log.info({ pseudonym: r.value.pseudonym, by, ...r.value.counts }, 'customer erased');
    return r;
  }

  /** Answers one app request of the customer: one answer, or an export's parts. */
  function request(customerId: string, req: AppRequest, at: number): CustomerAnswerBody[] {
    const base = { requestId: req.requestId, type: req.type };
    const failed = (error: CodedError): CustomerAnswerBody[] => [{ ...base, ok: false, error }];
    switch (req.type) {
      case 'consent':
      case 'blacklist':
      case 'preferences': {
        const r = applyRequest(store.consent(customerId), req, at);
        if (!r.ok) return failed(r.error);
        store.setConsent(customerId, r.consent, { at, by: 'customer', change: r.change });
        return [{ ...base, ok: true, consent: r.consent }];
      }
      case 'export': {
        const last = lastAppExport.get(customerId);
        if (last !== undefined && at >= last && at - last < APP_EXPORT_EVERY_MS) {
          return failed({ code: EXPORT_ERR.THROTTLED, message: `one export a minute: the last was ${Math.round((at - last) / 1000)} s ago` });
        }
        lastAppExport.set(customerId, at);
        const r = exportDocument(customerId, 'customer', 'app export', at);
        if (!r.ok) return failed(r.error);
        const parts = exportParts(JSON.stringify(r.value));
        const size = parts.reduce((n, p) => n + Buffer.byteLength(p.chunk, 'base64'), 0);
        if (size > maxAppExport) {
          return failed({ code: EXPORT_ERR.TOO_LARGE, message: `the export is ${size} bytes gzipped, more than the app may receive (${maxAppExport}): ask the service team, who export it whole` });
        }
        return parts.map((p) => ({ ...base, ok: true, export: p }));
      }
      case 'erase': {
        if (req.confirm !== customerId) return failed({ code: ERASE_ERR.CONFIRM, message: 'confirm must repeat your customer id: nothing was erased' });
        const r = erase(customerId, 'customer', 'app erase', at);
        return r.ok ? [{ ...base, ok: true, erased: r.value.counts }] : failed(r.error);
      }
    }
  }

  /** the channels a service contact may use and the quiet hours in force: the customer's consent over the registry's preferences */
  function serviceContact(customerId: string, prefs: Preferences): { allowed: Channel[]; preferences: Preferences } {
    const c = store.consent(customerId);
    const quietHours = quietHoursOf(c, prefs.quietHours);
    const preferences = quietHours === prefs.quietHours ? prefs : { ...prefs, quietHours };
    return { allowed: allowedChannels(c, 'service'), preferences };
  }

  return {
    snapshot,
    restore,
    consent: consentView,
    request,
    export: exportDocument,
    erase,
    audit,
    auditOf: (customerId: string) => store.auditOf(customerId),
    serviceContact,
    recordContact: (r: ContactRecord): void => store.recordContact(r),
    blacklist: (customerId: string): readonly string[] => store.consent(customerId).blacklist,
    /** whether an offer may reach the customer now (consent.ts mayOffer, with their stored consent and last day's contacts) */
    mayOffer(customerId: string, purpose: Exclude<Purpose, 'service'>, channel: Channel, at: number, from?: string): OfferVerdict {
      const c = registry.directory.customer(customerId);
      if (!c) return unknown(customerId);
      const contactsAt = store.contacts(customerId, at - DAY_MS).filter((x) => x.sent).map((x) => x.at);
      return mayOffer({ consent: store.consent(customerId), preferences: c.preferences, contactsAt }, purpose, channel, at, from);
    },
  };
}
export type Customers = ReturnType<typeof createCustomers>;
