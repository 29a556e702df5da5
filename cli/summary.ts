/** The human summary printed at the end of a replay: tickets, loads, shopping, messages. */
import type { Report } from '../scenarios/report.js';

const hhmm = (iso: string | null): string => (iso ? iso.slice(11, 16) : '—');
const day = (iso: string | null): string => (iso ? iso.slice(5, 10) : '');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function renderSummary(r: Report, wall?: { seconds: number; messagesPerSecond: number }): string {
  const out: string[] = [];
  out.push(`evernet replay: ${r.scenario} (seed ${r.seed}), ${r.simulated.start} → ${r.simulated.end}`);
  out.push('');
  out.push(`Tickets (${r.tickets.length})`);
  if (r.tickets.length === 0) out.push('  none: no incident detected');
  else {
    out.push(
      table([
        ['  id', 'device', 'kind', 'severity', 'opened', 'contacted', 'channel', 'resolved', 'state'],
        ...r.tickets.map((t) => ['  ' + t.id, t.deviceId, t.kind, t.severity, hhmm(t.openedAt), hhmm(t.contactedAt), t.channel ?? '—', hhmm(t.resolvedAt), t.state]),
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
    out.push(`  fault ${f.kind} on ${f.deviceId} injected ${hhmm(f.injectedAt)}, customer would notice ${f.noticeableAt ? `${day(f.noticeableAt)} ${hhmm(f.noticeableAt)}` : 'not within the horizon'}`);
  }
  out.push('');
  out.push(`Loads (${r.loads.length})`);
  for (const l of r.loads) {
    const saving = l.startNowCostEur && l.costEur !== null ? ((1 - l.costEur / l.startNowCostEur) * 100).toFixed(0) : '—';
    out.push(`  ${l.deviceId} ${l.programme}: requested ${hhmm(l.requestedAt)}, done by ${hhmm(l.deadline)}; planned ${hhmm(l.plannedStart)}, started ${hhmm(l.actualStart)}, finished ${hhmm(l.finishedAt)}`);
    out.push(`    cost ${fmtEur(l.costEur)} (optimum ${fmtEur(l.optimalCostEur)}, start now ${fmtEur(l.startNowCostEur)}: ${saving} % saved), ${l.energyKwh ?? '—'} kWh, grid ${l.meanGridLoadMw ?? '—'} MW`);
  }
  out.push('');
  out.push(`Shopping (${r.shopping.length})`);
  for (const s of r.shopping) out.push(`  ${hhmm(s.at)} ${s.text}`);
  out.push('');
  const m = r.messages;
  out.push(`Messages: ${m.published} published, ${m.delivered} delivered, ${m.rejected} rejected, ${m.duplicates} duplicates, ${m.gaps} lost`);
  if (wall) out.push(`Replayed in ${wall.seconds.toFixed(1)} s (${Math.round(wall.messagesPerSecond)} messages/s)`);
  return out.join('\n');
}

const fmtEur = (x: number | null): string => (x === null ? '—' : `€${x.toFixed(4)}`);
