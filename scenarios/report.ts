/**
 * The replay report: one JSON object, no wall-clock data, so the same scenario and seed give a
 * byte-identical file. Times are simulated ISO 8601 with the scenario's offset.
 */
import type { ShoppingRecord } from '../helpdesk/core.js';
import { isoWithOffset } from '../helpdesk/format.js';
import type { LoadRecord } from '../helpdesk/loads.js';
import type { Ticket } from '../helpdesk/tickets/lifecycle.js';
import type { ProblemRecord } from '../helpdesk/problems/store.js';
import type { BookingRecord } from '../helpdesk/bookings/store.js';
import type { SatisfactionRecord } from '../helpdesk/dialogue/store.js';
import type { OfferRecord } from '../helpdesk/offers/offers.js';
import { contactsOf } from './report-contacts.js';
import type { ExpectationResult } from './expect/check.js';
import { withByKind, type ByKind, type ReportDevice } from './report-by-kind.js';

export interface FaultTruth {
  customerId: string;
  deviceId: string;
  kind: string;
  injectedAt: number;
  noticeableAt: number | null;
}

export interface ReportInput {
  scenario: string;
  seed: number;
  startMs: number;
  endMs: number;
  offsetMinutes: number;
  messages: { published: number; delivered: number; rejected: number; duplicates: number; gaps: number; rejectedByCode: Record<string, number> };
  tickets: Ticket[];
  faults: FaultTruth[];
  loads: LoadRecord[];
  shopping: ShoppingRecord[];
  /** mass incidents (helpdesk.problems()); the report always has `problems`, [] without any */
  problems?: readonly ProblemRecord[];
  /** the scenario's devices (LoadedScenario.devices): with them the report has `byKind`, its figures per device kind (report-by-kind.ts) */
  devices?: readonly ReportDevice[];
  /** the product-service chain's bookings (helpdesk.bookings()); the report always has `bookings`, [] without any */
  bookings?: readonly BookingRecord[];
  /** satisfaction questions and scores (helpdesk.satisfaction()); the report always has `satisfaction`, [] without any */
  satisfaction?: readonly SatisfactionRecord[];
  /** next-best offers (helpdesk.offers()); the report always has `offers` and `contacts`, [] without any */
  offers?: readonly OfferRecord[];
}

const money = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1e6) / 1e6);

/**
 * What the plan saved against starting at once: in € whenever both costs are known (negative: it cost
 * more); in % only where a share means something, i.e. starting at once would have cost money and the
 * plan did not earn any (with negative prices a share of a negative or zero cost is nonsense: '-471 %').
 */
export function savings(costEur: number | null, startNowCostEur: number | null): { savedEur: number | null; savedPct: number | null } {
  if (costEur === null || startNowCostEur === null) return { savedEur: null, savedPct: null };
  const savedEur = money(startNowCostEur - costEur);
  const savedPct = startNowCostEur > 0 && costEur >= 0 ? Math.round((1 - costEur / startNowCostEur) * 1000) / 10 : null;
  return { savedEur, savedPct };
}

function reportBody(r: ReportInput) {
  const iso = (t: number | null): string | null => (t === null ? null : isoWithOffset(t, r.offsetMinutes));
  return {
    scenario: r.scenario,
    seed: r.seed,
    simulated: { start: iso(r.startMs), end: iso(r.endMs) },
    messages: r.messages,
    tickets: r.tickets.map((t) => ({
      id: t.id,
      deviceId: t.deviceId,
      customerId: t.customerId,
      kind: t.kind,
      severity: t.severity,
      state: t.state,
      openedAt: iso(t.openedAt),
      contactedAt: iso(t.contactedAt),
      channel: t.channel,
      actionSentAt: iso(t.actionSentAt),
      resolvedAt: iso(t.resolvedAt),
      resolution: t.resolution,
      proactive: t.proactive,
      evidence: t.evidence,
      timeline: t.timeline.map((e) => ({ at: iso(e.at), step: e.step, by: e.by, detail: e.detail })),
    })),
    faults: r.faults.map((f) => ({ customerId: f.customerId, deviceId: f.deviceId, kind: f.kind, injectedAt: iso(f.injectedAt), noticeableAt: iso(f.noticeableAt) })),
    loads: r.loads.map((l) => ({
      customerId: l.customerId,
      deviceId: l.deviceId,
      programme: l.programme,
      requestedAt: iso(l.requestedAt),
      deadline: iso(l.deadline),
      plannedStart: iso(l.plannedStart),
      actualStart: iso(l.actualStart),
      finishedAt: iso(l.finishedAt),
      costEur: money(l.costEur),
      optimalCostEur: money(l.optimalCostEur),
      startNowCostEur: money(l.startNowCostEur),
      ...savings(money(l.costEur), money(l.startNowCostEur)),
      energyKwh: money(l.energyKwh),
      meanGridLoadMw: l.meanGridLoadMw === null ? null : Math.round(l.meanGridLoadMw),
      planError: l.planError,
    })),
    shopping: r.shopping.map((s) => ({ at: iso(s.at), customerId: s.customerId, recipe: s.recipe, missing: s.missing, store: s.store, text: s.text })),
    // mass incidents, oldest first: the problem, its cause in a sentence, and its tickets
    problems: [...(r.problems ?? [])]
      .sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((p) => ({
        id: p.id,
        kind: p.kind,
        cause: { attr: p.cause.attr, value: p.cause.value },
        explanation: p.explanation,
        openedAt: iso(p.openedAt),
        firstAt: iso(p.firstAt),
        lastAt: iso(p.lastAt),
        state: p.state,
        ticketIds: p.links.map((l) => l.ticketId),
      })),
    // next-best offers, by time: what, by which rule and why, on which channel, and what came of it
    offers: (r.offers ?? []).map((o) => ({
      at: iso(o.at),
      customerId: o.customerId,
      offerId: o.id,
      offer: o.offer,
      rule: o.rule,
      partner: o.partner?.id ?? null,
      channel: o.channel,
      reason: o.reason,
      outcome: o.state,
      outcomeAt: iso(o.closedAt),
      code: o.code,
    })),
    // every contact sent, by time: about a ticket or an offer, its channel and text
    contacts: contactsOf(r.tickets, r.offers ?? []).map((c) => ({ at: iso(c.at), customerId: c.customerId, ticketId: c.ticketId, offerId: c.offerId, channel: c.channel, text: c.text })),
    // bookings of the product-service chain, by offer time: the workshop, the slots offered, the slot taken, the replacement car, the state
    bookings: (r.bookings ?? []).map((b) => ({
      customerId: b.customerId,
      ticketId: b.ticketId,
      workshopId: b.workshopId,
      offeredAt: iso(b.offeredAt),
      slotsOffered: b.offered.map((x) => x.slotId),
      slot: b.slot ? { slotId: b.slot.slotId, from: iso(b.slot.from), to: iso(b.slot.to) } : null,
      replacementCar: b.replacementCar,
      state: b.state,
    })),
    // the satisfaction question of each resolved ticket the customer was told about, and the score (null: not answered)
    satisfaction: (r.satisfaction ?? []).map((x) => ({ ticketId: x.ticketId, customerId: x.customerId, askedAt: iso(x.askedAt), score: x.score, answeredAt: iso(x.answeredAt) })),
  };
}

/** The report; with the scenario's devices, `byKind` follows the messages. */
export function buildReport(r: ReportInput): ReturnType<typeof reportBody> & { byKind?: ByKind } {
  const body = reportBody(r);
  return r.devices ? withByKind(body, r.devices) : body;
}
export type Report = ReturnType<typeof buildReport>;

/** The report with the results of the scenario's `expect:` block, when it has one: the last key, so the rest keeps its bytes. */
export type CheckedReport = Report & { expectations?: ExpectationResult[] };
export function withExpectations(report: Report, results: ExpectationResult[] | undefined): CheckedReport {
  return results === undefined ? report : { ...report, expectations: results };
}
