/** The human summary printed at the end of a replay: the figures per device kind (fleets), tickets, loads, shopping, messages. */
import type { ByKind } from '../scenarios/report-by-kind.js';
import type { Report } from '../scenarios/report.js';
import { table } from './table.js';

const hhmm = (iso: string | null): string => (iso ? iso.slice(11, 16) : '—');
const day = (iso: string | null): string => (iso ? iso.slice(5, 10) : '');

/**
 * A time as the summary prints it: 'HH:MM' within a one-day replay, 'MM-DD HH:MM' when the replay spans
 * more than one day (HH:MM alone is ambiguous there) or the time falls on another day than the start.
 * The report's ISO times carry the scenario's offset, so their date is the local date.
 */
function clockFor(r: Report): (iso: string | null) => string {
  const first = day(r.simulated.start);
  // the end is exclusive: a replay from 00:00 to 00:00 the next day is one day
  const end = r.simulated.end ?? '';
  const last = end.slice(11, 19) === '00:00:00' ? dayBefore(end) : day(end);
  const multiDay = last !== first;
  return (iso) => (iso === null ? '—' : multiDay || day(iso) !== first ? `${day(iso)} ${hhmm(iso)}` : hhmm(iso));
}

/** the local date before an ISO time's, as MM-DD */
function dayBefore(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(5, 10);
}

export interface SummaryOptions {
  /** print the report's figures per device kind (a fleet's) first */
  byKind?: boolean;
  /** the lists are cut to some customers (report-customers.ts): what the report says in `customers`; null or absent: every customer is listed */
  customers?: string | null;
  /** with `customers`, whether any customer is listed at all */
  anyListed?: boolean;
}

export function renderSummary(r: Report, wall?: { seconds: number; messagesPerSecond: number }, options: SummaryOptions = {}): string {
  const at = clockFor(r);
  const out: string[] = [];
  out.push(`evernet replay: ${r.scenario} (seed ${r.seed}), ${r.simulated.start} → ${r.simulated.end}`);
  out.push('');
  if (options.byKind && r.byKind) out.push(renderByKind(r.byKind), '');
  if (options.customers) {
    out.push(`Customers: ${options.customers}`, '');
    if (!options.anyListed) return [...out, ...messagesLines(r, wall)].join('\n');
  }
  const of = options.customers ? ' of the listed customers' : '';
  out.push(`Tickets (${r.tickets.length}${of})`);
  if (r.tickets.length === 0) out.push('  none: no incident detected');
  else {
    out.push(
      table([
        ['  id', 'customer', 'device', 'kind', 'severity', 'opened', 'contacted', 'channel', 'resolved', 'state'],
        ...r.tickets.map((t) => ['  ' + t.id, t.customerId, t.deviceId, t.kind, t.severity, at(t.openedAt), at(t.contactedAt), t.channel ?? '—', at(t.resolvedAt), t.state]),
      ]),
    );
    for (const t of r.tickets) {
      if (t.resolution) out.push(`  ${t.id}: ${t.resolution}`);
      const esc = [...t.timeline].reverse().find((e) => e.step === 'escalated');
      if (t.state === 'escalated' && esc) {
        const offer = esc.detail.offer as { workshop?: string; distanceKm?: number; replacementCar?: boolean } | undefined;
        const where = offer?.workshop ? `${offer.workshop} (${offer.distanceKm} km)${offer.replacementCar ? ' with a replacement car' : ''}` : 'a technician visit';
        out.push(`  ${t.id}: escalated (${String(esc.detail.reason)}); offered ${where}`);
      }
    }
  }
  for (const f of r.faults) {
    out.push(`  fault ${f.kind} on ${f.customerId}/${f.deviceId} injected ${at(f.injectedAt)}, customer would notice ${f.noticeableAt ? `${day(f.noticeableAt)} ${hhmm(f.noticeableAt)}` : 'not within the horizon'}`);
  }
  // mass incidents (docs/problems.md): only when there are some, so a day without any prints as before
  for (const p of r.problems) out.push(`  problem ${p.id}: ${p.explanation}; opened ${at(p.openedAt)}, ${p.state}: ${p.ticketIds.join(', ')}`);
  out.push('');
  out.push(`Loads (${r.loads.length}${of})`);
  for (const l of r.loads) {
    out.push(`  ${l.customerId}/${l.deviceId} ${l.programme}: requested ${at(l.requestedAt)}, done by ${at(l.deadline)}; planned ${at(l.plannedStart)}, started ${at(l.actualStart)}, finished ${at(l.finishedAt)}`);
    out.push(`    cost ${fmtEur(l.costEur)} (optimum ${fmtEur(l.optimalCostEur)}, start now ${fmtEur(l.startNowCostEur)}: ${savedText(l.savedEur, l.savedPct)}), ${l.energyKwh ?? '—'} kWh, grid ${l.meanGridLoadMw ?? '—'} MW`);
  }
  out.push('');
  out.push(`Shopping (${r.shopping.length}${of})`);
  for (const s of r.shopping) out.push(`  ${at(s.at)} ${s.customerId}: ${s.text}`);
  out.push('');
  // bookings and satisfaction (docs/customers.md#dialogue-and-bookings): only when there are some, so a day without any prints as before
  if (r.bookings.length) {
    out.push(`Bookings (${r.bookings.length}${of})`);
    for (const b of r.bookings) {
      const slot = b.slot ? `slot ${at(b.slot.from)}–${at(b.slot.to)}${b.replacementCar ? `, replacement car ${b.replacementCar}` : ''}` : `${b.slotsOffered.length} free slots offered`;
      out.push(`  ${at(b.offeredAt)} ${b.customerId} ${b.ticketId} at ${b.workshopId}: ${b.state}, ${slot}`);
    }
    out.push('');
  }
  if (r.satisfaction.length) {
    out.push(`Satisfaction (${r.satisfaction.length}${of})`);
    for (const x of r.satisfaction) out.push(`  ${x.customerId} ${x.ticketId}: asked ${at(x.askedAt)}, ${x.score === null ? 'not answered' : `${x.score} of 5 (${at(x.answeredAt)})`}`);
    out.push('');
  }
  // next-best offers and what reached the customers: only when an offer was made, so a day without any prints as before
  if (r.offers.length) {
    out.push(`Offers (${r.offers.length}${of})`);
    for (const o of r.offers) {
      out.push(`  ${at(o.at)} ${o.customerId}: ${o.offer} ${o.channel ? `via ${o.channel}` : `held back (${o.code})`}, ${o.outcome}${o.outcomeAt ? ` ${at(o.outcomeAt)}` : ''}`);
      out.push(`    ${o.reason}`);
    }
    out.push('');
    out.push(`Contacts (${r.contacts.length}${of})`);
    for (const c of r.contacts) out.push(`  ${at(c.at)} ${c.customerId} ${c.ticketId ?? c.offerId} via ${c.channel}: ${c.text}`);
    out.push('');
  }
  return [...out, ...messagesLines(r, wall)].join('\n');
}

function messagesLines(r: Report, wall?: { seconds: number; messagesPerSecond: number }): string[] {
  const m = r.messages;
  const out = [`Messages: ${m.published} published, ${m.delivered} delivered, ${m.rejected} rejected, ${m.duplicates} duplicates, ${m.gaps} lost`];
  if (wall) out.push(`Replayed in ${wall.seconds.toFixed(1)} s (${Math.round(wall.messagesPerSecond)} messages/s)`);
  return out;
}

const dash = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : String(x));

/** The figures per device kind as two tables: detection (faults, recall, lead times, false tickets) and the loads' savings. */
export function renderByKind(b: ByKind): string {
  const kinds = Object.keys(b);
  const out = [`By kind (${kinds.length})`];
  out.push(
    table([
      ['  kind', 'devices', 'faults', 'caught', 'late', 'missed', 'recall', 'lead min/median/p90/max', 'tickets', 'false', 'false/10k device-days'],
      ...kinds.map((k) => {
        const x = b[k]!;
        const lead = x.leadMinutes ? `${x.leadMinutes.min}/${x.leadMinutes.median}/${x.leadMinutes.p90}/${x.leadMinutes.max} min` : '—';
        return ['  ' + k, String(x.devices), String(x.faults.injected), String(x.faults.caught), String(x.faults.late), String(x.faults.missed), dash(x.faults.recall), lead, String(x.tickets.total), String(x.tickets.false), dash(x.tickets.falsePer10kDeviceDays)];
      }),
    ]),
  );
  for (const k of kinds) {
    const byTicket = Object.entries(b[k]!.tickets.byKind);
    if (byTicket.length) out.push(`  ${k} tickets: ${byTicket.map(([t, n]) => `${t} ${n}`).join(', ')}`);
  }
  const withLoads = kinds.filter((k) => b[k]!.loads);
  if (withLoads.length) {
    out.push(
      table([
        ['  loads of', 'count', 'planned', 'saved vs starting at once', 'mean saved'],
        ...withLoads.map((k) => {
          const l = b[k]!.loads!;
          return ['  ' + k, String(l.count), String(l.planned), fmtEur(l.savedEur), l.meanSavedPct === null ? '—' : `${l.meanSavedPct} %`];
        }),
      ]),
    );
  }
  return out.join('\n');
}

const fmtEur = (x: number | null): string => (x === null ? '—' : `${x < 0 ? '-' : ''}€${Math.abs(x).toFixed(4)}`);

/** what the plan saved: in € (or what it cost more), with the share only where the report gives one */
function savedText(eur: number | null, pct: number | null): string {
  if (eur === null) return 'saving unknown';
  const share = pct === null ? '' : ` (${Math.abs(pct)} %)`;
  return eur >= 0 ? `saved ${fmtEur(eur)}${share}` : `${fmtEur(-eur)}${share} more than starting at once`;
}
