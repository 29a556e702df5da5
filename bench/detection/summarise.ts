/**
 * Turns fault-suite results into figures per fault kind: recall, precision, lead time
 * (noticeableAt − openedAt, in simulated minutes), and false tickets per device-week on healthy runs.
 */
import type { CaseResult } from './run-case.js';

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r3 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);

/** Figures per fault and per device kind, named `<prefix>.<fault>.recall` and so on. */
export function summarise(results: ReadonlyArray<Pick<CaseResult, 'c' | 'tickets' | 'noticeableAt'>>, prefix = 'detection'): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const faults = [...new Set(results.map((r) => r.c.fault).filter((f): f is string => f !== null))].sort();
  let truePositives = 0;
  let allTickets = 0;
  for (const fault of faults) {
    const runs = results.filter((r) => r.c.fault === fault);
    let found = 0;
    let tp = 0;
    let tickets = 0;
    const leads: number[] = [];
    for (const r of runs) {
      const right = r.tickets.filter((t) => r.c.expects.includes(t.kind) && t.openedAt >= r.c.injectAt!);
      tickets += r.tickets.length;
      tp += right.length;
      if (right.length) {
        found++;
        if (r.noticeableAt !== null) leads.push((r.noticeableAt - right[0]!.openedAt) / 60_000);
      }
    }
    truePositives += tp;
    allTickets += tickets;
    out[`${prefix}.${fault}.runs`] = runs.length;
    out[`${prefix}.${fault}.recall`] = r3(found / runs.length);
    out[`${prefix}.${fault}.precision`] = tickets ? r3(tp / tickets) : null;
    out[`${prefix}.${fault}.medianLeadMinutes`] = r3(median(leads));
    out[`${prefix}.${fault}.noticedRuns`] = runs.filter((r) => r.noticeableAt !== null).length;
  }
  const healthy = results.filter((r) => r.c.fault === null);
  for (const kind of [...new Set(healthy.map((r) => r.c.kind))].sort()) {
    const runs = healthy.filter((r) => r.c.kind === kind);
    const weeks = runs.reduce((w, r) => w + r.c.hours / (24 * 7), 0);
    const falses = runs.reduce((n, r) => n + r.tickets.length, 0);
    allTickets += falses;
    out[`${prefix}.${kind}.healthyDeviceWeeks`] = r3(weeks);
    out[`${prefix}.${kind}.falseTicketsPerDeviceWeek`] = r3(falses / weeks);
  }
  out[`${prefix}.precision`] = allTickets ? r3(truePositives / allTickets) : null;
  return out;
}
