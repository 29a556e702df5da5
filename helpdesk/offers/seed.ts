/**
 * What a world given whole (a scenario) says of its customers' side before the helpdesk starts: the
 * consent each customer had set in their app. Applied with the app's own rules (consent.ts applyRequest),
 * once: a customer whose consent has a history already keeps it (a restart on the same database writes
 * nothing), like the registry's seed.
 */
import { applyRequest, type ConsentRequest } from '../customers/consent.js';
import type { CustomerStore } from '../customers/store.js';

export interface ConsentSeed {
  customerId: string;
  /** the app requests the customer had made, in order */
  requests: ConsentRequest[];
  /** event time the consent is recorded at (a replay: its start); default the `at` of seedConsent */
  at?: number;
}

/** Applies each seed at event time `at` (by 'scenario'); returns the customers changed. A request that fails is an error in the world: thrown. */
export function seedConsent(store: CustomerStore, seeds: readonly ConsentSeed[], at: number): string[] {
  const changed: string[] = [];
  for (const s of seeds) {
    if (!s.requests.length || store.history(s.customerId).length) continue;
    let consent = store.consent(s.customerId);
    const changes: Record<string, unknown>[] = [];
    for (const req of s.requests) {
      const r = applyRequest(consent, req, s.at ?? at);
      if (!r.ok) throw Object.assign(new Error(`consent of ${s.customerId}: ${r.error.message}`), { code: r.error.code });
      consent = r.consent;
      changes.push(r.change);
    }
    store.setConsent(s.customerId, consent, { at: s.at ?? at, by: 'scenario', change: { type: 'seed', changes } });
    changed.push(s.customerId);
  }
  return changed;
}
