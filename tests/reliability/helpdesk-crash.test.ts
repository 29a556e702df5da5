/**
 * The helpdesk (a real process on a SQLite file, persistent MQTT session) kills itself with SIGKILL
 * right after the ticket store committed the evening's battery-discharge ticket and before it told
 * the customer (the test-only hook in bin/helpdesk.ts). The devices go on; the broker queues for the
 * helpdesk. Started again on the same database, the helpdesk picks the ticket up (contacts Maria,
 * sends the remote fix) instead of opening a second one when the detector fires again, and the store
 * is consistent: integrity_check ok, one ticket per incident, every timeline agrees with its state.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../helpdesk/tickets/lifecycle.js';
import { crashRuns, settle as settled } from './crash-run.js';
import { evening } from './devices.js';
import { startHelpdesk, type HelpdeskProc } from './processes.js';

const WINDOW_MS = 10_000;

/** the state a timeline leads to: each step but notes and action results moves the ticket */
function stateOf(t: Ticket): string {
  let state = '';
  for (const e of t.timeline) if (!['note', 'action-confirmed', 'action-failed'].includes(e.step)) state = e.step;
  return state;
}

/** reads the database file as it is on disk, with a connection of its own */
function inspect(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const tickets = db.prepare('SELECT id, incident_key, kind, state FROM tickets ORDER BY opened_at').all() as Array<{ id: string; incident_key: string; kind: string; state: string }>;
    const entries = db.prepare('SELECT ticket_id, idx, step FROM timeline ORDER BY ticket_id, idx').all() as Array<{ ticket_id: string; idx: number; step: string }>;
    return { integrity, tickets, entries };
  } finally {
    db.close();
  }
}

describe('the helpdesk killed with SIGKILL while it opens a ticket', () => {
  const runs = crashRuns('evernet-helpdesk-crash-');

  it('comes back with one ticket for the incident, followed up, and a consistent store', async () => {
    const scenario = evening('18:35', '19:00');
    const run = await runs.start(scenario, { crashAfterTicketOpened: true });
    const { broker, db, fleet: f } = run;
    let helpdesk: HelpdeskProc = run.helpdesk;

    /** messages the current helpdesk process has accepted, as the devices count them */
    let base = 0;
    const settle = (to: number) => settled(helpdesk, f, f.published() - base, to);

    // 1. run until the helpdesk dies opening the ticket
    let to = scenario.startMs;
    let crashedAt = 0;
    while (!crashedAt) {
      to += WINDOW_MS;
      expect(to).toBeLessThanOrEqual(scenario.endMs); // the incident must come before the end
      f.tick(to);
      const before = f.published();
      const outcome = await settle(to).then(
        () => 'alive' as const,
        async (e: Error) => ((await helpdesk.exited) === 'SIGKILL' ? ('killed' as const) : Promise.reject(e)),
      );
      if (outcome === 'killed') {
        crashedAt = to;
        base = before; // everything up to here was delivered to (and acknowledged by) the dead process
      }
    }

    // 2. on disk right after the crash: the ticket is committed, opened and nothing more
    const atCrash = inspect(db);
    expect(atCrash.integrity).toBe('ok');
    expect(atCrash.tickets.map((t) => [t.kind, t.state])).toEqual([['battery-discharge', 'opened']]);
    expect(atCrash.entries.map((e) => e.step)).toEqual(['opened']);

    // 3. the devices go on for a minute while the helpdesk is down: the broker queues for its session
    for (let i = 0; i < 6; i++) f.tick((to += WINDOW_MS));

    // 4. the helpdesk comes back on the same database and session
    helpdesk = await startHelpdesk({ brokerUrl: broker.url, db, startAt: to });
    for (; to <= scenario.endMs; to += WINDOW_MS) {
      f.tick(to);
      await helpdesk.clock(to);
      await settle(to);
    }
    await Promise.all(f.agents.map((a) => a.drained()));
    const final = await settle(scenario.endMs + 1);

    // one ticket for the incident, followed up after the restart, never opened twice
    expect(final.tickets).toHaveLength(1);
    const [t] = final.tickets as [Ticket];
    expect(t.kind).toBe('battery-discharge');
    expect(t.timeline.filter((e) => e.step === 'opened')).toHaveLength(1);
    expect(t.timeline.map((e) => e.step)).toEqual(expect.arrayContaining(['opened', 'contacted', 'action-sent']));
    expect(t.timeline.find((e) => e.step === 'contacted')!.at).toBeGreaterThanOrEqual(crashedAt);
    expect(f.agents.find((a) => a.deviceId === 'car')!.stats().commandsReceived).toBeGreaterThanOrEqual(1); // the remote fix arrived

    // the store: integrity, one ticket per incident key, contiguous timelines that agree with the state
    const after = inspect(db);
    expect(after.integrity).toBe('ok');
    expect(new Set(after.tickets.map((r) => r.incident_key)).size).toBe(after.tickets.length);
    for (const row of after.tickets) {
      const steps = after.entries.filter((e) => e.ticket_id === row.id);
      expect(steps.map((e) => e.idx)).toEqual(steps.map((_, i) => i));
    }
    for (const ticket of final.tickets) expect(stateOf(ticket)).toBe(ticket.state);
  }, 60_000);
});
