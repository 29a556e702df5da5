/**
 * A scenario's customer side: the consent each customer had set in their app before the day
 * (`consent:`) and the usage the helpdesk had recorded of their devices before it (`history:`, the days
 * before the replay starts). Both go to the helpdesk as it starts (HelpdeskOptions.consent,
 * .offers.history); the next-best offers read them (helpdesk/offers, docs/customers.md#offers).
 */
import { z } from 'zod';
import { CHANNELS, Id, PURPOSES } from '../contracts/index.js';
import type { ConsentRequest } from '../helpdesk/customers/consent.js';
import type { ConsentSeed } from '../helpdesk/offers/seed.js';
import type { UsageDay } from '../helpdesk/offers/usage.js';

const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day 'HH:MM'");
/** opted in or out as a whole (true/false), or per channel ({ email: true, sms: false }; the channels are checked in customerSideIssues) */
const PurposeConsent = z.union([z.boolean(), z.record(z.string(), z.boolean())]);

export const ScenarioConsent = z.strictObject({
  service: PurposeConsent.optional(),
  offers: PurposeConsent.optional(),
  /** the purpose 'partner-offers' */
  partnerOffers: PurposeConsent.optional(),
  /** companies or partners the customer's assistant refuses */
  blacklist: z.array(Id).max(100).optional(),
  /** the customer's own quiet hours (null: none) */
  quietHours: z.object({ from: Hhmm, to: Hhmm }).nullable().optional(),
  /** the most non-urgent contacts a day (null: no cap) */
  maxContactsPerDay: z.number().int().min(0).max(100).nullable().optional(),
});
export type ScenarioConsent = z.infer<typeof ScenarioConsent>;

/** one device's usage on one local day before the replay, as the helpdesk had recorded it */
export const ScenarioUsageDay = z.strictObject({
  day: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "a date 'YYYY-MM-DD'"),
  device: Id,
  km: z.number().min(0).max(5000).optional(),
  trips: z.number().int().min(0).max(200).optional(),
  restVoltageV: z.number().min(0).max(20).optional(),
  crankMinV: z.number().min(0).max(20).optional(),
  cycles: z.number().int().min(0).max(50).optional(),
});

/** the app requests the consent block stands for, in order: purposes, blacklist, preferences */
export function consentRequests(c: ScenarioConsent): ConsentRequest[] {
  const out: ConsentRequest[] = [];
  let n = 0;
  const id = (): string => `scenario-${++n}`;
  for (const purpose of PURPOSES) {
    const v = purpose === 'partner-offers' ? c.partnerOffers : c[purpose];
    if (v === undefined) continue;
    if (typeof v === 'boolean') out.push({ type: 'consent', requestId: id(), purpose, granted: v });
    else for (const ch of CHANNELS) if (v[ch] !== undefined) out.push({ type: 'consent', requestId: id(), purpose, channel: ch, granted: v[ch] });
  }
  if (c.blacklist?.length) out.push({ type: 'blacklist', requestId: id(), add: c.blacklist, remove: [] });
  if (c.quietHours !== undefined || c.maxContactsPerDay !== undefined) {
    out.push({ type: 'preferences', requestId: id(), ...(c.quietHours !== undefined ? { quietHours: c.quietHours } : {}), ...(c.maxContactsPerDay !== undefined ? { maxContactsPerDay: c.maxContactsPerDay } : {}) });
  }
  return out;
}

interface SideCustomer {
  id: string;
  devices: ReadonlyArray<{ id: string }>;
  consent?: ScenarioConsent | undefined;
  history?: ReadonlyArray<z.infer<typeof ScenarioUsageDay>> | undefined;
}

/** What the helpdesk gets of the scenario's customer side (consent recorded at `startMs`, the replay's start); nothing (so no option) for a scenario without one. */
export function customerSideOf(customers: readonly SideCustomer[], startMs?: number): { consent?: ConsentSeed[]; offers?: { history: UsageDay[] } } {
  const at = startMs !== undefined ? { at: startMs } : {};
  const consent = customers.filter((c) => c.consent).map((c) => ({ customerId: c.id, requests: consentRequests(c.consent!), ...at }));
  const history = customers.flatMap((c) => (c.history ?? []).map(({ device, ...d }) => ({ customerId: c.id, deviceId: device, ...d })));
  return { ...(consent.length ? { consent } : {}), ...(history.length ? { offers: { history } } : {}) };
}

/** a history day naming a device the customer does not have */
export function customerSideIssues(customers: readonly SideCustomer[]): Array<{ code: 'custom'; path: PropertyKey[]; message: string }> {
  const out: Array<{ code: 'custom'; path: PropertyKey[]; message: string }> = [];
  customers.forEach((c, i) => {
    for (const key of ['service', 'offers', 'partnerOffers'] as const) {
      const v = c.consent?.[key];
      if (typeof v !== 'object') continue;
      for (const ch of Object.keys(v)) {
        if (!(CHANNELS as readonly string[]).includes(ch)) out.push({ code: 'custom', path: ['customers', i, 'consent', key, ch], message: `'${ch}' is not a channel: one of ${CHANNELS.join(', ')}` });
      }
    }
    const ids = new Set(c.devices.map((d) => d.id));
    (c.history ?? []).forEach((h, j) => {
      if (!ids.has(h.device)) out.push({ code: 'custom', path: ['customers', i, 'history', j, 'device'], message: `'${h.device}' is not a device of ${c.id} (${[...ids].join(', ')})` });
    });
  });
  return out;
}
