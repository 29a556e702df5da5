/**
 * Checks a replay report (scenarios/report.ts, what --report-json writes) against a scenario's
 * `expect:` block. Pure: the same report and block give the same results, in the block's order.
 * Each result says what was expected and what happened, in words a developer reads in a terminal.
 */
import { isoWithOffset } from '../../helpdesk/format.js';
import { offsetOf } from '../iso-time.js';
import type { Expect, LoadExpectation, ShoppingExpectation, TicketExpectation, Window } from './schema.js';

/** the parts of the report the expectations read (a Report is one) */
export interface ReportView {
  simulated: { start: string | null };
  tickets: ReadonlyArray<{
    id: string;
    deviceId: string;
    customerId: string;
    kind: string;
    state: string;
    openedAt: string | null;
    channel: string | null;
    resolvedAt: string | null;
    proactive: boolean;
  }>;
  loads: ReadonlyArray<{
    deviceId: string;
    customerId?: string;
    programme: string;
    deadline: string | null;
    plannedStart: string | null;
    actualStart: string | null;
    finishedAt: string | null;
    costEur: number | null;
    optimalCostEur: number | null;
  }>;
  shopping: ReadonlyArray<{ customerId: string; recipe: string; store: { id: string } | null }>;
}

export interface ExpectationResult {
  /** where the expectation is written: 'tickets.0', 'noOtherTickets', 'loads.0', 'shopping.0' */
  path: string;
  ok: boolean;
  /** "expected …, got …" */
  text: string;
}

type Ticket = ReportView['tickets'][number];

export function checkExpectations(report: ReportView, expect: Expect): ExpectationResult[] {
  const fmt = timeFormat(report.simulated.start);
  const claimed = new Set<string>();
  const results: ExpectationResult[] = expect.tickets.map((e, i) => checkTicket(report, e, `tickets.${i}`, claimed, fmt));
  if (expect.noOtherTickets) {
    const others = report.tickets.filter((t) => !claimed.has(t.id));
    results.push({
      path: 'noOtherTickets',
      ok: others.length === 0,
      text:
        others.length === 0
          ? `expected no other tickets, got none`
          : `expected no other tickets, got ${others.length}: ${others.map((t) => `${t.kind} for ${t.customerId}/${t.deviceId} opened ${fmt(t.openedAt)}`).join('; ')}`,
    });
  }
  expect.loads.forEach((e, i) => results.push(checkLoad(report, e, `loads.${i}`, fmt)));
  expect.shopping.forEach((e, i) => results.push(checkShopping(report, e, `shopping.${i}`)));
  return results;
}

/** "✓ text" / "✗ text", one a line, and a closing count */
export function renderExpectations(results: readonly ExpectationResult[]): string {
  const failed = results.filter((r) => !r.ok).length;
  const lines = results.map((r) => `  ${r.ok ? '✓' : '✗'} ${r.path}: ${r.text}`);
  const head = failed === 0 ? `Expectations: all ${results.length} met` : `Expectations: ${failed} of ${results.length} failed`;
  return [head, ...lines].join('\n');
}

function checkTicket(report: ReportView, e: TicketExpectation, path: string, claimed: Set<string>, fmt: Fmt): ExpectationResult {
  const what = `a ${e.kind} ticket for ${e.customer}/${e.device}${describeTicket(e, fmt)}`;
  const same = report.tickets.filter((t) => t.customerId === e.customer && t.deviceId === e.device && t.kind === e.kind && !claimed.has(t.id));
  const misses = same.map((t) => ticketMisses(t, e, fmt));
  const hit = same.findIndex((_, i) => misses[i]!.length === 0);
  if (hit >= 0) {
    const t = same[hit]!;
    claimed.add(t.id);
    return { path, ok: true, text: `expected ${what}, got ${t.id} opened ${fmt(t.openedAt)}${t.channel ? ` via ${t.channel}` : ''}, ${t.state}${t.resolvedAt ? ` ${fmt(t.resolvedAt)}` : ''}` };
  }
  if (same.length === 0) {
    const others = report.tickets.filter((t) => t.customerId === e.customer && t.deviceId === e.device);
    const got = others.length === 0 ? 'no ticket for that device' : `only ${others.map((t) => `${t.kind} (${fmt(t.openedAt)})`).join(', ')}`;
    return { path, ok: false, text: `expected ${what}, got ${got}` };
  }
  return { path, ok: false, text: `expected ${what}, got ${same.map((t, i) => `${t.id}: ${misses[i]!.join(', ')}`).join('; ')}` };
}

function describeTicket(e: TicketExpectation, fmt: Fmt): string {
  const parts: string[] = [];
  if (e.opened) parts.push(`opened ${span(e.opened, fmt)}`);
  if (e.channel) parts.push(`via ${e.channel}`);
  // 'resolved within 10 min' says the state too
  if (e.state && !(e.state === 'resolved' && e.resolvedWithinMin !== undefined)) parts.push(`ending ${e.state}`);
  if (e.resolvedWithinMin !== undefined) parts.push(`resolved within ${e.resolvedWithinMin} min`);
  if (e.proactive !== undefined) parts.push(e.proactive ? 'proactive' : 'not proactive');
  return parts.length ? ` ${parts.join(', ')}` : '';
}

/** what about the ticket differs from the expectation, in words; [] when it matches */
function ticketMisses(t: Ticket, e: TicketExpectation, fmt: Fmt): string[] {
  const out: string[] = [];
  if (e.opened && !within(t.openedAt, e.opened)) out.push(`opened ${fmt(t.openedAt)}`);
  if (e.channel && t.channel !== e.channel) out.push(t.channel ? `contacted via ${t.channel}` : 'no contact');
  if (e.state && t.state !== e.state) out.push(`state ${t.state}`);
  if (e.resolvedWithinMin !== undefined) {
    const took = minutesBetween(t.openedAt, t.resolvedAt);
    if (took === null) out.push('not resolved');
    else if (took > e.resolvedWithinMin) out.push(`resolved after ${round1(took)} min`);
  }
  if (e.proactive !== undefined && t.proactive !== e.proactive) out.push(t.proactive ? 'proactive' : 'not proactive');
  return out;
}

function checkLoad(report: ReportView, e: LoadExpectation, path: string, fmt: Fmt): ExpectationResult {
  const parts = [e.atOptimum ? 'at the optimum' : '', e.started ? `started ${span(e.started, fmt)}` : '', e.finishedByDeadline ? 'finished by its deadline' : ''].filter(Boolean);
  const what = `a load of ${e.customer}/${e.device}${parts.length ? ` ${parts.join(', ')}` : ''}`;
  // reports that key loads by device only (no customerId) match on the device
  const loads = report.loads.filter((l) => l.deviceId === e.device && (l.customerId === undefined || l.customerId === e.customer));
  if (loads.length === 0) return { path, ok: false, text: `expected ${what}, got no load for that device` };
  const verdicts = loads.map((l) => {
    const misses: string[] = [];
    if (e.atOptimum) {
      if (l.actualStart === null) misses.push(l.plannedStart === null ? 'never planned or started' : `planned ${fmt(l.plannedStart)} but never started`);
      else if (l.actualStart !== l.plannedStart) misses.push(`started ${fmt(l.actualStart)}, planned ${fmt(l.plannedStart)}`);
      if (l.costEur === null || l.optimalCostEur === null) misses.push('no cost to compare');
      else if (Math.abs(l.costEur - l.optimalCostEur) > 1e-6) misses.push(`cost €${l.costEur} against an optimum of €${l.optimalCostEur}`);
    }
    if (e.started && !within(l.actualStart, e.started)) misses.push(l.actualStart ? `started ${fmt(l.actualStart)}` : 'never started');
    if (e.finishedByDeadline) {
      if (l.finishedAt === null) misses.push('never finished');
      else if (l.deadline !== null && Date.parse(l.finishedAt) > Date.parse(l.deadline)) misses.push(`finished ${fmt(l.finishedAt)}, after its deadline ${fmt(l.deadline)}`);
    }
    return { l, misses };
  });
  const hit = verdicts.find((v) => v.misses.length === 0);
  if (hit) {
    const l = hit.l;
    const cost = l.costEur === null ? '' : `, €${l.costEur}${l.optimalCostEur === l.costEur ? ' (the optimum)' : ''}`;
    return { path, ok: true, text: `expected ${what}, got ${l.programme} started ${fmt(l.actualStart)}${cost}` };
  }
  return { path, ok: false, text: `expected ${what}, got ${verdicts.map((v) => `${v.l.programme}: ${v.misses.join(', ')}`).join('; ')}` };
}

function checkShopping(report: ReportView, e: ShoppingExpectation, path: string): ExpectationResult {
  const what = `${e.customer}'s shopping answer${e.recipe ? ` for ${e.recipe}` : ''} to name ${e.store === null ? 'no store' : `store ${e.store}`}`;
  const answers = report.shopping.filter((s) => s.customerId === e.customer && (e.recipe === undefined || s.recipe === e.recipe));
  if (answers.length === 0) return { path, ok: false, text: `expected ${what}, got no answer` };
  const named = (s: (typeof answers)[number]) => s.store?.id ?? null;
  const hit = answers.find((s) => named(s) === e.store);
  if (hit) return { path, ok: true, text: `expected ${what}, got ${named(hit) ?? 'no store'}` };
  return { path, ok: false, text: `expected ${what}, got ${answers.map((s) => named(s) ?? 'no store').join(', ')}` };
}

type Fmt = (iso: string | null) => string;

/** times in the report's own offset: 'HH:MM' on the day the replay starts, 'YYYY-MM-DD HH:MM' on others */
function timeFormat(start: string | null): Fmt {
  const offset = start ? offsetOf(start) : 0;
  const day = start ? isoWithOffset(Date.parse(start), offset).slice(0, 10) : '';
  return (iso) => {
    if (iso === null) return 'never';
    const local = isoWithOffset(Date.parse(iso), offset);
    return local.slice(0, 10) === day ? local.slice(11, 16) : `${local.slice(0, 10)} ${local.slice(11, 16)}`;
  };
}

/** '18:35–18:50', '2020-11-03 01:00–05:00' */
function span(w: Window, fmt: Fmt): string {
  const [from, to] = [fmt(w.from), fmt(w.to)];
  return from.length > 5 && from.slice(0, 10) === to.slice(0, 10) ? `${from}–${to.slice(11)}` : `${from}–${to}`;
}
const within = (iso: string | null, w: Window): boolean => iso !== null && Date.parse(iso) >= Date.parse(w.from) && Date.parse(iso) <= Date.parse(w.to);
const minutesBetween = (a: string | null, b: string | null): number | null => (a === null || b === null ? null : (Date.parse(b) - Date.parse(a)) / 60_000);
const round1 = (x: number): string => String(Math.round(x * 10) / 10);
